"""How QCommonStyle lays out a view item's text (Qt 6: ``viewItemTextLayout`` and
``calculateElidedText``), step by step, so app.ui.cell_text can keep the result: the lines of a
width, the last visible line ended with "…", a text that fits on one line."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextLayout, QTextOption
from PySide6.QtWidgets import QStyle

ELLIPSIS = "\u2026"


def lay_out_lines(layout: QTextLayout, width: int, max_height: int = -1) -> tuple[float, int]:
    """Qt's viewItemTextLayout: lines of ``width``; with ``max_height``, stops at the line after
    the last one that fits. Returns (height, index of the last visible line or -1)."""
    height = 0.0
    last_visible = -1
    layout.beginLayout()
    number = 0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, height))
        height += line.height()
        if max_height > 0 and height + line.height() > max_height:
            following = layout.createLine()
            last_visible = number if following.isValid() else -1
            break
        number += 1
    layout.endLayout()
    return height, last_visible


def elided(
    text: str,
    font: QFont,
    option: QTextOption,
    rect: QRect,
    alignment: Qt.AlignmentFlag,
    mode: Qt.TextElideMode,
) -> tuple[str, float, QTextLayout]:
    """Qt's calculateElidedText for a view item: the text as shown in ``rect`` (lines that do not
    fit end with "…"), the top of its first line, and the layout it made on the way."""
    layout = QTextLayout(text, font)
    layout.setTextOption(option)
    layout.setCacheEnabled(True)
    _height, last_visible = lay_out_lines(layout, rect.width(), rect.height())
    size = layout.boundingRect().size().toSize()
    top = QStyle.alignedRect(Qt.LayoutDirection.LayoutDirectionAuto, alignment, size, rect).top()
    y = float(top)
    shown: list[str] = []
    height = 0.0
    count = layout.lineCount()
    metrics = QFontMetrics(font)
    for number in range(count):
        line = layout.lineAt(number)
        height += line.height()
        if height + top <= rect.top():  # above the cell
            y += line.height()
            continue
        start, length = line.textStart(), line.textLength()
        too_wide = line.naturalTextWidth() > rect.width()
        elide_last = last_visible == number
        if not too_wide and number + 1 < count:
            following = layout.lineAt(number + 1)
            if height + following.height() / 2 + top > rect.height() + rect.top():
                elide_last = True  # less than half the next line would show
        part = text[start : start + length]
        if too_wide or elide_last:
            if elide_last:
                part = part.removesuffix("\u2028") + ELLIPSIS
            shown.append(metrics.elidedText(part, mode, rect.width()))
            if number < count - 1 and not elide_last:
                shown.append("\u2028")
        else:
            shown.append(part)
        if height + top >= rect.bottom() or (last_visible >= 0 and last_visible == number):
            break
    return "".join(shown), y, layout


def one_line(text: str, font: QFont, option: QTextOption, width: int) -> QTextLayout | None:
    """``text`` laid out as Qt would draw it when it fits on one line of ``width``; None when it
    does not (it is then elided as Qt elides it, see _elided)."""
    layout = QTextLayout(text, font)
    layout.setTextOption(option)
    layout.setCacheEnabled(True)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(width)
    line.setPosition(QPointF(0, 0))
    fits = line.naturalTextWidth() <= width and not layout.createLine().isValid()
    layout.endLayout()
    return layout if fits else None
