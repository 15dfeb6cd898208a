"""Printing use cases: what may be printed, by whom, redacted or not, and what is audited.

A record whose applicant asked for identity protection prints redacted to the level asked for
(app.core.protection says what each level hides on each document) unless the officer makes the
deliberate choice of a full copy, which is written to the audit log with its reason.
"""

from __future__ import annotations

import errno
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.core import clock
from app.core.errors import UserFacingError
from app.core.forms import FieldRole, FormDefinition, Text
from app.core.private_file import write_private_file
from app.core.protection import Document, Hidden, ProtectionLevel, hidden
from app.i18n import _
from app.pdf.documents import (
    PrintMeta,
    ReceiptMeta,
    RenderCancelled,
    render_application,
    render_applications_batch,
    render_blank_form,
    render_leaflet,
    render_receipt,
)
from app.pdf.receipt import ReceiptTooLong
from app.services import access, errors, form_catalogue, records
from app.services import court as court_service
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.places import describe_place
from app.services.settings import load_settings
from app.store.models import Application

__all__ = [
    "PdfDocument",
    "PrintError",
    "RenderCancelled",
    "application_ids_for_forum",
    "application_pdf",
    "blank_form_pdf",
    "leaflet_pdf",
    "print_application",
    "print_applications",
    "print_blank_form",
    "print_receipt",
    "printable_forums",
    "receipt_pdf",
    "record_printed",
    "write_pdf",
]


class PrintError(UserFacingError):
    """A translated reason why a document was not printed."""


def _meta(ctx: AppContext, reference: str, device_name: str | None = None) -> PrintMeta:
    """What every printed page says about where it was printed (device name from settings
    unless the caller already has it, as a batch does for all its records)."""
    if device_name is None:
        device_name = load_settings(ctx).device_name
    officer = ctx.officer
    return PrintMeta(
        reference=reference,
        printed_at=datetime.now(UTC).astimezone(),
        officer_name=officer.display_name if officer else "",
        organisation="",
        device_name=device_name,
        place_label=lambda value: describe_place(value, "km"),
    )


def write_pdf(out: Path, data: bytes, home: Path | None = None) -> None:
    """Write a PDF the officer chose to save: whole or not at all, never a stray temporary copy
    (``home``, the app's data folder, keeps the journal that clears one left by a killed app)."""
    try:
        write_private_file(out, data, home)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise PrintError(
                _(
                    "There is not enough free space on the disk. Free some space or use another drive."
                )
            ) from error
        raise PrintError(_("The PDF could not be written: {error}").format(error=error)) from error


@dataclass(frozen=True)
class PdfDocument:
    """A rendered PDF kept in memory (never in a temporary file: it may hold names)."""

    data: bytes
    pages: int
    application_id: str | None = None
    kind: str = "application"
    redacted: bool = False
    full_copy_reason: str | None = None
    protection_level: ProtectionLevel = ProtectionLevel.NONE
    # The level as the form names it ("Confidential from the public"), to say why it is redacted.
    protection_label: Text | None = None


def _render(
    render: Callable[[io.BytesIO], int], ctx: AppContext | None = None
) -> tuple[bytes, int]:
    """Render into memory; with ``ctx`` in a training session every page carries the banner."""
    buffer = io.BytesIO()
    if ctx is None:
        pages = render(buffer)
    else:
        with court_service.printing(ctx):
            pages = render(buffer)
    return buffer.getvalue(), pages


def _final_detail(ctx: AppContext, application_id: str) -> records.ApplicationDetail:
    detail = records.get_application(ctx, application_id, audit=False)
    if detail.reference is None:
        raise PrintError(_("Only a finalised application can be printed."))
    return detail


def _hides(
    detail: records.ApplicationDetail, document: Document, reason: str | None
) -> frozenset[Hidden]:
    """What ``document`` hides for this record: its level's share, or nothing for a full copy
    asked for with a reason."""
    return frozenset() if reason is not None else hidden(detail.protection_level, document)


