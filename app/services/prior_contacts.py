"""People who applied before: follow-up contacts recorded against an earlier number, and the
history that joins them to the record they name.

A record's earlier number is the answer of the field with the role ``prior_reference``; the store
keeps it as a matching key (``Application.prior_reference_key``). A follow-up contact (or a new
application that says "applied before") belongs to the history of every record whose reference,
or whose own earlier number, has the same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.forms import FieldRole
from app.i18n import current_language
from app.services import records
from app.services.context import AppContext
from app.store.models import Application, ApplicationVersion

__all__ = ["LinkedContact", "contacts_naming", "linked_contacts"]


@dataclass(frozen=True)
class LinkedContact:
    application_id: str
    reference: str | None
    form_title: str  # translated
    what: str  # the contact kind, translated ("" when the form has none)
    status: str
    finalized_at: datetime | None


def _what(form_id: str, answers: dict[str, object]) -> str:
    form = records.form_definition(form_id)
    item = form.field_with_role(FieldRole.CONTACT_KIND)
    if item is None:
        return ""
    lang = current_language()
    choice = item.choice(str(answers.get(item.id) or ""))
    what = choice.label.get(lang) if choice else ""
    # A contact about a reparation project names the project too.
    project_field = form.field_with_role(FieldRole.REPARATION_PROJECT)
    project = (
        project_field.choice(str(answers.get(project_field.id) or "")) if project_field else None
    )
    return f"{what}: {project.label.get(lang)}" if what and project else what


def linked_contacts(ctx: AppContext, application_id: str) -> list[LinkedContact]:
    """Finalised records that name this record's number (or share its earlier number), oldest
    first. Only records the signed-in officer may see are listed."""
    with ctx.store.transaction() as session:
        application = records.load_visible(session, ctx, application_id)
        keys = {k for k in (application.reference, application.prior_reference_key) if k}
        if not keys:
            return []
        return _contacts(session, ctx, keys, exclude=application_id)


def contacts_naming(ctx: AppContext, number_key: str) -> list[LinkedContact]:
    """Finalised records naming ``number_key`` (a person of the office's list), oldest first;
    only records the signed-in officer may see."""
    with ctx.store.transaction() as session:
        return _contacts(session, ctx, {number_key}, exclude=None)


def _contacts(
    session: Session, ctx: AppContext, keys: set[str], exclude: str | None
) -> list[LinkedContact]:
    conditions = [
        Application.prior_reference_key.in_(sorted(keys)),
        Application.status != "draft",
    ]
    if exclude is not None:
        conditions.append(Application.id != exclude)
    statement = records.visible_applications(
        select(Application, ApplicationVersion)
        .join(
            ApplicationVersion,
            (ApplicationVersion.application_id == Application.id)
            & (ApplicationVersion.version_no == Application.current_version),
        )
        .where(*conditions)
        .order_by(Application.finalized_at),
        ctx,
    )
    rows = session.execute(statement).all()
    lang = current_language()
    return [
        LinkedContact(
            application_id=row.id,
            reference=row.reference,
            form_title=records.form_definition(row.form_id).title.get(lang),
            what=_what(row.form_id, dict(version.answers or {})),
            status=row.status,
            finalized_at=row.finalized_at,
        )
        for row, version in rows
    ]
