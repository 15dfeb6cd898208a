"""The place editor: province, district, commune and village from the bundled gazetteer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.core.forms import Field
from app.i18n import current_language
from app.services.places import PlaceOption, place_children
from app.ui.combo import NO_DATA, combo_data
from app.ui.text import _
from app.ui.wizard.field_widgets import PLACE_OPTION_ROLE, FieldEditor


class PlaceEditor(FieldEditor):
    """Province → district → commune → village from the bundled gazetteer, with free text for a
    commune or village that is not listed (many villages were renamed or have moved)."""

    LEVELS = ("province", "district", "commune", "village")

    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
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
        self.guard_line(self.commune_text)
        self.guard_line(self.village_text)
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
        combo.addItem("—", NO_DATA)
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
            self._fill(self.LEVELS[index + 1], combo_data(self.combos[level]))
            for lower in self.LEVELS[index + 2 :]:
                self._fill(lower, None)
        if not self._loading:
            self.changed.emit()

    def value(self) -> Any:
        value: dict[str, Any] = {level: combo_data(self.combos[level]) for level in self.LEVELS}
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
