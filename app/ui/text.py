"""Text on screen: translations, form texts and typed data prepared so that Khmer wraps between words.

Qt breaks lines only at spaces and U+200B, and Khmer has no spaces between words, so every Khmer
string shown in a widget goes through `display` (the break rules of `app.core.line_breaks`, the
same as in print). UI code translates with this module's `_` and `ngettext`, which do that for
translated strings; form texts and data (names, narratives, help) go through `display` where they
are shown. Nothing prepared here is ever stored: read values from editors, never from labels.

Qt's checkboxes and radio buttons never wrap their text: `LabelledButton` puts a wrapping label
beside the indicator instead.
"""

from __future__ import annotations

import functools
import html
import types
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from app.core.khmer_text import from_khmer_digits, is_khmer
from app.core.line_breaks import display_text, strip_display_marks
from app.i18n import _ as _translate
from app.i18n import localize_digits
from app.i18n import ngettext as _ngettext

if TYPE_CHECKING:  # PySide6 builds a class's enums when it is first named (QEvent's: ~10 ms)
    from PySide6.QtCore import QDateTime, QSize
    from PySide6.QtGui import QMouseEvent, QPaintEvent, QValidator

    from app.ui.kept_layout import KeptLayout


def display(text: str) -> str:
    """``text`` ready for a wrapping widget (U+200B between Khmer words). For display only."""
    return display_text(text) if is_khmer(text) else text


def _(message: str) -> str:
    """The translation of ``message`` in the current language, ready for display."""
    return display(_translate(message))


def ngettext(singular: str, plural: str, count: int) -> str:
    return display(_ngettext(singular, plural, count))


def plain(text: str) -> str:
    """The logical text of something prepared for display (to copy it into an editor)."""
    return strip_display_marks(text)


def html_text(text: str) -> str:
    """``text`` shown as typed inside rich-text widgets (<, > and & escaped; quotes kept), with
    Khmer break opportunities."""
    return html.escape(display(text), quote=False)


@functools.cache
def _kept_layout() -> types.ModuleType:
    """app.ui.kept_layout, imported at the first kept paint, not before the first window (an
    import statement in a method costs ~10 us at every call: PySide6 wraps __import__)."""
    import app.ui.kept_layout

    return app.ui.kept_layout


@functools.cache
def _selectable() -> QtCore.Qt.TextInteractionFlag:
    """The interaction flags that make QLabel keep a text document of its own."""
    flag = QtCore.Qt.TextInteractionFlag
    return flag.TextSelectableByMouse | flag.TextSelectableByKeyboard | flag.TextEditable


