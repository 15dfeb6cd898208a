"""Applications from first draft to acknowledgement: drafts, finalising, corrections, reading.

Every change is one transaction that also writes what belongs with it: the audit entry, the search
index row, and (for a finalised version) the outbox row for sync. Who may see an application is
decided in ``access``; the form definitions come from ``form_catalogue``; listing and search are in
``registry``, possible duplicates in ``duplicates``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.forms import FieldRole, FormDefinition
from app.core.line_breaks import normalize_typed_answers
from app.core.protection import ProtectionLevel, as_level, in_current_shape, protection_level
from app.core.reference import new_reference, normalize_reference
from app.i18n import N_, _
from app.services import people
from app.services.access import load_visible, signed_in_id, visible_applications
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.epoch import reference_device_id
from app.services.errors import RecordError
from app.services.finalising import (
    AWAITING_SIGNATURE,
    PAYLOAD_COLUMNS,
    REFERENCE_SEQUENCE_KEY,
    ValidationFailed,
    check_application,
    final_status,
    payload_from_columns,
    signature_pending,
    version_payload,
)
from app.services.finalising import blocking as _blocking
from app.services.form_catalogue import available_forms, form_definition
from app.services.remembered import remember_answers
from app.services.search_index import apply_derived, remove_search_text
from app.services.security import Role, ensure_unlocked, require_role, signed_in
from app.store.models import (
    Application,
    ApplicationVersion,
    Attachment,
    AuditEntry,
    NotDuplicateDecision,
    OutboxItem,
    Setting,
)
from app.sync.format import record_digest

if TYPE_CHECKING:
    from app.services.bulk_import import IMPORT_CHUNK, import_applications

# Shared with the bulk import (app/services/finalising.py, app/services/bulk_import.py); named
# here too because callers know them as records.<name>.
__all__ = [
    "AWAITING_SIGNATURE",
    "IMPORT_CHUNK",
    "PAYLOAD_COLUMNS",
    "REFERENCE_SEQUENCE_KEY",
    "ValidationFailed",
    "check_application",
    "import_applications",
    "payload_from_columns",
    "signature_pending",
    "version_payload",
]

# The bulk import (its checks, the second core's worker) is loaded when first asked for: the main
# window's first paint reads records but imports none (~50 ms of CPU, issue 20).
_FROM_BULK_IMPORT = ("IMPORT_CHUNK", "import_applications")


def __getattr__(name: str) -> object:
    if name in _FROM_BULK_IMPORT:
        from app.services import bulk_import

        return getattr(bulk_import, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


STATUSES = ("draft", AWAITING_SIGNATURE, "final", "printed", "synced", "acknowledged")
# How each status is shown (msgids, translated where shown).
STATUS_LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    AWAITING_SIGNATURE: N_("Awaiting signature"),
    "final": N_("Final"),
    "printed": N_("Printed"),
    "synced": N_("Synced"),
    "acknowledged": N_("Acknowledged"),
}
# What the central office reports back about a record (sync brings these).
COURT_STATUS_LABELS: dict[str, str] = {
    "received": N_("Received"),
    "forwarded": N_("Forwarded"),
    "admitted": N_("Admitted"),
    "rejected": N_("Rejected"),
    "lawyer_assigned": N_("Lawyer assigned"),
}


# --- drafts ------------------------------------------------------------------------------------


def _new_draft(
    session: Session, ctx: AppContext, form: FormDefinition, details: dict[str, Any]
) -> Application:
    """A new draft application of ``form`` by the signed-in officer, audited as created."""
    now = clock.utc_now()
    application = Application(
        id=str(uuid.uuid4()),
        form_id=form.id,
        form_version=form.version,
        status="draft",
        created_by=signed_in_id(ctx),
        created_at=now,
        updated_at=now,
        draft_answers={},
    )
    session.add(application)
    session.flush()
    record_audit(session, ctx, AuditAction.RECORD_CREATE, application.id, details)
    return application


def start_application(ctx: AppContext, form_id: str) -> str:
    ensure_unlocked(ctx)
    form = form_definition(form_id)
    with ctx.store.transaction() as session:
        application = _new_draft(session, ctx, form, {"form": form.id})
        # The officer in the room is the one signed in: pre-filled, still editable.
        officer_field = form.field_with_role(FieldRole.OFFICER_NAME)
        if officer_field is not None and ctx.officer is not None and ctx.officer.display_name:
            application.draft_answers = {officer_field.id: ctx.officer.display_name}
        return application.id


def save_draft(ctx: AppContext, application_id: str, answers: Mapping[str, Any]) -> None:
    """Autosave: the draft answers replace the previous draft, atomically and durably."""
    answers = normalize_typed_answers(answers)
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        if application.status != "draft":
            raise RecordError(_("This application is final; make a correction instead."))
        application.draft_answers = dict(answers)
        application.updated_at = clock.utc_now()
        apply_derived(session, application, answers)
        if ctx.officer is not None and application.created_by not in (None, ctx.officer.id):
            # A supervisor working on another officer's draft leaves a trace: one entry per
            # stretch of editing (autosave runs often), a new one after anyone else acted on it.
            last = session.scalars(
                select(AuditEntry)
                .where(AuditEntry.record_id == application_id)
                .order_by(AuditEntry.seq.desc())
                .limit(1)
            ).first()
            if last is None or (last.action, last.officer_id) != (
                AuditAction.DRAFT_EDIT_BY_SUPERVISOR,
                ctx.officer.id,
            ):
                record_audit(
                    session,
                    ctx,
                    AuditAction.DRAFT_EDIT_BY_SUPERVISOR,
                    application_id,
                    {"draft_of": application.created_by},
                )


@dataclass(frozen=True)
class DraftSummary:
    id: str
    form_id: str
    name_km: str
    name_latin: str
    updated_at: datetime


def drafts_to_resume(ctx: AppContext) -> list[DraftSummary]:
    """The signed-in officer's unfinished drafts, newest first."""
    officer = signed_in(ctx)
    statement = select(Application).where(
        Application.status == "draft", Application.created_by == officer.id
    )
    with ctx.store.reading() as session:
        rows = session.scalars(statement.order_by(Application.updated_at.desc())).all()
        return [DraftSummary(a.id, a.form_id, a.name_km, a.name_latin, a.updated_at) for a in rows]


