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
from app.services.security import PermissionDenied, Role, ensure_unlocked, signed_in
from app.store.models import Application


def signed_in_id(ctx: AppContext) -> str | None:
    return ctx.officer.id if ctx.officer else None


def check_can_see(ctx: AppContext, application: Application) -> None:
    officer = signed_in(ctx)  # nobody signed in sees nothing (NotSignedIn), never everything
    if officer.role == Role.FIELD_OFFICER and application.created_by != officer.id:
        raise PermissionDenied(_("This record belongs to another officer."))


def visible_applications(statement: Select[Any], ctx: AppContext) -> Select[Any]:
    """Restrict a query on applications to what the signed-in officer may see (NotSignedIn or
    SessionLocked when nobody may see anything)."""
    officer = signed_in(ctx)
    if officer.role == Role.FIELD_OFFICER:
        return statement.where(Application.created_by == officer.id)
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
