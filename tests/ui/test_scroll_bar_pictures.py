"""The registry's scroll bar is drawn from pictures of the style's own drawing
(app/ui/scroll_bar_pictures.py, issue 20): at every position of its slider it has the pixels of
a plain QScrollBar of the same size, range and value (its half-transparent edge within a
rounding step, as the cells' pictures), in both orientations, with a short and a long slider."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor, QImage
from PySide6.QtWidgets import QApplication, QScrollBar

from app.ui.scroll_bar_pictures import PicturedScrollBar
from tests.ui.pixels import ROUNDING, largest_difference


def _same_as_qt(orientation: Qt.Orientation, length: int, maximum: int, page: int) -> int:
    """Compares the two bars at every value; returns how many values were drawn from pictures."""
    bars = [PicturedScrollBar(orientation), QScrollBar(orientation)]
    QCursor.setPos(QPoint(0, 0))  # the pointer away from the bars (a hovered bar: Qt paints)
    for bar in bars:
        bar.move(200, 200)
        bar.setRange(0, maximum)
        bar.setPageStep(page)
        if orientation == Qt.Orientation.Vertical:
            bar.resize(bar.sizeHint().width(), length)
        else:
            bar.resize(length, bar.sizeHint().height())
        bar.show()
    QApplication.processEvents()
    pictured = 0
    pictures = bars[0]._pictures
    for value in range(0, maximum + 1):
        shots: list[QImage] = []
        for bar in bars:
            bar.setValue(value)
            shots.append(bar.grab().toImage())
        assert largest_difference(shots[0], shots[1]) <= ROUNDING, (orientation, maximum, value)
        pictured += any(entry is not None for entry in pictures.values())
    for bar in bars:
        bar.close()
    return pictured


def test_the_scroll_bar_has_the_styles_pixels_at_every_position(vss_qapp: QApplication) -> None:
    vertical = Qt.Orientation.Vertical
    assert _same_as_qt(vertical, 500, 400, 20) > 300, "most positions are drawn from pictures"
    assert _same_as_qt(vertical, 500, 40, 20) > 10  # a long slider
    assert _same_as_qt(Qt.Orientation.Horizontal, 400, 300, 30) > 200


def test_the_registry_table_draws_its_scroll_bar_from_pictures(vss_qapp: QApplication) -> None:
    from app.ui.cached_table import CachedTextTable

    table = CachedTextTable()
    assert isinstance(table.verticalScrollBar(), PicturedScrollBar)
    table.close()
