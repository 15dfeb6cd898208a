"""Editors for answers picked from a list: choice, several choices, yes/no, consent and how the
applicant marks the printed declaration."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.forms import Field, SignatureMark, Text
from app.i18n import current_language
from app.ui.combo import NO_DATA, combo_data
from app.ui.text import LabelledButton, _
from app.ui.wizard.field_widgets import FieldEditor


class ChoiceEditor(FieldEditor):
    """Radio buttons (large, one tap) for short lists, a drop-down for long ones."""

    RADIO_LIMIT = 8

    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo: QComboBox | None = None
        # Per choice code, a short note shown after its label (e.g. "closed" for a court case).
        self.choice_notes: dict[str, Text] = {}
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        self.rows: dict[str, LabelledButton] = {}
        if len(item.choices) > self.RADIO_LIMIT:
            self.combo = QComboBox()
            # A long label (a reparation project's, in Khmer) must not make the drop-down, and so
            # the page, wider than a 1024-pixel screen: the closed box shows the start of it, the
            # open list shows it whole.
            self.combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            self.combo.setMinimumContentsLength(24)
            layout.addWidget(self.combo)
            self.combo.currentIndexChanged.connect(self._emit)
        else:
            for choice in item.choices:
                button = QRadioButton()
                button.setObjectName(f"choice_{choice.code}")
                self.group.addButton(button)
                self.buttons[choice.code] = button
                self.rows[choice.code] = LabelledButton(button)
                layout.addWidget(self.rows[choice.code])
            self.group.buttonToggled.connect(self._emit)
        self.retranslate()

    def retranslate(self) -> None:
        lang = current_language()
        if self.combo is not None:
            current = combo_data(self.combo)
            self.combo.blockSignals(True)
            self.combo.clear()
            self.combo.addItem("—", NO_DATA)
            for choice in self.field.choices:
                self.combo.addItem(self._label(choice.code, choice.label.get(lang)), choice.code)
            self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
            self.combo.blockSignals(False)
        for choice in self.field.choices:
            if choice.code in self.rows:
                text = self._label(choice.code, choice.label.get(lang))
                if choice.help is not None:
                    text += "\n" + choice.help.get(lang)
                self.rows[choice.code].setText(text)

    def _label(self, code: str, label: str) -> str:
        note = self.choice_notes.get(code)
        return f"{label} — {note.get(current_language())}" if note else label

    def set_choice_notes(self, notes: dict[str, Text]) -> None:
        self.choice_notes = dict(notes)
        self.retranslate()

    def value(self) -> Any:
        if self.combo is not None:
            return combo_data(self.combo)
        return next((code for code, b in self.buttons.items() if b.isChecked()), None)

    def set_value(self, value: Any) -> None:
        if self.combo is not None:
            self.combo.setCurrentIndex(max(0, self.combo.findData(value)))
            return
        self.group.setExclusive(False)
        for code, button in self.buttons.items():
            button.setChecked(code == value)
        self.group.setExclusive(True)


class MultiChoiceEditor(FieldEditor):
    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        self.rows: dict[str, LabelledButton] = {}
        for choice in item.choices:
            box = QCheckBox()
            box.setObjectName(f"choice_{choice.code}")
            box.toggled.connect(self._emit)
            self.boxes[choice.code] = box
            self.rows[choice.code] = LabelledButton(box)
            layout.addWidget(self.rows[choice.code])
        self.retranslate()

    def retranslate(self) -> None:
        lang = current_language()
        for choice in self.field.choices:
            text = choice.label.get(lang)
            if choice.help is not None:
                text += " — " + choice.help.get(lang)
            self.rows[choice.code].setText(text)

    def value(self) -> Any:
        chosen = [code for code, box in self.boxes.items() if box.isChecked()]
        return chosen or None

    def set_value(self, value: Any) -> None:
        chosen = set(value) if isinstance(value, list) else set()
        for code, box in self.boxes.items():
            box.setChecked(code in chosen)


class YesNoEditor(FieldEditor):
    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.yes = QRadioButton()
        self.yes.setObjectName("yes")
        self.no = QRadioButton()
        self.no.setObjectName("no")
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes)
        self.group.addButton(self.no)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.yes)
        layout.addWidget(self.no)
        layout.addStretch(1)
        self.group.buttonToggled.connect(self._emit)
        self.retranslate()

    def retranslate(self) -> None:
        self.yes.setText(_("Yes"))
        self.no.setText(_("No"))

    def value(self) -> Any:
        if self.yes.isChecked():
            return True
        if self.no.isChecked():
            return False
        return None

    def set_value(self, value: Any) -> None:
        self.group.setExclusive(False)
        self.yes.setChecked(value is True)
        self.no.setChecked(value is False)
        self.group.setExclusive(True)


class ConsentEditor(FieldEditor):
    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.box = QCheckBox()
        self.box.setObjectName("consent")
        self.row = LabelledButton(self.box)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.row)
        self.box.toggled.connect(self._emit)
        self.retranslate()

    def retranslate(self) -> None:
        self.row.setText(_("Yes, the applicant agrees"))

    def value(self) -> Any:
        return True if self.box.isChecked() else None

    def set_value(self, value: Any) -> None:
        self.box.setChecked(value is True)


def signature_mark_labels() -> dict[str, str]:
    """How the applicant marks the printed declaration, in the current language."""
    return {
        SignatureMark.SIGNATURE.value: _("Signs the printed declaration"),
        SignatureMark.THUMBPRINT.value: _("Puts a thumbprint on the printed declaration"),
        SignatureMark.TO_BE_TAKEN.value: _("Will sign or put a thumbprint later"),
    }


class SignatureMarkEditor(FieldEditor):
    """How the applicant will mark the printed declaration; the mark itself is taken on paper."""

    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        self.rows: dict[str, LabelledButton] = {}
        for mark in SignatureMark:
            button = QRadioButton()
            button.setObjectName(f"mark_{mark.value}")
            self.group.addButton(button)
            self.buttons[mark.value] = button
            self.rows[mark.value] = LabelledButton(button)
            layout.addWidget(self.rows[mark.value])
        self.group.buttonToggled.connect(self._emit)
        self.retranslate()

    def retranslate(self) -> None:
        for mark, text in signature_mark_labels().items():
            self.rows[mark].setText(text)

    def value(self) -> Any:
        return next((code for code, b in self.buttons.items() if b.isChecked()), None)

    def set_value(self, value: Any) -> None:
        self.group.setExclusive(False)
        for code, button in self.buttons.items():
            button.setChecked(code == value)
        self.group.setExclusive(True)
