"""A table view that draws its plain cells itself, from CachedTextDelegate's pictures.

QTableView paints a cell by asking the model for its index (two calls into Python for a Python
model), letting the style draw the row panel and calling the delegate: in Python each of those
calls costs more than drawing the cell's picture. This view's paint walks the visible cells as
QTableView does (dirty rectangles, hidden sections, the grid drawn after the cells) and draws the
cells of plain rows straight from the delegate's pictures; the selected, current and hovered
rows, and any cell the delegate leaves to Qt, are painted the way QTableView paints a cell
(row panel, then the delegate). Anything this paint does not follow - right to left, alternating
row colours, spans, another delegate - is left to QTableView's own paint.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QLineF, QModelIndex, QRect, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView, QWidget

from app.ui.cell_text import PEN_STATES, CachedTextDelegate, rows_below
from app.ui.row_pictures import RowFrame, RowPictures, row_frame
from app.ui.scroll_bar_pictures import PicturedScrollBar

_ENABLED = QStyle.StateFlag.State_Enabled
_SELECTED = QStyle.StateFlag.State_Selected
_HOVER = QStyle.StateFlag.State_MouseOver
_FOCUS = QStyle.StateFlag.State_HasFocus
_ROW_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewRow
_OPAQUE = Qt.WidgetAttribute.WA_OpaquePaintEvent


class CachedTextTable(QTableView):
    """A QTableView whose paint draws plain rows from opaque pictures of whole rows
    (app.ui.row_pictures) made with a CachedTextDelegate's layouts, or plain cells from the
    delegate's pictures when the background is not one colour."""

    _spans = False  # a span was set: QTableView paints (this paint knows no spans)
    _row_pictures: RowPictures | None = None
    _looking_ahead = False  # the rows below the visible ones are to be drawn when idle

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Its slider moves at every page: drawn from pictures of the style's drawing.
        bar = PicturedScrollBar(Qt.Orientation.Vertical, self)
        self.setVerticalScrollBar(bar)
        # QAbstractItemView listens to the bar it made (rows fetched at the end, scroll
        # actions), not to one set later.
        bar.valueChanged.connect(self.verticalScrollbarValueChanged)
        bar.actionTriggered.connect(self.verticalScrollbarAction)

    def setSpan(self, row: int, column: int, row_span: int, column_span: int) -> None:
        self._spans = True
        super().setSpan(row, column, row_span, column_span)

    def paintEvent(self, event: QPaintEvent) -> None:
        delegate = self.itemDelegate()
        model = self.model()
        viewport = self.viewport()
        # Once the background is known to be one opaque colour, the viewport is marked opaque:
        # Qt then fills no background under the rows' pictures (a tenth of a scroll step), and
        # this paint fills what they do not cover.
        unfilled = viewport.testAttribute(_OPAQUE)  # Qt filled no background for this paint
        brush = viewport.palette().brush(viewport.backgroundRole())
        if (
            not isinstance(delegate, CachedTextDelegate)
            or delegate.plain_state is None
            or model is None
            or self.isRightToLeft()
            or self.alternatingRowColors()
            or self.horizontalHeader().count() == 0
            or self.verticalHeader().count() == 0
            or self._spans
        ):
            if isinstance(delegate, CachedTextDelegate):
                delegate.looks_ahead = True
            if unfilled:
                viewport.setAttribute(_OPAQUE, False)
                painter = QPainter(viewport)
                _fill(painter, event, brush)
                painter.end()
            super().paintEvent(event)
            return
        opaque = (
            viewport.autoFillBackground()
            and brush.style() == Qt.BrushStyle.SolidPattern
            and brush.color().alpha() == 255
        )
        if opaque != unfilled:
            viewport.setAttribute(_OPAQUE, opaque)  # from the next paint on
        painter = QPainter(viewport)
        try:
            self._paint_cells(painter, event, delegate, model, brush if unfilled else None)
        finally:
            painter.end()

    def _paint_cells(
        self,
        painter: QPainter,
        event: QPaintEvent,
        delegate: CachedTextDelegate,
        model: Any,
        background: QBrush | None,
    ) -> None:
        """The dirty cells, grid and (``background``: Qt filled none) the background around
        the rows' pictures."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        frame, pictures = self._row_frame(delegate, option)
        if background is not None and (frame is None or event.region().rectCount() != 1):
            _fill(painter, event, background)  # as Qt fills it: drawn over below
            background = None
        delegate.looks_ahead = frame is None
        if frame is not None and not self._looking_ahead:
            self._looking_ahead = True
            QTimer.singleShot(0, self, self._prepare_rows_below)  # not called once deleted
        painted_rows: set[int] = set()  # from their pictures
        across_offset = -self.horizontalHeader().offset()
        grid = 1 if self.showGrid() else 0
        across, down = self.horizontalHeader(), self.verticalHeader()
        right_end = across.length() - across.offset() - 1
        bottom_end = down.length() - down.offset() - 1
        special = delegate.special_rows
        drawn: set[tuple[int, int]] = set()
        dirty_areas: Iterable[QRect] = event.region()  # type: ignore[assignment]  # iterable
        for dirty in dirty_areas:
            area = QRect(dirty)
            area.setBottom(min(area.bottom(), bottom_end))
            area.setRight(min(area.right(), right_end))
            if not area.isValid():
                if background is not None:
                    painter.fillRect(dirty, background)
                continue
            if background is not None:  # right of the last column, below the last row
                if dirty.right() > right_end:
                    painter.fillRect(
                        dirty.adjusted(right_end + 1 - dirty.left(), 0, 0, 0), background
                    )
                if dirty.bottom() > bottom_end:
                    below = QRect(
                        area.left(), bottom_end + 1, area.width(), dirty.bottom() - bottom_end
                    )
                    painter.fillRect(below, background)
            left = max(across.visualIndexAt(area.left()), 0)
            right = across.visualIndexAt(area.right())
            right = across.count() - 1 if right == -1 else right
            top = down.visualIndexAt(area.top())
            bottom = down.visualIndexAt(area.bottom())
            bottom = down.count() - 1 if bottom == -1 else bottom
            if top == -1 or top > bottom:
                if background is not None:
                    painter.fillRect(area, background)
                continue
            columns: list[tuple[int, int, int]] | None = None  # read when a cell is painted
            rows = self._rows_between(top, bottom, grid)
            unlined = []  # rows whose grid lines are not in their picture
            for row, y, height in rows:
                plain = row not in special
                if plain and frame is not None and pictures is not None:
                    if row in painted_rows:
                        continue
                    picture = pictures.picture(row, height, frame, option)
                    if picture is not None:
                        painter.drawPixmap(across_offset, y, picture)
                        painted_rows.add(row)
                        if background is not None and grid and frame.grid is None:
                            line = QRect(area.left(), y + height, area.width(), grid)
                            painter.fillRect(line, background)  # the grid is drawn over it
                        continue
                if columns is None:
                    columns = self._columns_between(left, right, grid)
                if background is not None:
                    band = QRect(area.left(), y, area.width(), height + grid)
                    painter.fillRect(band.intersected(area), background)
                unlined.append((row, y, height))
                for column, x, width in columns:
                    if (row, column) in drawn:
                        continue
                    drawn.add((row, column))
                    rect = QRect(x, y, width, height)
                    if plain and delegate.paint_plain(painter, option, rect, row, column):
                        continue
                    self._paint_cell(painter, option, rect, model.index(row, column))
            if not grid:
                continue
            if columns is None:
                columns = self._columns_between(left, right, grid)
            if frame is not None and frame.grid is not None:  # the pictures hold the grid
                _paint_row_lines(painter, frame.grid, area, unlined, columns)
            else:
                self._paint_grid(painter, option, area, rows, columns)

    def _rows_between(self, top: int, bottom: int, grid: int) -> list[tuple[int, int, int]]:
        """The shown rows from visual index ``top`` to ``bottom``: (row, top edge in the
        viewport, height without the grid line). Rows neither moved nor hidden (the usual
        case) are read with one call each, as QTableView places them: one under the other."""
        down = self.verticalHeader()
        if down.sectionsMoved() or down.sectionsHidden():
            return [
                (row, self.rowViewportPosition(row), self.rowHeight(row) - grid)
                for row in (down.logicalIndex(v) for v in range(top, bottom + 1))
                if not down.isSectionHidden(row)
            ]
        rows = []
        y = down.sectionViewportPosition(top)
        size = down.sectionSize
        for row in range(top, bottom + 1):
            height = size(row)
            rows.append((row, y, height - grid))
            y += height
        return rows

    def _columns_between(self, left: int, right: int, grid: int) -> list[tuple[int, int, int]]:
        """The shown columns from visual index ``left`` to ``right``: (column, left edge in the
        viewport, width without the grid line)."""
        across = self.horizontalHeader()
        return [
            (column, self.columnViewportPosition(column), self.columnWidth(column) - grid)
            for column in (across.logicalIndex(v) for v in range(left, right + 1))
            if not across.isSectionHidden(column)
        ]

    def _row_frame(
        self, delegate: CachedTextDelegate, option: QStyleOptionViewItem
    ) -> tuple[RowFrame | None, RowPictures | None]:
        """This paint's frame of plain rows and the pictures kept of them (None, None: the
        plain cells are drawn one by one)."""
        state = delegate.plain_state
        frame = None if state is None else row_frame(self, option, state & PEN_STATES)
        if frame is None:
            return None, None
        pictures = self._row_pictures
        if pictures is None or pictures.delegate is not delegate:
            pictures = self._row_pictures = RowPictures(delegate)
        return pictures.kept_frame(frame), pictures

    def _prepare_rows_below(self) -> None:
        """Draw the pictures of the page of rows below the visible ones while the officer reads:
        a page down then copies pictures only, instead of laying out every new reference and
        name (the text a page shows for the first time was most of a scroll step's time)."""
        self._looking_ahead = False
        delegate, model = self.itemDelegate(), self.model()
        if not self.isVisible() or model is None or not isinstance(delegate, CachedTextDelegate):
            return
        below = rows_below(self)
        if not below:
            return
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        frame, pictures = self._row_frame(delegate, option)
        if frame is None or pictures is None:
            return
        grid = 1 if self.showGrid() else 0
        special = delegate.special_rows
        for row in below:
            if row not in special and not self.isRowHidden(row):
                pictures.picture(row, self.rowHeight(row) - grid, frame, option)

    def _paint_cell(
        self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, index: QModelIndex
    ) -> None:
        """A cell painted as QTableView paints one (its drawCell): state, row panel, delegate."""
        cell = QStyleOptionViewItem(option)
        cell.rect = rect
        state = option.state
        selection = self.selectionModel()
        if selection is not None and selection.isSelected(index):
            state |= _SELECTED
        if index == self.itemDelegate().hovered:  # type: ignore[attr-defined]
            state |= _HOVER
        if state & _ENABLED:
            if not self.model().flags(index) & Qt.ItemFlag.ItemIsEnabled:
                state &= ~_ENABLED
                cell.palette.setCurrentColorGroup(QPalette.ColorGroup.Disabled)
            else:
                cell.palette.setCurrentColorGroup(QPalette.ColorGroup.Normal)
        current = self.currentIndex()
        if index == current and (self.hasFocus() or self.viewport().hasFocus()):
            state |= _FOCUS
        cell.state = state
        self.style().drawPrimitive(_ROW_PANEL, cell, painter, self)
        self.itemDelegateForIndex(index).paint(painter, cell, index)

    def _paint_grid(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        area: QRect,
        rows: list[tuple[int, int, int]],
        columns: list[tuple[int, int, int]],
    ) -> None:
        """The grid lines below each row and right of each column, as QTableView draws them.

        QTableView strokes each line with a one-pixel pen (a QLineF moved by half a pixel):
        the raster engine's stroker blends such a line pixel by pixel, which was a quarter of a
        scroll step. A solid line covers exactly the one-pixel-wide rectangle from its start to
        its end, at any device pixel ratio, so it is filled as that rectangle."""
        colour = self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self)
        color = QColor.fromRgba(colour & 0xFFFFFFFF)
        left, top, across, down = area.left(), area.top(), area.width(), area.height()
        lines = [QRect(left, y + height, across, 1) for _row, y, height in rows]
        lines += [QRect(x + width, top, 1, down) for _column, x, width in columns]
        always = QStyle.StyleHint.SH_Table_AlwaysDrawLeftTopGridLines
        if self.style().styleHint(always, option, self):
            if self.horizontalHeader().isHidden() and rows:
                lines.append(QRect(left, rows[0][1] - 1, across, 1))
            if self.verticalHeader().isHidden() and columns:
                lines.append(QRect(columns[0][1] - 1, top, 1, down))
        style = self.gridStyle()
        if style == Qt.PenStyle.SolidLine:
            for line in lines:
                painter.fillRect(line, color)
            return
        painter.save()  # a dashed or dotted grid is stroked as QTableView strokes it
        painter.setPen(QPen(color, 1, style))
        for line in lines:
            end = QLineF(line.topLeft(), line.bottomRight())
            painter.drawLine(end.translated(0.5, 0.5))
        painter.restore()


def _paint_row_lines(
    painter: QPainter,
    colour: QColor,
    area: QRect,
    rows: list[tuple[int, int, int]],
    columns: list[tuple[int, int, int]],
) -> None:
    """The grid lines of the rows in ``area`` not drawn from pictures (the pictures hold their
    own: app.ui.row_pictures): the line below each, and the lines right of each column within
    each. The grid is solid and opaque here, so a line drawn twice looks as one."""
    left, across, top, bottom = area.left(), area.width(), area.top(), area.bottom()
    for _row, y, height in rows:
        painter.fillRect(QRect(left, y + height, across, 1), colour)
        first, last = max(y, top), min(y + height, bottom)
        if first <= last:
            for _column, x, width in columns:
                painter.fillRect(QRect(x + width, first, 1, last - first + 1), colour)


def _fill(painter: QPainter, event: QPaintEvent, brush: QBrush) -> None:
    """The dirty region filled with the viewport's background, as Qt fills a widget's."""
    dirty_areas: Iterable[QRect] = event.region()  # type: ignore[assignment]  # iterable
    for rect in dirty_areas:
        painter.fillRect(rect, brush)
