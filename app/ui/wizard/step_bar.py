"""The wizard's step bar ("Step 3 of 12"), painted from a picture kept per look.

Qt's Fusion style draws a progress bar with antialiased rounded outlines and shapes its Khmer
text again on every paint: a tenth of a page switch went there. The bar looks the same each
time the officer comes back to a step, so each look is drawn once by the style, exactly as
QProgressBar draws it, and copied after that.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QProgressBar, QStyle, QStyleOptionProgressBar, QStylePainter

PICTURES_KEPT = 32  # steps x totals in use; a picture is one bar's width x height


class StepBar(QProgressBar):
    def __init__(self) -> None:
        super().__init__()
        self._pictures: dict[tuple[object, ...], QPixmap] = {}
        # Some styles animate a progress bar (a glow running along it on Windows, a pulse on
        # macOS): frames the option does not tell apart. Once the style asks for a frame, the
        # bar is painted by QProgressBar itself from then on.
        self._animated = False

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.StyleAnimationUpdate and not self._animated:
            self._animated = True
            self._pictures.clear()
        return super().event(event)

    def _look(self, option: QStyleOptionProgressBar) -> tuple[object, ...]:
        """Everything the style reads to draw the bar (the option it is given, the widget's
        palette, font and style) and the pixel ratio of the screen."""
        return (
            option.state.value,
            option.rect.getRect(),
            option.direction.value,
            option.palette.cacheKey(),
            self.font().key(),
            option.minimum,
            option.maximum,
            option.progress,
            option.text,
            option.textAlignment.value,
            option.textVisible,
            option.invertedAppearance,
            option.bottomToTop,
            self.devicePixelRatioF(),
            id(self.style()),
            self.styleSheet(),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._animated:
            super().paintEvent(event)
            return
        option = QStyleOptionProgressBar()
        self.initStyleOption(option)
        look = self._look(option)
        picture = self._pictures.get(look)
        if picture is None:
            ratio = self.devicePixelRatioF()
            picture = QPixmap(self.size() * ratio)
            picture.setDevicePixelRatio(ratio)
            # On what the window paints behind the bar (nothing between paints): drawn onto a
            # transparent picture and laid over, the rounded corners came out one shade off.
            picture.fill(self.palette().color(QPalette.ColorRole.Window))
            # Begun from the widget: the same pen, font and style as QProgressBar's own paint.
            drawing = QStylePainter(picture, self)
            drawing.drawControl(QStyle.ControlElement.CE_ProgressBar, option)
            drawing.end()
            if len(self._pictures) >= PICTURES_KEPT:
                self._pictures.clear()
            self._pictures[look] = picture
        painter = QPainter(self)
        painter.drawPixmap(0, 0, picture)
        painter.end()