def discard_draft(ctx: AppContext, application_id: str) -> None:
    """Delete one of the officer's drafts for good (the UI asks first); audited as such."""
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        if application.status != "draft":
            raise RecordError(_("Only a draft can be discarded."))
        remove_search_text(session, application_id)
        # Scans and photos go with the draft (they are rows of their own).
        session.execute(delete(Attachment).where(Attachment.application_id == application_id))
        session.execute(
            delete(NotDuplicateDecision).where(
                or_(
                    NotDuplicateDecision.application_a == application_id,
                    NotDuplicateDecision.application_b == application_id,
                )
            )
        )
        form_id = application.form_id
        session.delete(application)
        record_audit(session, ctx, AuditAction.DRAFT_DELETE, application_id, {"form": form_id})


# --- finalising and corrections ----------------------------------------------------------------


def _next_reference(session: Session, device_id: str) -> str:
    row = session.get(Setting, REFERENCE_SEQUENCE_KEY)
    sequence = int(row.value) + 1 if row is not None else 1
    session.merge(Setting(key=REFERENCE_SEQUENCE_KEY, value=sequence))
    # After a restore the references take a new device part (app.services.epoch).
    return new_reference(reference_device_id(session, device_id), sequence)


def add_version(
    session: Session,
    ctx: AppContext,
    application: Application,
    answers: Mapping[str, Any],
    reason: str | None,
) -> ApplicationVersion:
    now = clock.utc_now()
    version_no = application.current_version + 1
    version = ApplicationVersion(
        id=str(uuid.uuid4()),
        application_id=application.id,
        version_no=version_no,
        form_version=application.form_version,
        answers=dict(answers),
        reason=reason,
        created_by=signed_in_id(ctx),
        created_at=now,
        content_sha256="",
    )
    version.content_sha256 = record_digest(version_payload(application, version))
    session.add(version)
    application.current_version = version_no
    application.updated_at = now
    session.flush()
    # The outbox row is written in the same transaction as the version: no version can miss sync.
    session.add(OutboxItem(version_id=version.id, state="pending", attempts=0, created_at=now))
    return version


