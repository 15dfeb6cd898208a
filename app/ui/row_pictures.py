"""Whole rows of the registry drawn once onto an opaque picture (issue 20: a scroll step within a
frame).

A plain row (not selected, current or under the pointer) of app.ui.cached_table's table is its
viewport's background with each cell's text (and icon) on it, every cell clipped to its
rectangle as QCommonStyle clips a view item. Drawing that row from one opaque picture is one
copy per row instead of one blended picture per cell: a scroll step drew ~190 cell pictures
twice (the step's paint and the bench's grab), each a call from Python. The texts are drawn onto
the background itself, as Qt draws them, from the delegate's layouts (app.ui.cell_text).

The pictures are kept by what they show (the row's cells, the columns' places and widths, the
row's height, the text colour, the background, the font, the pixel ratio), so a change of any
of them makes a new picture and never shows an old one; the rows below the visible ones are
drawn while the list is idle, as the delegate prepares its cells.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QTextLayout
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView

from app.ui.cell_text import CachedTextDelegate, Cell

# The rows' pictures kept, in bytes: ~110 rows of a 1200-pixel-wide table (four screens).
KEPT_BYTES = 16 * 1024 * 1024
# Pictures of single cells whose text comes back row after row (a form's title, a status, a
# day: ~25 KB each), and how many texts seen once are remembered to find them.
KEPT_CELLS = 128
SEEN_TEXTS = 4096

_GRID_COLOUR = QStyle.StyleHint.SH_Table_GridLineColor
_LEFT_TOP_LINES = QStyle.StyleHint.SH_Table_AlwaysDrawLeftTopGridLines


@dataclass(frozen=True)
class RowFrame:
    """What every plain row of one paint shares: where its columns are (logical column, left
    edge from the row's start, width without the grid line), its width, the background colour,
    the text colour's state, the grid's colour when the pictures hold the grid lines, and what
    else changes a picture's pixels (``look``)."""

    columns: tuple[tuple[int, int, int], ...]
    width: int
    count: int  # the model's columns
    background: QColor
    shade: int
    ratio: float
    look: Hashable
    # The grid lines below the row and right of each cell are in its picture (one row taller
    # than the cells): a solid, opaque grid with no left and top lines, which the table then
    # does not stroke again over each plain row. None: the table draws the grid.
    grid: QColor | None = None
    number: int = 0  # the look's number among RowPictures' frames (a short picture key)


def row_frame(view: QTableView, option: QStyleOptionViewItem, shade: int) -> RowFrame | None:
    """The frame of ``view``'s plain rows for this paint; None when a row is not its viewport's
    background and its cells (a background that is not one opaque colour: Qt paints)."""
    viewport = view.viewport()
    brush = viewport.palette().brush(viewport.backgroundRole())
    if (
        not viewport.autoFillBackground()
        or brush.style() != Qt.BrushStyle.SolidPattern
        or brush.color().alpha() != 255
    ):
        return None
    across = view.horizontalHeader()
    grid = 1 if view.showGrid() else 0
    columns = tuple(
        (column, across.sectionPosition(column), across.sectionSize(column) - grid)
        for column in (across.logicalIndex(visual) for visual in range(across.count()))
        if not across.isSectionHidden(column)
    )
    background = brush.color()
    ratio = viewport.devicePixelRatio()
    lines = _grid_in_pictures(view, option)
    look = (
        columns,
        background.rgba(),
        shade,
        ratio,
        option.font.key(),
        None if lines is None else lines.rgba(),
    )
    return RowFrame(columns, across.length(), across.count(), background, shade, ratio, look, lines)


def _grid_in_pictures(view: QTableView, option: QStyleOptionViewItem) -> QColor | None:
    """The grid's colour when the rows' pictures can hold its lines: a solid grid of one opaque
    colour (a line drawn twice, or under a picture's, then looks the same) and no extra left or
    top line; None otherwise (the table draws its grid as QTableView does)."""
    if not view.showGrid() or view.gridStyle() != Qt.PenStyle.SolidLine:
        return None
    style = view.style()
    colour = QColor.fromRgba(style.styleHint(_GRID_COLOUR, option, view) & 0xFFFFFFFF)
    if colour.alpha() != 255 or style.styleHint(_LEFT_TOP_LINES, option, view):
        return None
    return colour


class RowPictures:
    """The opaque pictures of plain rows, made from a CachedTextDelegate's layouts."""

    def __init__(self, delegate: CachedTextDelegate) -> None:
        self.delegate = delegate
        self._pictures: OrderedDict[Hashable, QPixmap | None] = OrderedDict()
        self._bytes = 0
        self._generation = delegate.generation
        self._frames: dict[Hashable, RowFrame] = {}  # by look: one object, numbered, per look
        self._numbered = 0  # looks numbered so far: a number is never given twice
        self._blanks: dict[tuple[int, int], QPixmap] = {}  # by height and frame number
        # A text shown a second time in a cell of the same size and look is kept drawn on its
        # own opaque picture, copied into the next rows instead of drawing its glyphs again.
        self._cells: dict[tuple[str, int, int, int], QPixmap] = {}
        self._seen: set[tuple[str, int, int, int]] = set()

    def kept_frame(self, frame: RowFrame) -> RowFrame:
        """The frame kept for ``frame``'s look: the pictures are keyed by its number (hashing
        and comparing the whole look for each row of each paint was a tenth of a scroll step)."""
        kept = self._frames.get(frame.look)
        if kept is None:
            if len(self._frames) > 64:  # sizes and fonts come and go: keep the recent ones
                self._frames.clear()
            self._numbered += 1
            kept = self._frames[frame.look] = replace(frame, number=self._numbered)
        return kept

    def picture(
        self, row: int, height: int, frame: RowFrame, option: QStyleOptionViewItem
    ) -> QPixmap | None:
        """Row ``row``'s picture, made if new; None when a cell of it is left to Qt (its row
        is then painted cell by cell). ``frame`` is one kept_frame gave; ``option`` is the
        table's (its rect is changed)."""
        if self._generation != self.delegate.generation:  # the fonts or the style changed
            self.forget()
        cells = self.delegate.row_cells(row, frame.count)
        key = (cells, height, frame.number)
        try:
            picture = self._pictures[key]
        except KeyError:
            picture = self._make(cells, height, frame, option)
            self._keep(key, picture)
        else:
            self._pictures.move_to_end(key)
        return picture

    def has(self, row: int, height: int, frame: RowFrame) -> bool:
        cells = self.delegate.row_cells(row, frame.count)
        return (cells, height, frame.number) in self._pictures

    def forget(self) -> None:
        self._pictures.clear()
        self._frames.clear()
        self._blanks.clear()
        self._cells.clear()
        self._seen.clear()
        self._bytes = 0
        self._generation = self.delegate.generation

    @property
    def kept(self) -> int:
        """How many rows' pictures are kept."""
        return len(self._pictures)

    def _make(
        self,
        cells: Sequence[Cell],
        height: int,
        frame: RowFrame,
        option: QStyleOptionViewItem,
    ) -> QPixmap | None:
        delegate = self.delegate
        whole = frame.ratio == int(frame.ratio)  # a cell's picture lands on whole pixels
        drawn: list[tuple[QRect, QIcon | None, QTextLayout | None, QPointF]] = []
        copied: list[tuple[int, QPixmap]] = []
        for column, x, width in frame.columns:
            cell = cells[column]
            if cell is None:
                return None
            text, icon = cell
            if not text and icon is None:
                continue
            if icon is None and whole:
                kept = self._cell_picture(text, width, height, frame, option)
                if kept is not None:
                    copied.append((x, kept))
                    continue
            rect = option.rect = QRect(x, 0, width, height)
            layout, dx, dy = delegate.layout_of(text, option, icon) if text else (None, 0, 0)
            if text and layout is None:
                return None  # a text Qt lays out itself (see CachedTextDelegate._lay_out)
            drawn.append((rect, icon, layout, QPointF(x + dx, dy)))
        picture = QPixmap(self._blank(height, frame))  # shared until drawn on: then a copy
        painter = QPainter(picture)
        for x, kept in copied:
            painter.drawPixmap(x, 0, kept)
        painter.setPen(delegate.text_pen(option, frame.shade))
        for rect, icon, layout, place in drawn:
            painter.setClipRect(rect)  # as QCommonStyle clips a view item to its rectangle
            if icon is not None:
                option.rect = rect
                delegate.paint_icon(painter, option, icon, frame.shade)
            if layout is not None:
                layout.draw(painter, place)
        painter.end()
        return picture

    def _cell_picture(
        self, text: str, width: int, height: int, frame: RowFrame, option: QStyleOptionViewItem
    ) -> QPixmap | None:
        """The kept picture of ``text`` in a cell of this size and frame, made when the text
        comes a second time; None for a text seen once (drawn into its row)."""
        key = (text, width, height, frame.number)
        kept = self._cells.get(key)
        if kept is not None or key not in self._seen:
            if kept is None:
                if len(self._seen) >= SEEN_TEXTS:
                    self._seen.clear()
                self._seen.add(key)
            return kept
        option.rect = QRect(0, 0, width, height)
        layout, dx, dy = self.delegate.layout_of(text, option, None)
        if layout is None:
            return None
        ratio = frame.ratio
        kept = QPixmap(QSize(width, height) * ratio)
        kept.setDevicePixelRatio(ratio)
        kept.fill(frame.background)
        painter = QPainter(kept)
        painter.setPen(self.delegate.text_pen(option, frame.shade))
        layout.draw(painter, QPointF(dx, dy))  # clipped by the picture's edges, as by the cell's
        painter.end()
        if len(self._cells) >= KEPT_CELLS:
            self._cells.clear()
        self._cells[key] = kept
        return kept

    def _blank(self, height: int, frame: RowFrame) -> QPixmap:
        """A row of this frame before its texts: the background, and the grid lines when the
        pictures hold them (the texts, clipped to their cells, never cover a line)."""
        key = (height, frame.number)
        blank = self._blanks.get(key)
        if blank is not None:
            return blank
        ratio, lines = frame.ratio, frame.grid
        blank = QPixmap(QSize(frame.width, height + (lines is not None)) * ratio)
        blank.setDevicePixelRatio(ratio)
        blank.fill(frame.background)
        if lines is not None:  # where the table's grid lines cross this row
            painter = QPainter(blank)
            painter.fillRect(QRect(0, height, frame.width, 1), lines)
            for _column, x, width in frame.columns:
                painter.fillRect(QRect(x + width, 0, 1, height + 1), lines)
            painter.end()
        if len(self._blanks) >= 16:
            self._blanks.clear()
        self._blanks[key] = blank
        return blank

    def _keep(self, key: Hashable, picture: QPixmap | None) -> None:
        size = _bytes(picture)
        self._pictures[key] = picture
        self._bytes += size
        while self._bytes > KEPT_BYTES and len(self._pictures) > 1:
            _key, oldest = self._pictures.popitem(last=False)
            self._bytes -= _bytes(oldest)


def _bytes(picture: QPixmap | None) -> int:
    return 0 if picture is None else picture.width() * picture.height() * 4
