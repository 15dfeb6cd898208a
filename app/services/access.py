"""The one rule for who may see an application: a field officer sees the records they made; a
supervisor or administrator sees every record on the device; nobody sees any while the session is
locked, and nobody sees anything while no officer is signed in. Every listing, count, export and
record read goes through this module.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.i18n import _
from app.services.context import AppContext
from app.services.errors import RecordError
from app.services.listing_plan import without_index
from app.services.security import PermissionDenied, Role, ensure_unlocked, signed_in
from app.store.models import Application


def signed_in_id(ctx: AppContext) -> str | None:
    return ctx.officer.id if ctx.officer else None


def check_can_see(ctx: AppContext, application: Application) -> None:
    officer = signed_in(ctx)  # nobody signed in sees nothing (NotSignedIn), never everything
    if officer.role == Role.FIELD_OFFICER and application.created_by != officer.id:
        raise PermissionDenied(_("This record belongs to another officer."))


def visible_owner(ctx: AppContext) -> str | None:
    """The officer whose records alone the signed-in officer may see (a field officer: their
    own), or None for every record on the device (NotSignedIn or SessionLocked when nobody may
    see anything)."""
    officer = signed_in(ctx)
    return officer.id if officer.role == Role.FIELD_OFFICER else None


def visible_filters(ctx: AppContext) -> dict[str, Any]:
    """visible_applications' restriction as filters (column name -> value), for a listing that
    writes each filter's term itself (app.services.listing_plan chooses the index it is read
    from): always with every other filter, never without."""
    owner = visible_owner(ctx)
    return {} if owner is None else {Application.created_by.key: owner}


def visible_applications(statement: Select[Any], ctx: AppContext) -> Select[Any]:
    """Restrict a query on applications to what the signed-in officer may see (NotSignedIn or
    SessionLocked when nobody may see anything). The owner is checked on each row the query
    reads, not looked up by the owner's index (migration 0015, written "+"): every query keeps
    the plan it had before that index, where SQLite could otherwise read all of an officer's
    records (every record, on a laptop of one officer) to find a few it finds by another key
    (rows by id: 1.8 s at 100,000 records). The registry's listings that are faster from the
    owner's index use visible_by_owner."""
    owner = visible_owner(ctx)
    if owner is not None:
        return statement.where(without_index(Application.created_by) == owner)
    return statement


def visible_by_owner(statement: Select[Any], ctx: AppContext) -> Select[Any]:
    """visible_applications, with the owner's index free to be read (the registry's count and
    forums, a search of an officer with few records: app.services.listing_plan)."""
    owner = visible_owner(ctx)
    if owner is not None:
        return statement.where(Application.created_by == owner)
    return statement


def load_visible(session: Session, ctx: AppContext, application_id: str) -> Application:
    """The application, if the signed-in officer may see it (RecordError/PermissionDenied)."""
    ensure_unlocked(ctx)
    application = session.get(Application, application_id)
    if application is None:
        raise RecordError(_("No such application."))
    check_can_see(ctx, application)
    return application


def sees_own_records_only(ctx: AppContext) -> bool:
    """Whether the signed-in officer's listings are limited to the records they made."""
    officer = ctx.officer
    return officer is not None and officer.role == Role.FIELD_OFFICER
