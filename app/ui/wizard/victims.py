"""Suggestions of direct victims already named by other applicants, under the victim's name."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.i18n import birth_year_text, format_number
from app.services.context import AppContext
from app.services.people import PersonSuggestion, suggest_direct_victims
from app.ui.text import _
from app.ui.wizard.field_widgets import NameEditor

PERSON_ROLE = 256
MIN_CHARACTERS = 2


class VictimSuggestions(QWidget):
    chosen = Signal(str)  # person id

    def __init__(self, ctx: AppContext, editor: NameEditor) -> None:
        super().__init__()
        self.ctx = ctx
        self.editor = editor
        self.applying = False
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("victimSuggestions")
        self.list.setMaximumHeight(120)
        self.list.itemActivated.connect(self._choose)
        self.list.itemClicked.connect(self._choose)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.list)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(300)
        self.timer.timeout.connect(self.refresh)
        self.setVisible(False)

    def schedule(self) -> None:
        self.timer.start()

    def refresh(self) -> list[PersonSuggestion]:
        text = self.editor.khmer.text().strip() or self.editor.latin.text().strip()
        found = suggest_direct_victims(self.ctx, text) if len(text) >= MIN_CHARACTERS else []
        self.list.clear()
        for person in found:
            born = birth_year_text(person.birth_year_min)
            line = f"{person.name_km} / {person.name_latin} — {born} — " + _(
                "named by {count} applicants"
            ).format(count=format_number(person.applicants))
            item = QListWidgetItem(line)
            item.setData(PERSON_ROLE, person)
            self.list.addItem(item)
        self.caption.setText(
            _("Already named by other applicants — choose if this is the same person:")
        )
        self.setVisible(bool(found))
        return found

    def _choose(self, item: QListWidgetItem) -> None:
        person = item.data(PERSON_ROLE)
        if not isinstance(person, PersonSuggestion):
            return
        self.applying = True
        try:
            self.editor.set_value({"km": person.name_km, "latin": person.name_latin})
        finally:
            self.applying = False
        self.setVisible(False)
        self.chosen.emit(person.id)