class MeasuredLabel(QLabel):
    """A QLabel that remembers its height for a width and paints its text from a layout kept
    between paints. Qt's own measures the text again (shapes it, breaks its lines) on every
    call, and a layout asks again each time a page is shown; it also shapes the text again on
    every paint. Everything the height depends on is part of the key, so a changed text, font,
    margin or style is measured afresh. Labels that do not keep (``keeps_layout`` False: a
    WrapLabel unless a page asks) behave as QLabel and name no Qt enum before the first paint."""

    keeps_layout = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heights: dict[tuple[object, ...], int] = {}
        self._kept: KeptLayout | None = None
        self._text_seen: tuple[tuple[str, object], bool] | None = None
        # What the enum-valued properties say for a kept paint (justified or selectable text,
        # the text format, the alignment's bits), read again only after a setter of one: PySide6
        # builds a Python enum for each value read, which made the checks at every paint cost
        # a sixth of a wizard page's paint.
        self._enum_look: tuple[bool, bool, int] | None = None
        # Whether a buddy was ever set (through setBuddy): until then buddy() is not asked at
        # each paint (a call that returns None, one more reference to None dropped, see
        # app.ui.none_guard). Once one was, it is asked as before (the buddy may be deleted).
        self._buddy_set = False

    def setBuddy(self, buddy: QWidget) -> None:
        if buddy is not None:
            self._buddy_set = True
        super().setBuddy(buddy)

    def setAlignment(self, alignment: QtCore.Qt.AlignmentFlag) -> None:
        super().setAlignment(alignment)
        self._enum_look = None

    def setTextFormat(self, text_format: QtCore.Qt.TextFormat) -> None:
        super().setTextFormat(text_format)
        self._enum_look = None

    def setTextInteractionFlags(self, flags: QtCore.Qt.TextInteractionFlag) -> None:
        super().setTextInteractionFlags(flags)
        self._enum_look = None

    def _look(self) -> tuple[bool, bool, int]:
        """(kept paint possible as far as these properties go, the text format is PlainText,
        the alignment's bits)."""
        look = self._enum_look
        if look is None:
            qt = QtCore.Qt
            alignment = self.alignment()
            text_format = self.textFormat()
            plain_look = (
                not alignment & qt.AlignmentFlag.AlignJustify
                and not self.textInteractionFlags() & _selectable()
                and text_format in (qt.TextFormat.PlainText, qt.TextFormat.AutoText)
            )
            plain_format = text_format == qt.TextFormat.PlainText
            look = self._enum_look = (plain_look, plain_format, int(alignment.value))
        return look

    def heightForWidth(self, width: int) -> int:
        if not self.keeps_layout:
            return super().heightForWidth(width)
        margins = self.contentsMargins()
        key = (
            width,
            self.text(),
            self.font().key(),
            self.textFormat(),
            self.wordWrap(),
            self.margin(),
            self.indent(),
            self.frameWidth(),
            margins.left(),
            margins.top(),
            margins.right(),
            margins.bottom(),
            self.logicalDpiY(),
        )
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) > 16:  # a few widths in use at a time; texts change
                self._heights.clear()
            height = super().heightForWidth(width)
            self._heights[key] = height
        return height

    def paintEvent(self, event: QPaintEvent) -> None:
        """Plain word-wrapped text is painted from a layout kept between paints
        (app.ui.kept_layout) where nothing else QLabel draws applies; anything else by QLabel."""
        if not self.keeps_layout:
            super().paintEvent(event)
            return
        if not self._plain_wrapped_text():
            self._keep_document_glyphs()
            super().paintEvent(event)
            return
        painter = QtGui.QPainter(self)
        rect = self.contentsRect()
        flags = self._look()[2]
        kept = self._kept
        font = painter.font()
        if kept is None or not kept.fits(self.text(), rect, font, flags):
            kept = self._kept = _kept_layout().KeptLayout(self.text(), rect, font, flags)
        # The pen QStyle::drawItemText sets: the palette's brush for the label's text role.
        brush = self.palette().brush(self.foregroundRole())
        painter.setPen(QtGui.QPen(brush, painter.pen().widthF()))
        kept.draw(painter)
        painter.end()

    def _keep_document_glyphs(self) -> None:
        """Rich text: QLabel lays it out in a QTextDocument whose lines drop their shaped glyphs
        once laid out, so every paint shaped the text again. Keeping them changes nothing drawn;
        a new text or width makes new lines, which are kept from their next paint on."""
        document = self.findChild(QtGui.QTextDocument)
        if document is None:
            return
        block = document.begin()
        while block.isValid():
            lines = block.layout()
            if lines is not None and not lines.cacheEnabled():
                lines.setCacheEnabled(True)
            block = block.next()

    def _plain_wrapped_text(self) -> bool:
        plain_look, plain_format, _alignment = self._look()
        return (
            plain_look
            and self.wordWrap()
            and self.isEnabled()
            and not self.styleSheet()
            and self.frameWidth() == 0
            and self.margin() == 0
            and self.indent() <= 0
            and not (self._buddy_set and self.buddy() is not None)
            and not self.isRightToLeft()
            and self._text_can_be_kept(plain_format)
        )

    def _text_can_be_kept(self, plain_format: bool) -> bool:
        """Read once per text (reading every character on every paint cost what it saved)."""
        text = self.text()
        seen = (text, plain_format)
        if self._text_seen is None or self._text_seen[0] != seen:
            plain_text = plain_format or not QtGui.Qt.mightBeRichText(text)
            self._text_seen = (seen, plain_text and _kept_layout().can_keep(text))
        return self._text_seen[1]


