"""A scroll bar painted from a picture of the style's drawing kept per look (issue 20: the wizard's
page switch).

Every wizard page scrolls, and each time a page is shown its bar was drawn by the style again:
Fusion's gradients and rounded slider took 3-4 ms for a bar as tall as the page, a third of a
switch. A page is shown again and again at the same place (its top, mostly), so the bar looks
the same: each look (size, range, value, page step, state, palette, style) is drawn once by the
style, as QScrollBar draws it, on the colour the window paints behind the bar, and copied after
that. Where the window does not paint a plain colour behind the bar, while the pointer is over it
or a part is held down, and for a style that animates it, the style draws the bar as before.
(The registry's bar, whose slider moves at every step, is app.ui.scroll_bar_pictures.)
"""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QScrollBar, QStyle, QStyleOptionSlider, QStylePainter, QWidget

_BAR = QStyle.ComplexControl.CC_ScrollBar
LOOKS = 16  # a few pages' places at a time


class KeptScrollBar(QScrollBar):
    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._pictures: dict[Hashable, QPixmap] = {}
        self._pressed = False
        self._animated = False  # see StepBar: a style that animates the bar draws every frame

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.StyleAnimationUpdate and not self._animated:
            self._animated = True
            self._pictures.clear()
        return super().event(event)

    def changeEvent(self, event: QEvent) -> None:
        self._pictures.clear()  # a style, palette, font or state change: drawn anew
        super().changeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed = True  # the pressed part is drawn by the style (Qt keeps it private)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._pressed = False
        super().mouseReleaseEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        ratio = self.devicePixelRatioF()
        behind = None
        if not (
            self._animated
            or self._pressed
            or self.isSliderDown()
            or self.underMouse()  # hovered parts: QScrollBar's own paint knows them
            or ratio != int(ratio)
        ):
            behind = painted_behind(self)
        if behind is None:
            super().paintEvent(event)
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        option.subControls = QStyle.SubControl.SC_All  # as QScrollBar's paint sets them
        style = self.style()
        look = (
            option.rect.getRect(),
            ratio,
            option.state.value,
            option.direction.value,
            option.orientation.value,
            option.palette.cacheKey(),
            option.minimum,
            option.maximum,
            option.sliderPosition,
            option.sliderValue,
            option.pageStep,
            option.singleStep,
            option.upsideDown,
            option.activeSubControls.value,
            behind.rgba(),
            id(style),
            self.styleSheet(),
        )
        picture = self._pictures.get(look)
        if picture is None:
            picture = QPixmap(self.size() * ratio)
            picture.setDevicePixelRatio(ratio)
            picture.fill(behind)
            # Begun from the widget: the same pen, font and style as QScrollBar's own paint.
            drawing = QStylePainter(picture, self)
            drawing.drawComplexControl(_BAR, option)
            drawing.end()
            if len(self._pictures) >= LOOKS:
                self._pictures.clear()
            self._pictures[look] = picture
        painter = QPainter(self)
        painter.drawPixmap(0, 0, picture)
        painter.end()


def painted_behind(widget: QWidget) -> QColor | None:
    """The one colour painted behind ``widget``: its window's background, when no widget between
    them paints (fills its background or is styled) and that background is a plain colour."""
    current: QWidget | None = widget
    while current is not None:
        if current is not widget and (
            current.autoFillBackground()
            or current.testAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        ):
            return None
        if current.isWindow():
            brush = current.palette().brush(current.backgroundRole())
            if brush.style() != Qt.BrushStyle.SolidPattern or not brush.isOpaque():
                return None
            return brush.color()
        current = current.parentWidget()
    return None
