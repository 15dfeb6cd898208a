"""The field editor interface, and the editors for text, numbers, names and dates.

``app.ui.wizard.editors`` maps each field type to its editor (no per-form widget code); choices,
places and attachments have modules of their own.

Every editor has the same small interface: ``value()`` returns the stored value of its type (see
forms/README.md), ``set_value()`` shows one, ``changed`` fires on every edit and ``retranslate()``
relabels it. Labels and help come from the form's Khmer/English texts, not from gettext.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.approx_date import ApproxDate, ApproxDateError
from app.core.forms import Field, Text
from app.core.forms.field_types import check_value, type_of
from app.core.khmer_romanisation import romanize_khmer
from app.core.text_limits import unprintable_characters, without_unprintable
from app.i18n import current_language
from app.services.remembered import same_as_listed
from app.ui.text import DigitsSpinBox, _, display, plain

# Item data roles (Qt.UserRole and above) for what a list entry stands for.
ATTACHMENT_ROLE = 256
PLACE_OPTION_ROLE = 257


class FieldEditor(QWidget):
    changed = Signal()
    refused = Signal(str)  # characters left out at entry: the printed form cannot show them

    def _say_refused(self, characters: str) -> None:
        # After the edit's own change signals, so the answer's fresh check does not hide it.
        QTimer.singleShot(0, lambda: self.refused.emit(characters))

    def guard_line(self, edit: QLineEdit) -> None:
        """Limit a one-line box to what the printed form holds: its length, and characters the
        font has (an emoji typed or pasted is left out, and ``refused`` says which)."""
        limit = type_of(self.field).max_characters
        if limit is not None:
            edit.setMaxLength(limit)

        def check(text: str) -> None:
            refused = unprintable_characters(text)
            if refused:
                position = edit.cursorPosition()
                kept = without_unprintable(text)
                edit.setText(kept)
                edit.setCursorPosition(max(0, position - (len(text) - len(kept))))
                self._say_refused(refused)

        edit.textEdited.connect(check)

    def guard_plain(self, edit: QPlainTextEdit) -> None:
        """The same for a long answer (line breaks allowed; its length is checked as an error,
        since cutting off what an applicant said is never done silently)."""

        def check() -> None:
            text = edit.toPlainText()
            refused = unprintable_characters(text, multiline=True)
            if refused:
                cursor = edit.textCursor()
                position = cursor.position()
                kept = without_unprintable(text, multiline=True)
                edit.setPlainText(kept)
                cursor = edit.textCursor()
                cursor.setPosition(max(0, min(len(kept), position - (len(text) - len(kept)))))
                edit.setTextCursor(cursor)
                self._say_refused(refused)

        edit.textChanged.connect(check)

    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        # ``parent``: the editor's row, made first (see SectionPage.add_row).
        super().__init__(parent)
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
    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.edit = QLineEdit()
        self.guard_line(self.edit)
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
    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.edit.setPlaceholderText("012 345 678")


class IntegerEditor(FieldEditor):
    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.spin = DigitsSpinBox()  # Khmer digits when the setting is on
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
    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.edit = QPlainTextEdit()
        self.edit.setMinimumHeight(140)
        self.edit.setTabChangesFocus(True)  # keyboard users move on with Tab
        self.guard_plain(self.edit)
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

    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.khmer = QLineEdit()
        self.khmer.setObjectName("khmerName")
        self.latin = QLineEdit()
        self.latin.setObjectName("latinName")
        self.guard_line(self.khmer)
        self.guard_line(self.latin)
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

    def __init__(self, item: Field, parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.edit = QLineEdit()
        self.understood = QLabel()
        self.understood.setObjectName("dateUnderstood")
        self.understood.setWordWrap(True)
        self.unknown = QPushButton()
        self.unknown.setObjectName("dateUnknown")
        self.unknown.clicked.connect(lambda: self.edit.setText(plain(_("unknown"))))
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
                display("✓ " + self._parsed.display("km") + "  /  " + self._parsed.display("en"))
            )
        elif self._error is not None:
            # The form's own check words it best (a birth year in the future is named as such).
            issues = check_value(self.field, self.edit.text().strip())
            message = issues[0].message if issues else Text(self._error.km, self._error.en)
            self.understood.setText(display("✗ " + message.get(current_language())))
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


class RememberedEditor(FieldEditor):
    """A short answer chosen from the list kept on this laptop (organisations, forums), or a new
    one typed in: the list shows while typing, and a typed name that matches a listed one but
    for case or spacing is stored in the listed spelling."""

    def __init__(self, item: Field, listed: list[str], parent: QWidget | None = None) -> None:
        super().__init__(item, parent)
        self.listed = listed
        self.combo = QComboBox()
        self.combo.setObjectName("rememberedChoice")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(listed)
        self.combo.setCurrentIndex(-1)
        completer = self.combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(completer.CompletionMode.PopupCompletion)
        line = self.combo.lineEdit()
        assert line is not None
        self.edit = line
        self.guard_line(line)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        line.textChanged.connect(self._emit)
        self.retranslate()

    def retranslate(self) -> None:
        self.edit.setPlaceholderText(
            _("Choose from the list, or type a new one")
            if self.listed
            else _("Type it; it is kept in a list for next time")
        )

    def value(self) -> Any:
        text = self.edit.text().strip()
        return same_as_listed(text, self.listed) if text else None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))
