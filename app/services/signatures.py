"""Applications whose signature or thumbprint is taken later on the printed paper.

Rule 23bis asks for a written application; the court's minimum content asks for a signature OR a
thumbprint. When the officer records "to be taken later", finalising gives the record its
reference and the status "awaiting signature": it can be printed for signing and is listed on
the Follow-up page, but sync does not send it to the office until the officer who took it (or a
supervisor) confirms the signed paper. The confirmation is audited and adds a version with the
mark actually made, so the office receives both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.core.forms import FieldRole
from app.core.forms.model import SignatureMark
from app.i18n import _
from app.services import records
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.security import ensure_unlocked, signed_in
from app.store.models import Application, ApplicationVersion

__all__ = ["AwaitingSignature", "awaiting_signature", "confirm_signed_paper"]

CONFIRMABLE_MARKS = (SignatureMark.SIGNATURE.value, SignatureMark.THUMBPRINT.value)


@dataclass(frozen=True)
class AwaitingSignature:
    application_id: str
    reference: str | None
    name: str
    form_id: str
    finalized_at: datetime | None


def awaiting_signature(ctx: AppContext) -> list[AwaitingSignature]:
    """Visible records waiting for their signed paper, oldest first."""
    with ctx.store.transaction() as session:
        statement = records.visible_applications(
            select(Application)
            .where(Application.status == records.AWAITING_SIGNATURE)
            .order_by(Application.finalized_at),
            ctx,
        )
        return [
            AwaitingSignature(
                a.id,
                a.reference,
                " / ".join(n for n in (a.name_km, a.name_latin) if n),
                a.form_id,
                a.finalized_at,
            )
            for a in session.scalars(statement)
        ]


def confirm_signed_paper(ctx: AppContext, application_id: str, mark: str) -> None:
    """The applicant signed (or put a thumbprint on) the printed paper: the record may now go to
    the office. Only the officer who took it (field officers see only their own records) or a
    supervisor can confirm."""
    ensure_unlocked(ctx)
    officer = signed_in(ctx)
    if mark not in CONFIRMABLE_MARKS:
        raise records.RecordError(_("Choose whether the applicant signed or put a thumbprint."))
    with ctx.store.transaction() as session:
        application = records.load_visible(session, ctx, application_id)
        if application.status != records.AWAITING_SIGNATURE:
            raise records.RecordError(_("This record is not waiting for a signature."))
        form = records.form_definition(application.form_id)
        item = form.field_with_role(FieldRole.SIGNATURE_MARK)
        latest = session.scalars(
            select(ApplicationVersion).where(
                ApplicationVersion.application_id == application.id,
                ApplicationVersion.version_no == application.current_version,
            )
        ).one()
        answers = dict(latest.answers)
        if item is not None:
            answers[item.id] = mark
        version = records.add_version(
            session, ctx, application, answers, reason=_("Signed paper confirmed")
        )
        application.status = "final"
        record_audit(
            session,
            ctx,
            AuditAction.SIGNATURE_CONFIRM,
            application.id,
            {"mark": mark, "version": version.version_no, "by": officer.id},
        )
