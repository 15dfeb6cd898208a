"""Status letters for applicants: which records have a court status to tell, and printing them
in batches per village or forum (audited, like every printed document).

Templates: ``assets/letters/<status>.yaml`` (see the README there), one per court status.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from app.core.forms import Text
from app.core.protection import Document, Hidden, ProtectionLevel, hidden
from app.core.resources import assets_dir
from app.i18n import _
from app.pdf.documents import RenderCancelled
from app.pdf.letters import StatusLetter, render_status_letters
from app.services import access
from app.services import court as court_service
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.printing import PrintError, write_pdf
from app.store.models import Application
from app.sync.protocol import COURT_STATUSES

__all__ = [
    "LetterDue",
    "LetterTemplate",
    "letter_template",
    "letter_templates",
    "letters_due",
    "print_status_letters",
    "status_letters_pdf",
]

LETTERS_FOLDER = "letters"


@dataclass(frozen=True)
class LetterTemplate:
    status: str
    title: Text
    meaning: Text
    next_steps: Text
    # What the letter says once the court's judicial work has ended (residual functions and
    # after): no judge will decide, no hearing will come. Required, so no letter printed in
    # 2026 can promise a decision.
    closed_meaning: Text | None = None
    closed_next_steps: Text | None = None

    def texts(self, judicial: bool) -> tuple[Text, Text]:
        """(meaning, next steps) true in the court's phase."""
        if judicial or self.closed_meaning is None or self.closed_next_steps is None:
            return self.meaning, self.next_steps
        return self.closed_meaning, self.closed_next_steps


def _text(data: Mapping[str, Any], key: str, path: Path) -> Text:
    value = data.get(key)
    km = value.get("km") if isinstance(value, Mapping) else None
    en = value.get("en") if isinstance(value, Mapping) else None
    if not isinstance(km, str) or not km.strip() or not isinstance(en, str) or not en.strip():
        raise PrintError(
            _("The letter template {file} has no Khmer and English '{key}'.").format(
                file=path.name, key=key
            )
        )
    return Text(km=" ".join(km.split()), en=" ".join(en.split()))


def letter_template(status: str, folder: Path | None = None) -> LetterTemplate:
    """The template of one court status; a missing or broken file raises a translated PrintError."""
    path = (folder or assets_dir() / LETTERS_FOLDER) / f"{status}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PrintError(
            _("The letter template {file} cannot be read: {error}").format(
                file=path.name, error=error
            )
        ) from error
    if not isinstance(data, Mapping):
        raise PrintError(
            _("The letter template {file} cannot be read: {error}").format(
                file=path.name, error="not a mapping"
            )
        )
    closed = data.get("after_judicial_work")
    if not isinstance(closed, Mapping):
        raise PrintError(
            _("The letter template {file} has no Khmer and English '{key}'.").format(
                file=path.name, key="after_judicial_work"
            )
        )
    return LetterTemplate(
        status=status,
        title=_text(data, "title", path),
        meaning=_text(data, "meaning", path),
        next_steps=_text(data, "next_steps", path),
        closed_meaning=_text(closed, "meaning", path),
        closed_next_steps=_text(closed, "next_steps", path),
    )


def letter_templates(folder: Path | None = None) -> dict[str, LetterTemplate]:
    """Every court status's template (read fresh, so an edited file is used at once)."""
    return {status: letter_template(status, folder) for status in COURT_STATUSES}


@dataclass(frozen=True)
class LetterDue:
    application_id: str
    reference: str
    name_km: str
    name_latin: str
    court_status: str
    village_code: str | None
    forum: str | None
    identity_protected: bool
    protection_level: str = ProtectionLevel.NONE.value


def letters_due(
    ctx: AppContext, village_code: str | None = None, forum: str | None = None
) -> list[LetterDue]:
    """Visible records with a court status to tell the applicant, optionally of one village or
    forum, by reference."""
    statement = select(
        Application.id,
        Application.reference,
        Application.name_km,
        Application.name_latin,
        Application.court_status,
        Application.village_code,
        Application.forum,
        Application.identity_protected,
        Application.protection_level,
    ).where(Application.court_status.is_not(None), Application.reference.is_not(None))
    if village_code:
        statement = statement.where(Application.village_code == village_code)
    if forum:
        statement = statement.where(Application.forum == forum)
    with ctx.store.reading() as session:
        rows = session.execute(
            access.visible_applications(statement, ctx).order_by(Application.reference)
        ).all()
    return [
        LetterDue(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8])
        for r in rows
        if r[4] in COURT_STATUSES
    ]


def _letters(
    ctx: AppContext, application_ids: Sequence[str], today: date
) -> list[tuple[str, StatusLetter]]:
    templates: dict[str, LetterTemplate] = {}
    letters: list[tuple[str, StatusLetter]] = []
    judicial = court_service.court_now(ctx).proceedings_possible
    with ctx.store.transaction() as session:
        for application_id in application_ids:
            application = access.load_visible(session, ctx, application_id)
            status = application.court_status
            if status not in COURT_STATUSES or application.reference is None:
                raise PrintError(
                    _("The record {reference} has no court status to tell yet.").format(
                        reference=application.reference or "—"
                    )
                )
            if status not in templates:
                templates[status] = letter_template(status)
            template = templates[status]
            meaning, next_steps = template.texts(judicial)
            # A stack of letters is carried to a village: a protected applicant's name stays off
            # it, and a family in danger gets its letter through the lawyer or association.
            hides = hidden(application.protection_level, Document.STATUS_LETTER)
            withheld = Hidden.APPLICANT_NAME in hides
            letters.append(
                (
                    status,
                    StatusLetter(
                        reference=application.reference,
                        status=status,
                        title=template.title,
                        meaning=meaning,
                        next_steps=next_steps,
                        dated=today,
                        name_km="" if withheld else application.name_km,
                        name_latin="" if withheld else application.name_latin,
                        name_withheld=withheld,
                        through_representative=Hidden.DIRECT_CONTACT in hides,
                    ),
                )
            )
    return letters


def status_letters_pdf(
    ctx: AppContext,
    application_ids: Sequence[str],
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[bytes, int]:
    """The letters rendered in memory (bytes, pages); nothing is audited or written."""
    letters = _letters(ctx, application_ids, today or court_service.as_of(ctx))

    def report(done: int, total: int) -> None:
        if cancelled is not None and cancelled():
            raise RenderCancelled()
        if progress is not None:
            progress(done, total)

    buffer = io.BytesIO()
    with court_service.printing(ctx):
        pages = render_status_letters([letter for _status, letter in letters], buffer, report)
    return buffer.getvalue(), pages


def print_status_letters(
    ctx: AppContext,
    application_ids: Sequence[str],
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    today: date | None = None,
) -> int:
    """Write the letters of these records to ``out`` (one page per applicant) and audit each
    as printed (document "status_letter"). Returns the page count. Raises PrintError, or
    RenderCancelled (nothing written) when ``cancelled`` turns true."""
    if not application_ids:
        raise PrintError(_("There are no status letters to print."))
    data, pages = status_letters_pdf(ctx, application_ids, today, progress, cancelled)
    write_pdf(out, data, ctx.home)
    with ctx.store.transaction() as session:
        for application_id in application_ids:
            application = session.get(Application, application_id)
            record_audit(
                session,
                ctx,
                AuditAction.RECORD_PRINT,
                application_id,
                {
                    "document": "status_letter",
                    "status": application.court_status if application else None,
                    "redacted": bool(
                        application and hidden(application.protection_level, Document.STATUS_LETTER)
                    ),
                },
            )
    return pages
