"""Scroll bars drawn from pictures of the style's own drawing (issue 20): PicturedScrollBar, the
registry's, whose slider moves at every step, and KeptScrollBar, the wizard pages', whose slider
stays put.

The registry's bar (a scroll step within a frame):

At every page of the registry the scroll bar's slider moves, and the style drew the whole bar
again: its groove, arrows and slider with their gradients, a fifth of a scroll step. Between two
positions only the slider's place changes, so the bar is drawn from a picture of the bar without
the slider (the groove) and a picture of the slider: one copy each.

Both pictures are cut from the style's own drawings, and they are used only once they have shown
they give the style's pixels: for each look (size, state, palette, slider length, ...) the bar is
drawn by the style at the slider's position and at a second one; the groove is the first drawing
with the slider's place taken from the second, the slider is cut from the first with a margin
(the style shades the pixel next to it), and the second drawing must come out of the two pixel
for pixel, or the style keeps drawing that look. The slider near either end of the groove, the
pointer over the bar, a button held down and a fractional pixel ratio are always left to the
style. The style's half-transparent edge pixels are drawn over what is behind the bar once, as the style's are (a
picture's edge differs from the style's by at most a rounding step, as the cells' do).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QScrollBar, QStyle, QStyleOptionSlider, QStylePainter, QWidget

_BAR = QStyle.ComplexControl.CC_ScrollBar
_SLIDER = QStyle.SubControl.SC_ScrollBarSlider
_GROOVE = QStyle.SubControl.SC_ScrollBarGroove
MARGIN = 1  # pixels beside the slider that the style shades (Fusion: one)
LOOKS = 8  # looks kept (the slider's length changes as rows are listed)
KEPT_LOOKS = 16  # KeptScrollBar: a few pages' places at a time


class _StyleDrawnBar(QScrollBar):
    """What both pictured bars share: their kept pictures, dropped at any style, palette, font or
    state change, and the cases the style always draws (a part held down or hovered, the slider
    dragged, a fractional pixel ratio), whose looks Qt keeps private."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._pictures: dict[Hashable, Any] = {}
        self._pressed = False

    def changeEvent(self, event: QEvent) -> None:
        self._pictures.clear()  # a style, palette, font or state change: drawn anew
        super().changeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed = True  # the pressed part is drawn by the style (Qt keeps it private)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._pressed = False
        super().mouseReleaseEvent(event)

    def _left_to_style(self, ratio: float) -> bool:
        return (
            self._pressed
            or self.underMouse()  # hovered parts: QScrollBar's own paint knows them
            or self.isSliderDown()
            or ratio != int(ratio)
        )


