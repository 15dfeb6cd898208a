"""The wizard's last page: everything answered, what is still missing, the jurisdiction notes and
possible duplicates, then "Finalise". The officer reads this back to the applicant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.forms import Field, FormDefinition, Text
from app.core.forms.field_types import answer_words
from app.core.forms.validation import FieldIssue, Severity, visible_fields, visible_sections
from app.core.jurisdiction import ScreeningNote
from app.i18n import birth_year_text, citation, current_language
from app.services.duplicates import DuplicateCandidate
from app.services.places import describe_place
from app.ui.cell_text import CachedTextDelegate, Cell
from app.ui.scroll_bar_pictures import KeptScrollBar
from app.ui.text import MeasuredLabel, WrapLabel, _, display, html_text

FIELD_ID_ROLE = 256


def _place_words(place: Mapping[str, Any]) -> Text:
    return Text(describe_place(place, "km"), describe_place(place, "en"))


def display_value(item: Field, value: Any, lang: str) -> str:
    """An answer as words in ``lang`` (choice labels, dates as said, places by name): the words
    of its field type (app.core.forms.field_types)."""
    if value is None or value == "" or value == []:
        return "—"
    words = answer_words(item, value, _place_words)
    shown = "; ".join(word if isinstance(word, str) else word.get(lang) for word in words)
    return shown.replace("\u200b", "") or "—"


def answers_html(form: FormDefinition, answers: dict[str, Any], lang: str) -> str:
    """Every answered, visible field by section, as the officer reads it back (HTML)."""
    parts: list[str] = []
    for section in visible_sections(form, answers):
        rows = [
            f"<tr><td style='padding-right:12px;color:#444'>{html_text(f.label.get(lang))}</td>"
            f"<td><b>{html_text(display_value(f, answers.get(f.id), lang))}</b></td></tr>"
            for f in visible_fields(section, answers)
            if answers.get(f.id) is not None
        ]
        if rows:
            parts.append(
                f"<h3>{html_text(section.title.get(lang))}</h3><table>{''.join(rows)}</table>"
            )
    return "".join(parts)


class ReviewPage(QWidget):
    """Everything to check scrolls in one area; the Finalise button stays below it, always in
    sight (on a 600-pixel screen too), and nothing scrolls inside the scrolling area."""

    finalize_requested = Signal()
    go_to_field = Signal(str)
    not_duplicate = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.body = QScrollArea()
        self.body.setObjectName("reviewBody")
        self.body.setWidgetResizable(True)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setVerticalScrollBar(KeptScrollBar(Qt.Orientation.Vertical))  # as a page's
        self.body.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.problems_title = QLabel()
        self.problems = QListWidget()
        self.problems.setObjectName("reviewProblems")
        # As tall as its items, wrapped to the width: the page scrolls, the list does not.
        self.problems.setWordWrap(True)
        self.problems.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.problems.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.problems.setResizeMode(QListWidget.ResizeMode.Adjust)
        # Each problem's (Khmer) text laid out once and drawn from a picture at every paint,
        # with Qt's pixels (app.ui.cell_text): Qt's delegate shaped every item again each time
        # the page was come back to. Hover, focus and selection are still painted by Qt.
        self._problem_texts: list[str] = []
        self.problems.setItemDelegate(CachedTextDelegate(self.problems, self._problem_cell))
        self.problems.itemActivated.connect(self._problem_chosen)
        self.problems.itemClicked.connect(self._problem_chosen)
        self.screening_title = QLabel()
        # The jurisdiction notes and the answers are rich text: kept labels keep their shaped
        # glyphs between paints (app.ui.text.MeasuredLabel) instead of shaping them again.
        self.screening = MeasuredLabel()
        self.screening.setObjectName("reviewScreening")
        self.screening.setWordWrap(True)
        self.duplicates_title = QLabel()
        self.duplicates_box = QVBoxLayout()
        self.summary = MeasuredLabel()
        self.summary.setObjectName("reviewSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.finalize_button = QPushButton()
        self.finalize_button.setObjectName("finalizeButton")
        self.finalize_button.clicked.connect(self.finalize_requested.emit)
        for widget in (
            self.title,
            self.problems_title,
            self.problems,
            self.screening_title,
            self.screening,
            self.duplicates_title,
        ):
            layout.addWidget(widget)
        layout.addLayout(self.duplicates_box)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.body.setWidget(inner)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.finalize_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.body, 1)
        outer.addLayout(row)
        self._duplicate_rows: list[QWidget] = []
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Review before finalising"))
        self.problems_title.setText(_("Still to complete (click to go there):"))
        self.screening_title.setText(_("The court's jurisdiction — read this to the applicant:"))
        self.duplicates_title.setText(_("This person may already be registered:"))
        self.finalize_button.setText(_("Finalise and give the reference number"))

    def show_review(
        self,
        form: FormDefinition,
        answers: dict[str, Any],
        issues: Sequence[FieldIssue],
        notes: Sequence[ScreeningNote],
        deadline_warnings: Sequence[str],
        duplicates: Sequence[DuplicateCandidate],
    ) -> None:
        lang = current_language()
        self.problems.clear()
        self._problem_texts = []
        errors = [i for i in issues if i.severity == Severity.ERROR]
        for issue in issues:
            label = (
                form.field(issue.field_id).label.get(lang) if form.has_field(issue.field_id) else ""
            )
            mark = "✗" if issue.severity == Severity.ERROR else "⚠"
            item = QListWidgetItem(
                display(f"{mark} {label}: {issue.message.get(lang)}".replace(" : ", ": "))
            )
            item.setData(FIELD_ID_ROLE, issue.field_id)
            self.problems.addItem(item)
            self._problem_texts.append(item.text())
        self.problems_title.setVisible(bool(issues))
        self.problems.setVisible(bool(issues))
        self._fit_problems()
        self.finalize_button.setEnabled(not errors)

        lines = [f"<b>⚠ {html_text(w)}</b>" for w in deadline_warnings]
        text = "<br>".join(
            lines
            + [
                ("⚠ " if n.severity == "warning" else "ℹ ")
                + html_text(n.message_km if lang == "km" else n.message_en)
                + (f" <i>({html_text(citation(n.source))})</i>" if n.source else "")
                for n in notes
            ]
        )
        self.screening.setText(text)
        shown = bool(notes or deadline_warnings)
        self.screening_title.setVisible(shown)
        self.screening.setVisible(shown)

        for widget in self._duplicate_rows:
            widget.deleteLater()
        self._duplicate_rows = []
        for candidate in duplicates:
            row = QWidget()
            row_layout = QHBoxLayout(row)
            if candidate.hidden:  # another officer's applicant: no details for this role
                notice = QLabel(candidate.reason)
                notice.setWordWrap(True)
                row_layout.addWidget(notice)
                self.duplicates_box.addWidget(row)
                self._duplicate_rows.append(row)
                continue
            years = birth_year_text(candidate.birth_year_min)
            row_layout.addWidget(
                WrapLabel(
                    f"{candidate.name_km} / {candidate.name_latin} — {candidate.reference or _('draft')}"
                    f" — {years} — {candidate.reason}"
                ),
                1,
            )
            button = QPushButton(_("Not the same person"))
            button.setObjectName("notDuplicateButton")
            button.clicked.connect(
                lambda _c=False, other=candidate.id: self.not_duplicate.emit(other)
            )
            row_layout.addWidget(button)
            self.duplicates_box.addWidget(row)
            self._duplicate_rows.append(row)
        self.duplicates_title.setVisible(bool(duplicates))

        self.summary.setText(answers_html(form, answers, lang))

    def _problem_cell(self, row: int, _column: int) -> Cell:
        """A problem's text as its item shows it (the list has one column, no icons)."""
        texts = self._problem_texts
        return (texts[row], None) if 0 <= row < len(texts) else None

    def _fit_problems(self) -> None:
        """The list's height is that of all its (wrapped) items."""
        rows = sum(self.problems.sizeHintForRow(i) for i in range(self.problems.count()))
        self.problems.setFixedHeight(rows + 2 * self.problems.frameWidth() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_problems()

    def _problem_chosen(self, item: QListWidgetItem) -> None:
        field_id = item.data(FIELD_ID_ROLE)
        if field_id:
            self.go_to_field.emit(str(field_id))