def _full_copy_reason(detail: records.ApplicationDetail, typed: str | None) -> str | None:
    """The reason for a full copy, kept only where there was something to hide."""
    reason = (typed or "").strip() or None
    return reason if detail.protection_level is not ProtectionLevel.NONE else None


def _level_label(form: FormDefinition, level: ProtectionLevel) -> Text | None:
    item = form.field_with_role(FieldRole.PROTECTION_LEVEL)
    choice = item.choice(level.value) if item is not None else None
    return choice.label if choice is not None else None


def application_pdf(
    ctx: AppContext, application_id: str, *, full_copy_reason: str | None = None
) -> PdfDocument:
    """The filled application. Identity-protected records are redacted to their level unless a
    reason for a full copy is given (the reason is audited when the copy is printed or saved)."""
    detail = _final_detail(ctx, application_id)
    form = form_catalogue.form_definition(detail.form_id)
    reason = _full_copy_reason(detail, full_copy_reason)
    hides = _hides(detail, Document.REDACTED_APPLICATION, reason)
    meta = _meta(ctx, detail.reference or "")
    data, pages = _render(
        lambda buffer: render_application(form, detail.answers, meta, buffer, hidden=hides),
        ctx,
    )
    level = detail.protection_level
    return PdfDocument(
        data,
        pages,
        application_id,
        "application",
        bool(hides),
        reason,
        level,
        _level_label(form, level),
    )


def _name_parts(form: FormDefinition, answers: dict[str, Any]) -> tuple[str, str]:
    item = form.field_with_role(FieldRole.APPLICANT_NAME)
    value = answers.get(item.id) if item else None
    if not isinstance(value, dict):
        return "", ""
    return str(value.get("km") or ""), str(value.get("latin") or "")


def receipt_pdf(
    ctx: AppContext, application_id: str, *, full_copy_reason: str | None = None
) -> PdfDocument:
    """The applicant's half-page receipt with the reference number and its QR code. An
    identity-protected applicant's receipt names nobody unless a full copy is asked for with a
    reason (audited when the receipt is printed or saved)."""
    detail = _final_detail(ctx, application_id)
    form = form_catalogue.form_definition(detail.form_id)
    reason = _full_copy_reason(detail, full_copy_reason)
    redacted = Hidden.APPLICANT_NAME in _hides(detail, Document.RECEIPT, reason)
    name_km, name_latin = ("", "") if redacted else _name_parts(form, detail.answers)
    submitted = clock.day_of(detail.finalized_at or detail.created_at)
    # "What happens next" must be true on the app's day: a closed case or a court in its
    # residual functions says so, and a civil party application for a closed case is labelled
    # "for the record and the archive".
    next_steps = court_service.receipt_next_steps(ctx, form, detail.answers)
    meta = ReceiptMeta(
        reference=detail.reference or "",
        applicant_name_km=name_km,
        applicant_name_latin=name_latin,
        form_title=form.title,
        submitted_on=submitted,
        name_withheld=redacted,
        **(
            {"next_steps_km": next_steps.km, "next_steps_en": next_steps.en}
            if next_steps is not None
            else {}
        ),
    )
    try:
        data, pages = _render(lambda buffer: render_receipt(meta, buffer), ctx)
    except ReceiptTooLong as error:
        raise PrintError(
            _(
                "The receipt cannot hold this record's name: it is too long. Correct the record "
                "(a name has at most 100 characters) and print again."
            )
        ) from error
    level = detail.protection_level
    return PdfDocument(
        data, pages, application_id, "receipt", redacted, reason, level, _level_label(form, level)
    )


def blank_form_pdf(form_id: str, ctx: AppContext | None = None) -> PdfDocument:
    try:
        form = form_catalogue.form_definition(form_id)
    except errors.RecordError as error:
        raise PrintError(str(error)) from error
    data, pages = _render(lambda buffer: render_blank_form(form, buffer), ctx)
    return PdfDocument(data, pages, None, "blank_form")


def leaflet_pdf(ctx: AppContext | None = None) -> PdfDocument:
    """The folded rights leaflet, from the same content as the Rights screen, as true on the
    app's day (today, or the training date)."""
    from app.services.rights import leaflet_topics

    topics = leaflet_topics(day=court_service.as_of(ctx) if ctx else None)
    data, pages = _render(lambda buffer: render_leaflet(topics, buffer), ctx)
    return PdfDocument(data, pages, None, "leaflet")


