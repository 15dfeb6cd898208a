"""One section of the wizard as a page: each field's label (Khmer large, the other language
beside), help, editor and issue, in a scroll area that wraps to the window's width."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from app.core.forms import Field, Section
from app.core.forms.validation import FieldIssue, Severity
from app.i18n import current_language
from app.ui.scroll_bar_pictures import KeptScrollBar
from app.ui.text import MeasuredLabel, _, display, html_text
from app.ui.wizard.field_widgets import FieldEditor


class FieldRow(QWidget):
    """A field's label (Khmer large, English beside in the other language), help, editor, issue."""

    def __init__(
        self,
        item: Field,
        make_editor: Callable[[QWidget], FieldEditor],
        parent: QWidget | None = None,
    ) -> None:
        """``make_editor(row)`` makes the field's editor in the row (see SectionPage.add_row),
        after the label and help, so that Tab goes through them in that order."""
        super().__init__(parent)
        self.field = item
        self.label = MeasuredLabel()
        self.label.setObjectName("fieldLabel")
        self.label.setWordWrap(True)
        self.help = MeasuredLabel()
        self.help.setObjectName("fieldHelp")
        self.help.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.addWidget(self.label)
        layout.addWidget(self.help)
        self.editor = editor = make_editor(self)
        self.label.setBuddy(editor)
        layout.addWidget(editor)
        self.issue = MeasuredLabel()
        self.issue.setObjectName("fieldIssue")
        self.issue.setWordWrap(True)
        self.issue.hide()
        layout.addWidget(self.issue)
        self.required = False
        editor.refused.connect(self.show_refused)

    def show_refused(self, characters: str) -> None:
        """Said at once when an emoji or other sign the printed form cannot show was typed."""
        self.issue.setText(
            "✗ "
            + _("Left out: the printed form cannot show {characters}").format(
                characters=" ".join(characters)
            )
        )
        self.issue.setStyleSheet("color: #b00020;")
        self.issue.show()

    def showing_issue(self) -> bool:
        return not self.issue.isHidden()

    def retranslate(self) -> None:
        lang = current_language()
        other = "en" if lang == "km" else "km"
        marker = " *" if self.required else ""
        self.label.setText(
            f"<b>{html_text(self.field.label.get(lang))}</b>{marker}"
            f"<br><span style='color:#555'>{html_text(self.field.label.get(other))}</span>"
        )
        self.help.setText(display(self.field.help.get(lang)) if self.field.help else "")
        self.help.setVisible(self.field.help is not None)
        self.editor.retranslate()

    def show_issues(self, issues: list[FieldIssue]) -> None:
        if not issues:
            self.issue.hide()
            self.issue.setText("")
            return
        lang = current_language()
        worst = Severity.ERROR if any(i.severity == Severity.ERROR for i in issues) else None
        self.issue.setProperty("severity", "error" if worst else "warning")
        self.issue.setText(
            "\n".join(
                ("⚠ " if i.severity != Severity.ERROR else "✗ ") + display(i.message.get(lang))
                for i in issues
            )
        )
        self.issue.setStyleSheet("color: #b00020;" if worst else "color: #8a5a00;")
        self.issue.show()


class SectionPage(QScrollArea):
    """A section's title and help, then its rows (``add_row``, once the page is in its wizard:
    under the app's style sheet, giving a widget a new parent walks every widget below it, so a
    page filled first and placed after cost a walk of its ~100 widgets per level)."""

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.rows: list[FieldRow] = []
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Everything in a section wraps to the window's width: never a sideways scroll bar.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Drawn from a picture kept per look: a page is shown again at the same place.
        self.setVerticalScrollBar(KeptScrollBar(Qt.Orientation.Vertical))
        inner = QWidget()
        self._layout = QVBoxLayout(inner)
        self.title = MeasuredLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.help = MeasuredLabel()
        self.help.setWordWrap(True)
        self.help.setObjectName("sectionHelp")
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.help)
        self.setWidget(inner)

    def add_row(self, item: Field, make_editor: Callable[[QWidget], FieldEditor]) -> FieldRow:
        """The next field's row, made in place with its editor (see the class)."""
        row = FieldRow(item, make_editor, self.widget())
        self._layout.addWidget(row)
        self.rows.append(row)
        return row

    def end_rows(self) -> None:
        """After the last row: the rows keep their heights, the space below them stays empty."""
        self._layout.addStretch(1)

    def retranslate(self) -> None:
        lang = current_language()
        other = "en" if lang == "km" else "km"
        self.title.setText(
            f"<span style='font-size:17pt;font-weight:bold'>{html_text(self.section.title.get(lang))}</span>"
            f"<br><span style='color:#555'>{html_text(self.section.title.get(other))}</span>"
        )
        self.help.setText(display(self.section.help.get(lang)) if self.section.help else "")
        self.help.setVisible(self.section.help is not None)
        for row in self.rows:
            row.retranslate()