def _finalize_in(
    session: Session, ctx: AppContext, application: Application, answers: Mapping[str, Any]
) -> str:
    if application.status != "draft":
        raise RecordError(_("This application is already final."))
    answers = normalize_typed_answers(answers)
    form = form_definition(application.form_id)
    blocking = _blocking(check_application(form, answers))
    if blocking:
        raise ValidationFailed(blocking)
    application.reference = _next_reference(session, ctx.device_id)
    application.status = final_status(form, answers)
    application.finalized_at = clock.utc_now()
    application.draft_answers = None
    # The direct victim becomes a person of their own, shared by every applicant who names them.
    answers = people.on_finalized(session, ctx, application, answers)
    add_version(session, ctx, application, answers, reason=None)
    apply_derived(session, application, answers)
    remember_answers(session, form, answers)
    record_audit(session, ctx, AuditAction.RECORD_FINALIZE, application.id)
    return application.reference


def finalize_application(ctx: AppContext, application_id: str, answers: Mapping[str, Any]) -> str:
    """Lock the draft as version 1 and give it its reference number. Raises ValidationFailed."""
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        return _finalize_in(session, ctx, application, answers)


def correct_application(
    ctx: AppContext, application_id: str, answers: Mapping[str, Any], reason: str
) -> int:
    """A correction of a final record: a new version with its reason; earlier versions are kept."""
    require_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)
    if not reason.strip():
        raise RecordError(_("A correction needs a reason."))
    answers = normalize_typed_answers(answers)
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        if application.status == "draft":
            raise RecordError(_("A draft is edited directly; corrections are for final records."))
        form = form_definition(application.form_id)
        blocking = _blocking(check_application(form, answers))
        if blocking:
            raise ValidationFailed(blocking)
        # The family link follows the corrected victim details (same person kept when linked).
        answers = people.on_finalized(session, ctx, application, answers)
        version = add_version(session, ctx, application, answers, reason=reason.strip())
        # A correction must reach the central office again before the record counts as synced.
        if application.status in ("synced", "acknowledged"):
            application.status = "final"
        apply_derived(session, application, answers)
        record_audit(
            session, ctx, AuditAction.RECORD_EDIT, application.id, {"version": version.version_no}
        )
        return version.version_no


def mark_printed(ctx: AppContext, application_id: str) -> None:
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        if application.status == "final":
            application.status = "printed"
            application.updated_at = clock.utc_now()


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionSummary:
    version_no: int
    reason: str | None
    created_at: datetime
    created_by: str | None


@dataclass(frozen=True)
class ApplicationDetail:
    id: str
    form_id: str
    status: str
    reference: str | None
    answers: dict[str, Any]
    name_km: str
    name_latin: str
    identity_protected: bool
    court_status: str | None
    created_at: datetime
    finalized_at: datetime | None
    versions: list[VersionSummary] = field(default_factory=list)
    protection_level: ProtectionLevel = ProtectionLevel.NONE


def get_application(ctx: AppContext, application_id: str, audit: bool = True) -> ApplicationDetail:
    with ctx.store.transaction() as session:
        application = load_visible(session, ctx, application_id)
        versions = session.scalars(
            select(ApplicationVersion)
            .where(ApplicationVersion.application_id == application_id)
            .order_by(ApplicationVersion.version_no)
        ).all()
        # Stored versions stay as written (their digests are their sync identity); the answers
        # are read in the current form's shape, so an older record's protection level is kept.
        stored = (
            application.draft_answers or {}
            if application.status == "draft"
            else versions[-1].answers
            if versions
            else {}
        )
        form = available_forms().get(application.form_id)
        answers = in_current_shape(form, stored) if form is not None else dict(stored)
        # A form no longer on the laptop: the level derived when the record was last saved.
        level = (
            protection_level(form, answers)
            if form is not None
            else as_level(application.protection_level)
        )
        if audit:
            record_audit(session, ctx, AuditAction.RECORD_VIEW, application_id)
        return ApplicationDetail(
            id=application.id,
            form_id=application.form_id,
            status=application.status,
            reference=application.reference,
            answers=answers,
            name_km=application.name_km,
            name_latin=application.name_latin,
            identity_protected=application.identity_protected,
            court_status=application.court_status,
            created_at=application.created_at,
            finalized_at=application.finalized_at,
            versions=[
                VersionSummary(v.version_no, v.reason, v.created_at, v.created_by) for v in versions
            ],
            protection_level=level,
        )


def find_by_reference(ctx: AppContext, typed: str) -> str | None:
    reference = normalize_reference(typed)
    if reference is None:
        return None
    with ctx.store.reading() as session:
        statement = visible_applications(
            select(Application.id).where(Application.reference == reference), ctx
        )
        return session.scalar(statement)