def record_printed(ctx: AppContext, document: PdfDocument) -> None:
    """Audit a document that was printed or saved; a full copy of a protected record is logged
    as such with its reason. Applications count as printed in the registry."""
    if document.application_id is None:
        return
    full_copy = document.full_copy_reason is not None
    action = AuditAction.RECORD_PRINT_UNREDACTED if full_copy else AuditAction.RECORD_PRINT
    details: dict[str, Any] = {"document": document.kind, "redacted": document.redacted}
    if full_copy:
        details["reason"] = document.full_copy_reason
    with ctx.store.transaction() as session:
        record_audit(session, ctx, action, document.application_id, details)
    if document.kind == "application":
        records.mark_printed(ctx, document.application_id)


def print_application(
    ctx: AppContext, application_id: str, out: Path, *, full_copy_reason: str | None = None
) -> int:
    document = application_pdf(ctx, application_id, full_copy_reason=full_copy_reason)
    write_pdf(out, document.data, ctx.home)
    record_printed(ctx, document)
    return document.pages


def print_receipt(
    ctx: AppContext, application_id: str, out: Path, *, full_copy_reason: str | None = None
) -> int:
    document = receipt_pdf(ctx, application_id, full_copy_reason=full_copy_reason)
    write_pdf(out, document.data, ctx.home)
    record_printed(ctx, document)
    return document.pages


def print_blank_form(form_id: str, out: Path, ctx: AppContext | None = None) -> int:
    document = blank_form_pdf(form_id, ctx)
    write_pdf(out, document.data)
    return document.pages


@dataclass(frozen=True)
class BatchResult:
    pages: int
    records: int
    redacted: int


def print_applications(
    ctx: AppContext,
    application_ids: Sequence[str],
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BatchResult:
    """Many records into one PDF (each on new pages); identity-protected ones always redacted
    to their level. Raises RenderCancelled (and writes nothing) when ``cancelled`` turns true."""
    items: list[tuple[FormDefinition, dict[str, Any], PrintMeta]] = []
    hides: list[frozenset[Hidden]] = []
    device_name = load_settings(ctx).device_name
    for application_id in application_ids:
        detail = _final_detail(ctx, application_id)
        hides.append(_hides(detail, Document.REDACTED_APPLICATION, None))
        items.append(
            (
                form_catalogue.form_definition(detail.form_id),
                detail.answers,
                _meta(ctx, detail.reference or "", device_name),
            )
        )
    # In a batch, identity-protected records always print redacted (no per-record choice).
    data, pages = _render(
        lambda buffer: render_applications_batch(items, buffer, progress, cancelled, hidden=hides),
        ctx,
    )
    write_pdf(out, data, ctx.home)
    masked = [bool(h) for h in hides]
    with ctx.store.transaction() as session:
        for application_id, flag in zip(application_ids, masked, strict=True):
            record_audit(
                session,
                ctx,
                AuditAction.RECORD_PRINT,
                application_id,
                {"document": "batch", "redacted": flag},
            )
    for application_id in application_ids:
        records.mark_printed(ctx, application_id)
    return BatchResult(pages=pages, records=len(items), redacted=sum(masked))


def printable_forums(ctx: AppContext) -> list[str]:
    with ctx.store.transaction() as session:
        statement = access.visible_applications(
            select(Application.forum).distinct().where(Application.reference.is_not(None)), ctx
        )
        return sorted(f for f in session.scalars(statement) if f)


def application_ids_for_forum(ctx: AppContext, forum: str | None) -> list[str]:
    """Final records of one forum (all final records when ``forum`` is None), oldest first."""
    with ctx.store.transaction() as session:
        statement = select(Application.id).where(Application.reference.is_not(None))
        if forum:
            statement = statement.where(Application.forum == forum)
        statement = access.visible_applications(statement, ctx).order_by(Application.finalized_at)
        return list(session.scalars(statement))
