"""Window sizes that suit the laptops officers have (1024x600 netbooks to 1920x1080 screens)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView, QWidget

from app.ui.event_filters import WatchingFilter

# Room a window may take on the smallest screen: 1024x600 less the task bar and a title bar.
SMALLEST_SCREEN_ROOM = (1024, 540)


def fit_to_width(window: QWidget, width: int) -> None:
    """Size ``window`` to ``width`` (less on a narrower screen) and the height its wrapped text
    needs at that width: Qt sizes a top-level window from its width-free size hint, which leaves
    word-wrapped labels too short (they overlap what follows) or makes the window too wide."""
    screen = window.screen()
    if screen is not None:
        width = min(width, screen.availableGeometry().width())
    layout = window.layout()
    height = layout.totalHeightForWidth(width) if layout is not None else -1
    if height < 0:
        height = window.sizeHint().height()
    window.setMinimumHeight(min(height, SMALLEST_SCREEN_ROOM[1]))
    window.resize(width, height)


class ColumnFitter(WatchingFilter, QObject):
    """Keeps a table's columns inside its width (no sideways scroll bar), each at least as wide
    as its header text, the rest shared out by ``weights``; cells that are still too long end
    with "…" and are read in full in the record itself. Columns in ``whole`` are never narrower
    than the text it gives for the table's font (the widest value, e.g. a reference number):
    such a value must always be read in full."""

    def __init__(
        self,
        table: QTableView,
        weights: Sequence[int],
        optional: Sequence[int] = (),
        whole: Mapping[int, Callable[[QFontMetrics], str]] | None = None,
    ) -> None:
        super().__init__(table)
        self.table = table
        self.weights = list(weights)
        self.whole = dict(whole or {})
        # Columns that may be left out on a narrow screen, the least needed first (what they
        # show is in the record itself).
        self.optional = list(optional)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.watch(table.viewport())  # see app.ui.event_filters
        model = table.model()
        if model is not None:
            model.headerDataChanged.connect(lambda *_args: self.fit())
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        count = header.count()
        if count == 0:
            return
        weights = (self.weights + [self.weights[-1] if self.weights else 1] * count)[:count]
        available = self.table.viewport().width()
        minimums = [header.sectionSizeFromContents(i).width() for i in range(count)]
        for column, widest in self.whole.items():
            if column < count:
                minimums[column] = max(minimums[column], self.cell_width(widest))
        hidden: set[int] = set()
        for column in self.optional:
            if sum(m for i, m in enumerate(minimums) if i not in hidden) <= available:
                break
            hidden.add(column)
        for column in range(count):
            header.setSectionHidden(column, column in hidden)
        shown = [i for i in range(count) if i not in hidden]
        total = sum(weights[i] for i in shown) or 1
        widths = {i: max(minimums[i], available * weights[i] // total) for i in shown}
        excess = sum(widths.values()) - available
        if excess > 0:
            # Take the excess from the room columns have above their header's width; when there
            # is not enough room every column keeps its header width (the table then scrolls).
            spare = {i: widths[i] - minimums[i] for i in shown}
            room = sum(spare.values())
            keep = max(0.0, 1.0 - excess / room) if room > 0 else 0.0
            widths = {i: minimums[i] + int(spare[i] * keep) for i in shown}
        for index, width in widths.items():
            header.resizeSection(index, width)

    def cell_width(self, widest: Callable[[QFontMetrics], str]) -> int:
        """Width of a cell showing ``widest`` (text, the item view's text margins, the grid)."""
        metrics = QFontMetrics(self.table.font())
        style = self.table.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1
        return metrics.horizontalAdvance(widest(metrics)) + 2 * margin + 2
