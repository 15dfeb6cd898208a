"""One input widget per field type of a form definition (no per-form widget code).

Every editor has the same small interface: ``value()`` returns the stored value of its type (see
forms/README.md), ``set_value()`` shows one, ``changed`` fires on every edit and ``retranslate()``
relabels it. Labels and help come from the form's Khmer/English texts, not from gettext.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.approx_date import ApproxDate, ApproxDateError
from app.core.forms import Field, FieldType, SignatureMark
from app.core.khmer_text import romanize_khmer
from app.i18n import _, current_language
from app.services.places import PlaceOption, place_children

# Item data roles (Qt.UserRole and above) for what a list entry stands for.
ATTACHMENT_ROLE = 256
PLACE_OPTION_ROLE = 257


class FieldEditor(QWidget):
    changed = Signal()

    def __init__(self, item: Field) -> None:
        super().__init__()
        self.field = item
        self.setObjectName(f"field_{item.id}")

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def retranslate(self) -> None:
        """Re-label choices etc. after a language switch; most editors have nothing to do."""

    def _emit(self, *_args: object) -> None:
        self.changed.emit()


class TextEditor(FieldEditor):
    def __init__(self, item: Field) -> None:
        super().__init__(item)
        self.edit = QLineEdit()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.edit.textChanged.connect(self._emit)
        self.retranslate()

    def retranslate(self) -> None:
        if self.field.placeholder is not None:
            self.edit.setPlaceholderText(self.field.placeholder.get(current_language()))

    def value(self) -> Any:
        text = self.edit.text().strip()
        return text or None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))


class PhoneEditor(TextEditor):
    def __init__(self, item: Field) -> None:
        super().__init__(item)
        self.edit.setPlaceholderText("012 345 678")
        self.edit.setMaxLength(24)


class IntegerEditor(FieldEditor):
    def __init__(self, item: Field) -> None:
        super().__init__(item)
        self.spin = QSpinBox()
        self.spin.setRange(-1, 100000)
        self.spin.setSpecialValueText("—")
        self.spin.setValue(-1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin)
        layout.addStretch(1)
        self.spin.valueChanged.connect(self._emit)

    def value(self) -> Any:
        return None if self.spin.value() < 0 else self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(int(value) if isinstance(value, int) else -1)


class NarrativeEditor(FieldEditor):
    def __init__(self, item: Field) -> None:
        super().__init__(item)
        self.edit = QPlainTextEdit()
        self.edit.setMinimumHeight(140)
        self.edit.setTabChangesFocus(True)  # keyboard users move on with Tab
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.edit.textChanged.connect(self._emit)

    def value(self) -> Any:
        text = self.edit.toPlainText().strip()
        return text or None

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText("" if value is None else str(value))


class NameEditor(FieldEditor):
    """A name in Khmer script and in Latin letters; the Latin box suggests a transliteration."""

    def __init__(self, item: Field) -> None:
        super().__init__(item)
        self.khmer = QLineEdit()
        self.khmer.setObjectName("khmerName")
        self.latin = QLineEdit()
        self.latin.setObjectName("latinName")
        self.khmer_label = QLabel()
        self.latin_label = QLabel()
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.khmer_label, 0, 0)
        layout.addWidget(self.khmer, 0, 1)
        layout.addWidget(self.latin_label, 1, 0)
        layout.addWidget(self.latin, 1, 1)
        self.khmer.textChanged.connect(self._khmer_changed)
        self.latin.textChanged.connect(self._emit)
        self.retranslate()

    def _khmer_changed(self, text: str) -> None:
        self.latin.setPlaceholderText(romanize_khmer(text) if text else "")
        self.changed.emit()

    def retranslate(self) -> None:
        self.khmer_label.setText(_("In Khmer"))
        self.latin_label.setText(_("In Latin letters"))

    def value(self) -> Any:
        khmer = self.khmer.text().strip()
        latin = self.latin.text().strip()
        if not khmer and not latin:
            return None
        return {"km": khmer, "latin": latin}

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, Mapping) else {}
        self.khmer.setText(str(value.get("km") or ""))
        self.latin.setText(str(value.get("latin") or ""))


class ApproxDateEditor(FieldEditor):
    """A date as the applicant says it: "about 1952", "dry season 1977", "12/3/1977", "unknown".

    What was understood is shown below in both languages, so the officer can read it back; an
    unreadable entry is kept as typed and reported by validation, never silently changed.
    """

    def __init__(self, item: Field) -> None:
        super().__init__(item)
        self.edit = QLineEdit()
        self.understood = QLabel()
        self.understood.setObjectName("dateUnderstood")
        self.understood.setWordWrap(True)
        self.unknown = QPushButton()
        self.unknown.setObjectName("dateUnknown")
        self.unknown.clicked.connect(lambda: self.edit.setText(_("unknown")))
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.unknown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.understood)
        self._parsed: ApproxDate | None = None
        self._error: ApproxDateError | None = None
        self.edit.textChanged.connect(self._text_changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.edit.setPlaceholderText(_("e.g. about 1952, dry season 1977, 12/03/1977, unknown"))
        self.unknown.setText(_("Not known"))
        self._show_understood()

    def _text_changed(self, text: str) -> None:
        self._parsed, self._error = None, None
        if text.strip():
            try:
                self._parsed = ApproxDate.parse(text)
            except ApproxDateError as error:
                self._error = error
        self._show_understood()
        self.changed.emit()

    def _show_understood(self) -> None:
        if self._parsed is not None:
            self.understood.setText(
                "✓ " + self._parsed.display("km") + "  /  " + self._parsed.display("en")
            )
        elif self._error is not None:
            self.understood.setText(
                "✗ " + (self._error.km if current_language() == "km" else self._error.en)
            )
        else:
            self.understood.setText("")

    @property
    def parse_error(self) -> ApproxDateError | None:
        return self._error

    def value(self) -> Any:
        if self._parsed is not None:
            return self._parsed.to_dict()
        text = self.edit.text().strip()
        # Kept as typed so nothing the applicant said is lost; validation flags it.
        return text or None

    def set_value(self, value: Any) -> None:
        if isinstance(value, Mapping):
            try:
                self.edit.setText(ApproxDate.from_dict(dict(value)).display(current_language()))
                return
            except ApproxDateError:
                pass
        self.edit.setText("" if value is None else str(value))


class ChoiceEditor(FieldEditor):
    """Radio buttons (large, one tap) for short lists, a drop-down for long ones."""

    RADIO_LIMIT = 8

    def __init__(self, item: Field) -> None:
        super().__init__(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo: QComboBox | None = None
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        if len(item.choices) > self.RADIO_LIMIT:
            self.combo = QComboBox()
            layout.addWidget(self.combo)
            self.combo.currentIndexChanged.connect(self._emit)
        else:
            for choice in item.choices:
                button = QRadioButton()
                button.setObjectName(f"choice_{choice.code}")
                self.group.addButton(button)
                self.buttons[choice.code] = button
                layout.addWidget(button)
            self.group.buttonToggled.connect(self._emit)
        self.retranslate()

    def retranslate(self) -> None:
        lang = current_language()
        if self.combo is not None:
            current = self.combo.currentData()
            self.combo.blockSignals(True)
            self.combo.clear()
            self.combo.addItem("—", None)
            for choice in self.field.choices:
                self.combo.addItem(choice.label.get(lang), choice.code)
            self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
            self.combo.blockSignals(False)
        for choice in self.field.choices:
            if choice.code in self.buttons:
                text = choice.label.get(lang)
                if choice.help is not None:
                    text += "\n" + choice.help.get(lang)
                self.buttons[choice.code].setText(text)

    def value(self) -> Any:
        if self.combo is not None:
            return self.combo.currentData()
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
    def __init__(self, item: Field) -> None:
        super().__init__(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for choice in item.choices:
            box = QCheckBox()
            box.setObjectName(f"choice_{choice.code}")
            box.toggled.connect(self._emit)
            self.boxes[choice.code] = box
            layout.addWidget(box)
        self.retranslate()

    def retranslate(self) -> None:
        lang = current_language()
        for choice in self.field.choices:
            text = choice.label.get(lang)
            if choice.help is not None:
                text += " — " + choice.help.get(lang)
            self.boxes[choice.code].setText(text)

    def value(self) -> Any:
        chosen = [code for code, box in self.boxes.items() if box.isChecked()]
        return chosen or None

    def set_value(self, value: Any) -> None:
        chosen = set(value) if isinstance(value, list) else set()
        for code, box in self.boxes.items():
            box.setChecked(code in chosen)


class YesNoEditor(FieldEditor):
    def __init__(self, item: Field) -> None:
        super().__init__(item)
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
    def __init__(self, item: Field) -> None:
        super().__init__(item)
        self.box = QCheckBox()
        self.box.setObjectName("consent")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        self.box.toggled.connect(self._emit)
        self.retranslate()

    def retranslate(self) -> None:
        self.box.setText(_("Yes, the applicant agrees"))

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

    def __init__(self, item: Field) -> None:
        super().__init__(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for mark in SignatureMark:
            button = QRadioButton()
            button.setObjectName(f"mark_{mark.value}")
            self.group.addButton(button)
            self.buttons[mark.value] = button
            layout.addWidget(button)
        self.group.buttonToggled.connect(self._emit)
        self.retranslate()

    def retranslate(self) -> None:
        for mark, text in signature_mark_labels().items():
            self.buttons[mark].setText(text)

    def value(self) -> Any:
        return next((code for code, b in self.buttons.items() if b.isChecked()), None)

    def set_value(self, value: Any) -> None:
        self.group.setExclusive(False)
        for code, button in self.buttons.items():
            button.setChecked(code == value)
        self.group.setExclusive(True)


class PlaceEditor(FieldEditor):
    """Province → district → commune → village from the bundled gazetteer, with free text for a
    commune or village that is not listed (many villages were renamed or have moved)."""

    LEVELS = ("province", "district", "commune", "village")

    def __init__(self, item: Field) -> None:
        super().__init__(item)
        self.combos: dict[str, QComboBox] = {}
        self.labels: dict[str, QLabel] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for row, level in enumerate(self.LEVELS):
            combo = QComboBox()
            combo.setObjectName(f"place_{level}")
            combo.setEditable(False)
            label = QLabel()
            self.combos[level] = combo
            self.labels[level] = label
            layout.addWidget(label, row, 0)
            layout.addWidget(combo, row, 1)
            combo.currentIndexChanged.connect(lambda _i, lv=level: self._level_changed(lv))
        self.commune_text = QLineEdit()
        self.commune_text.setObjectName("place_commune_text")
        self.village_text = QLineEdit()
        self.village_text.setObjectName("place_village_text")
        self.free_label = QLabel()
        free = QHBoxLayout()
        free.addWidget(self.commune_text)
        free.addWidget(self.village_text)
        layout.addWidget(self.free_label, len(self.LEVELS), 0)
        layout.addLayout(free, len(self.LEVELS), 1)
        self.commune_text.textChanged.connect(self._emit)
        self.village_text.textChanged.connect(self._emit)
        self._loading = False
        self._fill("province", None)
        self.retranslate()

    def retranslate(self) -> None:
        self.labels["province"].setText(_("Province"))
        self.labels["district"].setText(_("District"))
        self.labels["commune"].setText(_("Commune"))
        self.labels["village"].setText(_("Village"))
        self.free_label.setText(_("Not in the list"))
        self.commune_text.setPlaceholderText(_("Commune, if not listed"))
        self.village_text.setPlaceholderText(_("Village, if not listed"))
        lang = current_language()
        for combo in self.combos.values():
            for index in range(1, combo.count()):
                option = combo.itemData(index, PLACE_OPTION_ROLE)
                if isinstance(option, PlaceOption):
                    combo.setItemText(index, option.name(lang))

    def _fill(self, level: str, parent: str | None) -> None:
        combo = self.combos[level]
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("—", None)
        options = place_children(parent, level) if (parent or level == "province") else []
        lang = current_language()
        for option in options:
            combo.addItem(option.name(lang), option.code)
            combo.setItemData(combo.count() - 1, option, PLACE_OPTION_ROLE)
        combo.setEnabled(bool(options))
        combo.blockSignals(False)

    def _level_changed(self, level: str) -> None:
        index = self.LEVELS.index(level)
        if index + 1 < len(self.LEVELS):
            self._fill(self.LEVELS[index + 1], self.combos[level].currentData())
            for lower in self.LEVELS[index + 2 :]:
                self._fill(lower, None)
        if not self._loading:
            self.changed.emit()

    def value(self) -> Any:
        value: dict[str, Any] = {level: self.combos[level].currentData() for level in self.LEVELS}
        if self.commune_text.text().strip():
            value["commune_text"] = self.commune_text.text().strip()
        if self.village_text.text().strip():
            value["village_text"] = self.village_text.text().strip()
        if not any(value.values()):
            return None
        return {key: item for key, item in value.items() if item is not None}

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, Mapping) else {}
        self._loading = True
        try:
            for level in self.LEVELS:
                combo = self.combos[level]
                combo.setCurrentIndex(max(0, combo.findData(value.get(level))))
            self.commune_text.setText(str(value.get("commune_text") or ""))
            self.village_text.setText(str(value.get("village_text") or ""))
        finally:
            self._loading = False


class AttachmentEditor(FieldEditor):
    """Scans or photos of documents. Files are read into the encrypted store by the wizard (the
    value keeps only their ids and names), so no copy of an ID card is left lying on disk."""

    def __init__(
        self, item: Field, add_file: Callable[[str], dict[str, str]] | None = None
    ) -> None:
        super().__init__(item)
        self.add_file = add_file
        self.files = QListWidget()
        self.files.setMaximumHeight(110)
        self.add_button = QPushButton()
        self.add_button.setObjectName("addAttachment")
        self.remove_button = QPushButton()
        self.add_button.clicked.connect(self._choose)
        self.remove_button.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.files)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add a scan or photo…"))
        self.remove_button.setText(_("Remove"))

    def _choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Add a scan or photo"), "", _("Images and PDF (*.png *.jpg *.jpeg *.pdf)")
        )
        if path:
            self.attach(path)

    def attach(self, path: str) -> None:
        reference = self.add_file(path) if self.add_file else {"name": path}
        item = QListWidgetItem(reference.get("name", path))
        item.setData(ATTACHMENT_ROLE, dict(reference))
        self.files.addItem(item)
        self.changed.emit()

    def _remove(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self.changed.emit()

    def value(self) -> Any:
        items = [self.files.item(i).data(ATTACHMENT_ROLE) for i in range(self.files.count())]
        return items or None

    def set_value(self, value: Any) -> None:
        self.files.clear()
        for reference in value if isinstance(value, list) else []:
            data = reference if isinstance(reference, Mapping) else {"name": str(reference)}
            item = QListWidgetItem(str(data.get("name", "")))
            item.setData(ATTACHMENT_ROLE, dict(data))
            self.files.addItem(item)


EDITORS: dict[FieldType, type[FieldEditor]] = {
    FieldType.TEXT: TextEditor,
    FieldType.NAME: NameEditor,
    FieldType.APPROX_DATE: ApproxDateEditor,
    FieldType.CHOICE: ChoiceEditor,
    FieldType.MULTI_CHOICE: MultiChoiceEditor,
    FieldType.YES_NO: YesNoEditor,
    FieldType.NARRATIVE: NarrativeEditor,
    FieldType.PLACE: PlaceEditor,
    FieldType.PHONE: PhoneEditor,
    FieldType.INTEGER: IntegerEditor,
    FieldType.ATTACHMENT: AttachmentEditor,
    FieldType.SIGNATURE_MARK: SignatureMarkEditor,
    FieldType.CONSENT: ConsentEditor,
}


def make_editor(
    item: Field, add_file: Callable[[str], dict[str, str]] | None = None
) -> FieldEditor:
    if item.type is FieldType.ATTACHMENT:
        return AttachmentEditor(item, add_file)
    return EDITORS[item.type](item)