class WrapLabel(MeasuredLabel):
    """A word-wrapping label whose text (Khmer or not) always wraps between words."""

    keeps_layout = False  # painted by QLabel except where a page asks (LabelledButton)

    clicked = Signal()

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(display(text))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == QtCore.Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class LabelledButton(QWidget):
    """A radio button or checkbox with its text in a wrapping label beside the indicator.

    The button itself keeps no text (its accessible name carries it); clicking the text clicks the
    button, as with Qt's own label.
    """

    def __init__(self, button: QAbstractButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = button
        self.label = WrapLabel()
        self.label.keeps_layout = True  # a choice's text, painted on every page switch
        self.label.setObjectName(f"{button.objectName()}_text" if button.objectName() else "")
        self.label.clicked.connect(self._label_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)

    def _label_clicked(self) -> None:
        if self.button.isEnabled():
            self.button.click()
            self.button.setFocus()

    def setText(self, text: str) -> None:
        self.label.setText(text)
        self.button.setAccessibleName(strip_display_marks(text))

    def text(self) -> str:
        return strip_display_marks(self.label.text())


class ReadingProgressBar(QProgressBar):
    """A progress bar whose text is "3 / 12" in the reading language's digits (Qt's own "%p%"
    is always in Latin digits)."""

    def text(self) -> str:
        total = self.maximum() - self.minimum()
        if total <= 0:
            return ""
        return localize_digits(f"{self.value() - self.minimum()} / {total}")


class DigitsSpinBox(QSpinBox):
    """A number box showing the reading language's digits (Qt's own are always Latin); the
    officer may type either kind."""

    def textFromValue(self, value: int) -> str:
        return localize_digits(str(value))

    def valueFromText(self, text: str) -> int:
        return int(from_khmer_digits(text).strip() or 0)

    def validate(self, text: str, position: int) -> tuple[QValidator.State, str, int]:
        # Judged in Latin digits (what Qt parses); the text itself is left as typed or shown.
        state, _latin, _position = super().validate(from_khmer_digits(text), position)
        return state, text, position


class DigitsDateEdit(QDateEdit):
    """A date box (year-month-day) in the reading language's digits; either kind may be typed."""

    def textFromDateTime(self, value: QDateTime) -> str:
        return localize_digits(super().textFromDateTime(value))

    def dateTimeFromText(self, text: str) -> QDateTime:
        return super().dateTimeFromText(from_khmer_digits(text))

    def validate(self, text: str, position: int) -> tuple[QValidator.State, str, int]:
        # Judged in Latin digits (what Qt parses); the text itself is left as typed or shown.
        state, _latin, _position = super().validate(from_khmer_digits(text), position)
        return state, text, position


class WrapButton(QPushButton):
    """A push button whose text wraps onto several lines (a QPushButton's own text never wraps):
    a long form title or explainer answer stays whole on a small screen."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = WrapLabel()
        self.label.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.label)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setText(text)

    def setText(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(strip_display_marks(text))
        self.updateGeometry()

    def text(self) -> str:
        return strip_display_marks(self.label.text())

    def sizeHint(self) -> QSize:
        layout = self.layout()
        return layout.sizeHint() if layout is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        layout = self.layout()
        return layout.minimumSize() if layout is not None else super().minimumSizeHint()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        return layout.totalHeightForWidth(width) if layout is not None else -1


__all__ = [
    "LabelledButton",
    "MeasuredLabel",
    "ReadingProgressBar",
    "WrapButton",
    "WrapLabel",
    "_",
    "display",
    "html_text",
    "ngettext",
    "plain",
]
