"""One application opened from the registry: its answers, its history and what to do next.

Opening it is a "record view" in the audit log (the records service writes it)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.i18n import current_language, format_stamp
from app.services import form_catalogue, records
from app.services.context import AppContext
from app.services.people import family_group
from app.services.prior_contacts import linked_contacts
from app.services.security import sees_all_records
from app.ui.text import _, html_text
from app.ui.wizard.review import answers_html


class RecordDialog(QDialog):
    print_requested = Signal(str, str)  # document kind, reference
    continue_draft = Signal(str)  # application id
    correct_record = Signal(str)  # application id

    def __init__(self, ctx: AppContext, application_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail = records.get_application(ctx, application_id)
        form = form_catalogue.form_definition(self.detail.form_id)
        lang = current_language()
        self.setWindowTitle(self.detail.reference or _("Draft"))
        self.resize(820, 680)
        heading = QLabel(
            f"<span style='font-size:20pt;font-weight:bold'>{html_text(self.detail.reference or _('Draft'))}</span>"
            f"<br>{html_text(self.detail.name_km)} / {html_text(self.detail.name_latin)}"
            f"<br>{html_text(form.title.get(lang))}"
        )
        heading.setObjectName("recordHeading")
        parts = [answers_html(form, self.detail.answers, lang)]
        history = "".join(
            f"<li>{v.version_no}: {html_text(format_stamp(v.created_at))}"
            + (f" — {html_text(v.reason)}" if v.reason else "")
            + "</li>"
            for v in self.detail.versions
        )
        # Follow-up contacts (and later applications) that name this record's number.
        history += "".join(
            f"<li>{html_text(format_stamp(c.finalized_at) if c.finalized_at else '')}: "
            f"{html_text(c.form_title)}"
            + (f" — {html_text(c.what)}" if c.what else "")
            + f" ({html_text(c.reference or '')})</li>"
            for c in linked_contacts(ctx, application_id)
        )
        if history:
            parts.append(f"<h3>{html_text(_('History'))}</h3><ul>{history}</ul>")
        family = family_group(ctx, application_id)
        if family:
            members = "".join(
                f"<li>{html_text(m.reference or _('Draft'))}: {html_text(m.name_km)} / {html_text(m.name_latin)}</li>"
                for m in family
            )
            title = _("Family group: others who name the same victim")
            parts.append(f"<h3>{html_text(title)}</h3><ul>{members}</ul>")
        self.summary = QTextBrowser()
        self.summary.setObjectName("recordSummary")
        self.summary.setHtml("".join(parts))
        buttons = QHBoxLayout()
        if self.detail.reference:
            for kind, text in (
                ("receipt", _("Print the receipt")),
                ("application", _("Print the application")),
            ):
                button = QPushButton(text)
                button.setObjectName(f"print_{kind}")
                button.clicked.connect(lambda _c=False, k=kind: self._print(k))
                buttons.addWidget(button)
            if sees_all_records(ctx):
                correct = QPushButton(_("Correct this record…"))
                correct.setObjectName("correctRecord")
                correct.clicked.connect(self._correct)
                buttons.addWidget(correct)
        else:
            resume = QPushButton(_("Continue the selected draft"))
            resume.setObjectName("continueDraft")
            resume.clicked.connect(self._continue)
            buttons.addWidget(resume)
        buttons.addStretch(1)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary, 1)
        layout.addLayout(buttons)

    def _print(self, kind: str) -> None:
        self.print_requested.emit(kind, self.detail.reference or "")
        self.accept()

    def _correct(self) -> None:
        self.correct_record.emit(self.detail.id)
        self.accept()

    def _continue(self) -> None:
        self.continue_draft.emit(self.detail.id)
        self.accept()