class PicturedScrollBar(_StyleDrawnBar):
    """A QScrollBar painted from a groove picture and a slider picture when they are known to
    give the style's own pixels; by the style otherwise."""

    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        option.subControls = QStyle.SubControl.SC_All  # as QScrollBar's paint sets them
        style = self.style()
        slider = style.subControlRect(_BAR, option, _SLIDER, self)
        groove = style.subControlRect(_BAR, option, _GROOVE, self)
        ratio = self.devicePixelRatio()
        if self._left_to_style(ratio) or not _inside(slider, groove, self.orientation()):
            super().paintEvent(event)
            return
        look = (
            option.rect.size().toTuple(),
            ratio,
            option.state.value,
            option.direction.value,
            option.upsideDown,
            option.palette.cacheKey(),
            id(style),
            groove.getRect(),
            slider.size().toTuple(),
        )
        if look not in self._pictures:
            if len(self._pictures) >= LOOKS:
                self._pictures.clear()
            self._pictures[look] = self._cut(option, slider, groove, ratio)
        pictures = self._pictures[look]
        if pictures is None:
            super().paintEvent(event)
            return
        groove_picture, slider_picture = pictures
        strip = _strip(slider, self.orientation())
        painter = QPainter(self)
        # Each pixel is drawn once: the groove around the slider's strip, then the slider.
        for part in _around(option.rect, strip, self.orientation()):
            painter.drawPixmap(part, groove_picture, part)
        painter.drawPixmap(strip.topLeft(), slider_picture)
        painter.end()

    def _cut(
        self, option: QStyleOptionSlider, slider: QRect, groove: QRect, ratio: float
    ) -> tuple[QPixmap, QPixmap] | None:
        """The groove and slider pictures of this look, if they give the style's pixels."""
        orientation = self.orientation()
        other = self._second_position(option, slider, groove)
        if other is None:
            return None
        other_option, other_slider = other
        first = self._drawn(option, ratio)
        second = self._drawn(other_option, ratio)
        strip = _strip(slider, orientation)
        groove_picture = QPixmap(first)
        underneath = second.copy(_device(strip, ratio))  # the groove where the slider is
        underneath.setDevicePixelRatio(ratio)
        painter = QPainter(groove_picture)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawPixmap(strip.topLeft(), underneath)
        painter.end()
        slider_picture = first.copy(_device(strip, ratio))
        slider_picture.setDevicePixelRatio(ratio)
        # The second drawing must come out of the two pictures, pixel for pixel.
        check = QPixmap(groove_picture)
        painter = QPainter(check)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.drawPixmap(_strip(other_slider, orientation).topLeft(), slider_picture)
        painter.end()
        if check.toImage() != second.toImage():
            return None
        return groove_picture, slider_picture

    def _second_position(
        self, option: QStyleOptionSlider, slider: QRect, groove: QRect
    ) -> tuple[QStyleOptionSlider, QRect] | None:
        """Another slider position inside the groove, its strip apart from this one's."""
        orientation = self.orientation()
        strip = _strip(slider, orientation)
        low, high = option.minimum, option.maximum
        style = self.style()
        for value in (low + (high - low) // 4, (low + high) // 2, high - (high - low) // 4):
            other = QStyleOptionSlider(option)
            other.sliderPosition = other.sliderValue = value
            place = style.subControlRect(_BAR, other, _SLIDER, self)
            if _inside(place, groove, orientation) and not _strip(place, orientation).intersects(
                strip
            ):
                return other, place
        return None

    def _drawn(self, option: QStyleOptionSlider, ratio: float) -> QPixmap:
        """The bar as the style draws it with ``option``, on a see-through picture (its
        half-transparent edge is drawn over what is behind the bar, as the style's is)."""
        picture = QPixmap(option.rect.size() * ratio)
        picture.setDevicePixelRatio(ratio)
        picture.fill(Qt.GlobalColor.transparent)
        painter = QPainter(picture)
        self.style().drawComplexControl(_BAR, option, painter, self)
        painter.end()
        return picture


class KeptScrollBar(_StyleDrawnBar):
    """A bar whose slider stays put between paints (issue 20: the wizard's page switch).

    Every wizard page scrolls, and each time a page is shown its bar was drawn by the style again:
    Fusion's gradients and rounded slider took 3-4 ms for a bar as tall as the page, a third of a
    switch. A page is shown again and again at the same place (its top, mostly), so the bar looks
    the same: each look (size, range, value, page step, state, palette, style) is drawn once by the
    style, as QScrollBar draws it, on the colour the window paints behind the bar, and copied after
    that. Where the window does not paint a plain colour behind the bar, while the pointer is over it
    or a part is held down, and for a style that animates it, the style draws the bar as before.
    (The registry's bar, whose slider moves at every step, is PicturedScrollBar above.)
    """

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._animated = False  # see StepBar: a style that animates the bar draws every frame

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.StyleAnimationUpdate and not self._animated:
            self._animated = True
            self._pictures.clear()
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        ratio = self.devicePixelRatioF()
        behind = None
        if not (self._animated or self._left_to_style(ratio)):
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
            if len(self._pictures) >= KEPT_LOOKS:
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


def _strip(slider: QRect, orientation: Qt.Orientation) -> QRect:
    """The slider with the margin the style shades along the groove."""
    if orientation == Qt.Orientation.Vertical:
        return slider.adjusted(0, -MARGIN, 0, MARGIN)
    return slider.adjusted(-MARGIN, 0, MARGIN, 0)


def _around(bar: QRect, strip: QRect, orientation: Qt.Orientation) -> list[QRect]:
    """The parts of ``bar`` before and after the slider's ``strip``."""
    if orientation == Qt.Orientation.Vertical:
        before = QRect(bar.left(), bar.top(), bar.width(), strip.top() - bar.top())
        after = QRect(bar.left(), strip.bottom() + 1, bar.width(), bar.bottom() - strip.bottom())
    else:
        before = QRect(bar.left(), bar.top(), strip.left() - bar.left(), bar.height())
        after = QRect(strip.right() + 1, bar.top(), bar.right() - strip.right(), bar.height())
    return [part for part in (before, after) if part.isValid()]


def _inside(slider: QRect, groove: QRect, orientation: Qt.Orientation) -> bool:
    """The slider's strip lies within the groove, off its first and last pixel lines."""
    strip = _strip(slider, orientation)
    if not slider.isValid():
        return False
    if orientation == Qt.Orientation.Vertical:
        return strip.top() > groove.top() and strip.bottom() < groove.bottom()
    return strip.left() > groove.left() and strip.right() < groove.right()


def _device(rect: QRect, ratio: float) -> QRect:
    """``rect`` in the device pixels of a picture at ``ratio`` (a whole number here)."""
    scale = int(ratio)
    return QRect(QPoint(rect.x() * scale, rect.y() * scale), rect.size() * scale)
