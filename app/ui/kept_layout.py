"""A plain, word-wrapped label's text laid out once and drawn from that layout on every paint.

QLabel draws plain text with QPainter::drawText, which itemises, shapes (HarfBuzz; Khmer is among
the costliest scripts) and breaks the lines again on every paint. `KeptLayout` does the same
steps once, the way Qt's drawText does them (qt_format_text in qpainter.cpp: the same text
option, line width, leading, whole-pixel line tops, vertical alignment, clipping), and keeps the
result until the text, the rectangle or the font changes; painting is then only the glyphs. The
wizard's grabs before and after are the same pixel for pixel (issue 20).
"""

from __future__ import annotations

import math
import unicodedata

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QTextLayout, QTextOption

RIGHT_TO_LEFT = frozenset({"R", "AL", "RLE", "RLO", "RLI"})


def can_keep(text: str) -> bool:
    """Text whose drawing this module reproduces: left to right, no tab (Qt turns tabs into
    spaces or tab stops depending on the flags) and no length variants (U+009C)."""
    return bool(text) and not any(
        ch in "\t\x9c" or unicodedata.bidirectional(ch) in RIGHT_TO_LEFT for ch in text
    )


class KeptLayout:
    """The lines of ``text`` in ``rect`` with ``font`` and Qt alignment ``flags`` (word wrap
    on), positioned as QPainter::drawText(rect, flags, text) positions them."""

    def __init__(self, text: str, rect: QRect, font: QFont, flags: int) -> None:
        self.key = (text, rect.getRect(), flags)
        self.font = QFont(font)
        # As drawText: a line feed is a line separator, a carriage return a space.
        shown = text.replace("\r", " ").replace("\n", "\u2028")
        self.layout = QTextLayout(shown, font)
        option = QTextOption()
        option.setTextDirection(Qt.LayoutDirection.LeftToRight)
        option.setAlignment(Qt.AlignmentFlag.AlignLeft)  # aligned below, as drawText does
        self.layout.setTextOption(option)
        self.layout.setCacheEnabled(True)  # keep the shaped glyphs after endLayout
        area = QRectF(rect)
        leading = QFontMetricsF(font).leading()
        height = -leading
        width = 0.0
        self.layout.beginLayout()
        while True:
            line = self.layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(0.0, area.width()))
            height += leading
            height = math.ceil(height)  # lines start on whole pixels
            line.setPosition(QPointF(0.0, height))
            height += line.ascent() + line.descent()
            width = max(width, line.naturalTextWidth())
            if height >= area.height():
                break
        self.layout.endLayout()
        self.flags = flags
        # Read once: each test of an int against a Qt flag builds a Python enum (PySide6).
        self.right = bool(flags & Qt.AlignmentFlag.AlignRight)
        self.centred = bool(flags & Qt.AlignmentFlag.AlignHCenter)
        self.area = area
        if flags & Qt.AlignmentFlag.AlignBottom:
            self.top = area.height() - height
        elif flags & Qt.AlignmentFlag.AlignVCenter:
            self.top = (area.height() - height) / 2
        else:
            self.top = 0.0
        if flags & Qt.AlignmentFlag.AlignRight:
            left = area.width() - width
        elif flags & Qt.AlignmentFlag.AlignHCenter:
            left = (area.width() - width) / 2
        else:
            left = 0.0
        bounds = QRectF(area.x() + left, area.y() + self.top, width, height)
        self.clipped = not area.contains(bounds)

    def fits(self, text: str, rect: QRect, font: QFont, flags: int) -> bool:
        """Laid out for this text, rectangle, font and alignment. Fonts are compared as QFont
        compares them (every attribute of the request, spacing and features included), which
        is cheaper than their keys and no less strict."""
        return self.key == (text, rect.getRect(), flags) and self.font == font

    def draw(self, painter: QPainter) -> None:
        """Draw with the painter's pen (the caller sets the text colour)."""
        area = self.area
        if self.clipped:
            painter.save()
            painter.setClipRect(area, Qt.ClipOperation.IntersectClip)
        for number in range(self.layout.lineCount()):
            line = self.layout.lineAt(number)
            if self.right:
                left = area.width() - line.horizontalAdvance()
            elif self.centred:
                left = (area.width() - line.horizontalAdvance()) / 2
            else:
                left = 0.0
            line.draw(painter, QPointF(area.x() + left, area.y() + self.top))
        if self.clipped:
            painter.restore()
