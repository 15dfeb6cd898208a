"""Table cells painted from text laid out once (issue 20: a scroll step within a frame).

Qt's item delegate lays a cell's text out three times at every paint (its size, its elision,
then the drawing): at ~26 rows x 7 columns that shaping was most of a registry scroll step, in
Khmer and in English alike. This delegate keeps each cell text's finished layout (elided as Qt
would elide it, glyphs shaped) for the cell's size, and draws it again from there; Qt's own
painting is kept for what is rare or stateful (an icon, the focused or hovered cell).

The layout is made by the same steps as QCommonStyle's view-item text (Qt 6:
``viewItemDrawText`` and ``calculateElidedText``, followed in app.ui.view_item_text): the
margins, the word wrap, the last visible line ended with "…", the vertical centring. The table's
plain rows are drawn from these layouts a whole row at a time (app.ui.row_pictures).
tests/ui/test_cell_text.py compares the pixels with Qt's own painting in Khmer and English.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
    QSinglePointEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from app.ui.event_filters import WatchingFilter
from app.ui.view_item_text import elided, lay_out_lines, one_line

Index = QModelIndex | QPersistentModelIndex

# How many drawn texts are kept (a cell's picture is ~20 KB: ~10 MB for two screens and the page
# prepared below them), and how many laid-out ones, to draw a text again in another colour (a row
# selected) without shaping it again.
PICTURES = 512
CAPACITY = 256

# States Qt's own painting is left to: the focus frame, hover, an editor.
_QT_PAINTS = (
    QStyle.StateFlag.State_HasFocus.value
    | QStyle.StateFlag.State_MouseOver.value
    | QStyle.StateFlag.State_Editing.value
)
_SELECTED = QStyle.StateFlag.State_Selected.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_FOCUS_MARGIN = QStyle.PixelMetric.PM_FocusFrameHMargin
_WRAPS = QStyleOptionViewItem.ViewItemFeature.WrapText
_AUTO_DIRECTION = Qt.LayoutDirection.LayoutDirectionAuto
_WORD_WRAP, _NO_WRAP = QTextOption.WrapMode.WordWrap, QTextOption.WrapMode.ManualWrap

# What changes how a text is laid out: every layout is made again.
_LAYOUT_CHANGES = frozenset(
    {
        QEvent.Type.FontChange,
        QEvent.Type.StyleChange,
        QEvent.Type.LayoutDirectionChange,
        QEvent.Type.PaletteChange,
        QEvent.Type.DevicePixelRatioChange,
    }
)

# The pointer moved over the table, or left it (the row under it is painted by Qt: hover).
_POINTER_MOVES = frozenset(
    {QEvent.Type.HoverEnter, QEvent.Type.HoverMove, QEvent.Type.MouseMove, QEvent.Type.Enter}
)
_POINTER_LEAVES = frozenset({QEvent.Type.HoverLeave, QEvent.Type.Leave})
_HOVER_MOVES = frozenset({QEvent.Type.HoverEnter, QEvent.Type.HoverMove})

# A cell text's layout (None: Qt paints it) and where it is drawn from the cell's corner.
Layout = tuple[QTextLayout | None, float, float]
# A drawn text: its text, cell width and height, whether an icon is beside it, its state.
PictureKey = tuple[str, int, int, bool, int]
# Where a cell's text goes (from the cell's corner), its font, options and alignment.
TextFrame = tuple[QRect, QFont, QTextOption, Qt.AlignmentFlag]
# A cell as the model gives it: its text and its icon (None: none), or None: Qt paints it.
Cell = tuple[str, QIcon | None] | None


class CachedTextDelegate(WatchingFilter, QStyledItemDelegate):
    """Paints plain-text cells, with an icon or not, from cached layouts. ``cell(row, column)``
    gives a cell's text and icon without a call through Qt (None: Qt paints the cell);
    ``row(row)``, when given, all the cells of a row at once (app.ui.row_pictures)."""

    def __init__(
        self,
        parent: QWidget,
        cell: Callable[[int, int], Cell],
        row: Callable[[int], tuple[Cell, ...]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = parent
        self.cell = cell
        self._row = row
        self.generation = 0  # counts forget(): what is drawn from the layouts is made again
        # The table draws its plain rows itself (app.ui.cached_table) and prepares the next page
        # of them: the delegate's own look-ahead is for the cells Qt's paint asks it for.
        self.looks_ahead = True
        self._layouts: OrderedDict[tuple[str, int, int, bool], Layout] = OrderedDict()
        self._pens: dict[int, QColor] = {}
        self._frames: dict[tuple[int, int, bool], TextFrame] = {}  # see _text_frame
        # The cell's text drawn on a transparent picture in each colour it was shown in: drawing
        # the picture is a quarter of drawing the glyphs again.
        self._pictures: dict[PictureKey, QPixmap] = {}
        self._looking_ahead = False  # the next page's pictures are to be made when idle
        # Reading a cell's state from Qt costs more than drawing its picture: it is read once
        # per paint of the table (the state of a cell in no special row) and per cell only in the
        # rows that are selected, current or under the pointer.
        self._plain_state: int | None = None
        self._special_rows: set[int] = set()
        self._pointed_row = -1
        self.hovered = QPersistentModelIndex()  # the cell Qt paints as hovered (its hover index)
        self.watch(parent)  # taken off before Python lets go of the delegate (app.ui.event_filters)
        if isinstance(parent, QAbstractItemView):
            self.watch(parent.viewport())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.view:
            if kind in _LAYOUT_CHANGES:
                self.forget()
        elif kind == QEvent.Type.Paint:
            self._note_paint()
        elif kind in _POINTER_MOVES:
            pointed = self._index_at(event)
            self._pointed_row = pointed.row()
            if kind in _HOVER_MOVES:  # as QAbstractItemView sets its hover index
                self.hovered = QPersistentModelIndex(pointed)
        elif kind in _POINTER_LEAVES:
            self._pointed_row = -1
            self.hovered = QPersistentModelIndex()
        return False

    def _index_at(self, event: QEvent) -> QModelIndex:
        view = self.view
        if isinstance(view, QAbstractItemView) and isinstance(event, QSinglePointEvent):
            return view.indexAt(event.position().toPoint())
        return QModelIndex()

    @property
    def plain_state(self) -> int | None:
        """The state of a cell in no special row, for this paint (None: read it per cell)."""
        return self._plain_state

    @property
    def special_rows(self) -> set[int]:
        """The rows Qt paints this time: selected, current with the focus, under the pointer."""
        return self._special_rows

    def paint_plain(
        self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, row: int, column: int
    ) -> bool:
        """Draw the cell at ``rect`` of a row in no special state (app.ui.cached_table), from
        its picture; False when Qt must paint it (``option`` is the table's, its rect is set)."""
        if self.looks_ahead and not self._looking_ahead:
            self._look_ahead_when_idle()
        state = self._plain_state
        cell = self.cell(row, column)
        if state is None or cell is None:
            return False
        text, icon = cell
        if not text and icon is None:
            return True  # an empty cell of a plain row: nothing is drawn
        option.rect = rect
        picture = self._picture_of(text, icon, state, rect, option, painter) if text else None
        if text and picture is None:
            return False
        if icon is not None:
            self.paint_icon(painter, option, icon, state)
        if picture is not None:
            painter.drawPixmap(rect, picture)
        return True

    def _note_paint(self) -> None:
        """Before the table paints: the state of its plain cells, and the rows Qt paints
        otherwise (selected, current with the focus, under the pointer, being edited)."""
        view = self.view
        self._plain_state = None
        if not isinstance(view, QAbstractItemView):
            return
        if view.state() == QAbstractItemView.State.EditingState:
            return
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        special = set()
        selection = view.selectionModel()
        if selection is not None:
            special = {index.row() for index in selection.selectedIndexes()}
        current = view.currentIndex()
        if current.isValid() and (view.hasFocus() or view.viewport().hasFocus()):
            special.add(current.row())
        if self._pointed_row >= 0:
            special.add(self._pointed_row)
        self._special_rows = special
        self._plain_state = option.state.value

    def forget(self) -> None:
        """The font, the style or the palette changed: lay every text out again."""
        self._layouts.clear()
        self._frames.clear()
        self._pens.clear()
        self._pictures.clear()
        self.generation += 1

    def row_cells(self, row: int, count: int) -> tuple[Cell, ...]:
        """The ``count`` cells of ``row``, in the model's column order."""
        if self._row is not None:
            return self._row(row)
        return tuple(self.cell(row, column) for column in range(count))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        # Called for every visible cell at each paint: the common case is two dictionary
        # lookups and one picture drawn; states and flags are compared as plain ints.
        if self.looks_ahead and not self._looking_ahead:
            self._look_ahead_when_idle()
        row = index.row()
        state = self._plain_state
        if state is None or row in self._special_rows:
            state = option.state.value
        cell = None if state & _QT_PAINTS else self.cell(row, index.column())
        if cell is None:
            super().paint(painter, option, index)
            return
        text, icon = cell
        rect = option.rect
        picture = self._picture_of(text, icon, state, rect, option, painter) if text else None
        if text and picture is None:  # a text Qt lays out itself (see _lay_out)
            super().paint(painter, option, index)
            return
        if state & _SELECTED:
            self.view.style().drawPrimitive(_PANEL, option, painter, self.view)
        if icon is not None:
            self.paint_icon(painter, option, icon, state)
        if picture is not None:
            painter.drawPixmap(rect, picture)

    def _picture_of(
        self,
        text: str,
        icon: QIcon | None,
        state: int,
        rect: QRect,
        option: QStyleOptionViewItem,
        painter: QPainter,
    ) -> QPixmap | None:
        """The picture of ``text`` in a cell of ``rect``'s size in this state, made if new."""
        key = (text, rect.width(), rect.height(), icon is not None, state & PEN_STATES)
        picture = self._pictures.get(key)
        if picture is None:
            picture = self._picture(key, option, icon, painter.device().devicePixelRatio())
        return picture

    def _picture(
        self, key: PictureKey, option: QStyleOptionViewItem, icon: QIcon | None, ratio: float
    ) -> QPixmap | None:
        """The cell's text drawn in its state's colour on a transparent picture of the cell's
        size (at the device's pixel ratio, so it is as sharp as text drawn directly); None for
        a text left to Qt."""
        text, _width, _height, _has_icon, shade = key
        layout, dx, dy = self.layout_of(text, option, icon)
        if layout is None:
            return None
        pen = self.text_pen(option, shade)
        picture = QPixmap(option.rect.size() * ratio)
        picture.setDevicePixelRatio(ratio)
        picture.fill(Qt.GlobalColor.transparent)
        drawing = QPainter(picture)
        drawing.setPen(pen)
        layout.draw(drawing, QPointF(dx, dy))
        drawing.end()
        if len(self._pictures) >= PICTURES:
            del self._pictures[next(iter(self._pictures))]  # the oldest
        self._pictures[key] = picture
        return picture

    def layout_of(self, text: str, option: QStyleOptionViewItem, icon: QIcon | None) -> Layout:
        """``text``'s layout in a cell of ``option.rect``'s size, beside ``icon`` or not, and
        where it is drawn from the cell's corner; made if new (its layout None: Qt lays it
        out)."""
        rect = option.rect
        key = (text, rect.width(), rect.height(), icon is not None)
        entry = self._layouts.get(key)
        if entry is None:
            return self._lay_out(key, option, icon)
        self._layouts.move_to_end(key)
        return entry

    def text_pen(self, option: QStyleOptionViewItem, shade: int) -> QColor:
        """The text colour of a cell in ``shade`` (its state's selected, enabled and active)."""
        pen = self._pens.get(shade)
        if pen is None:
            pen = self._pens[shade] = _text_colour(option, shade & PEN_STATES)
        return pen

    def _look_ahead_when_idle(self) -> None:
        self._looking_ahead = True
        QTimer.singleShot(0, self, self._prepare_next_page)  # not called once this is deleted

    def _prepare_next_page(self) -> None:
        """Make the pictures of the rows below the visible ones while the officer reads: a page
        down then draws pictures only, instead of laying out every new reference and name (the
        text a page shows for the first time was most of a scroll step's time). Only when the
        table is a QTableView shown on screen, and only rows already listed."""
        self._looking_ahead = False
        view = self.view
        if not isinstance(view, QTableView) or not view.isVisible() or view.model() is None:
            return
        model = view.model()
        below = rows_below(view)
        if not below:
            return
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        grid = 1 if view.showGrid() else 0
        ratio = view.viewport().devicePixelRatio()
        shade = option.state.value & PEN_STATES
        columns = [
            (column, view.columnWidth(column) - grid)
            for column in range(model.columnCount())
            if not view.isColumnHidden(column)
        ]
        for row in below:
            height = view.rowHeight(row) - grid
            for column, width in columns:
                cell = self.cell(row, column)
                if cell is None or not cell[0]:
                    continue
                text, icon = cell
                key = (text, width, height, icon is not None, shade)
                if key not in self._pictures:
                    option.rect = QRect(0, 0, width, height)
                    self._picture(key, option, icon, ratio)

    def paint_icon(
        self, painter: QPainter, option: QStyleOptionViewItem, icon: QIcon, state: int
    ) -> None:
        """Where and how QCommonStyle draws a view item's icon (left of the text)."""
        mode, size, box = self._icon_box(option, icon, state)
        place = QStyle.alignedRect(option.direction, option.decorationAlignment, size, box)
        icon.paint(painter, place, option.decorationAlignment, mode, QIcon.State.Off)

    def _icon_box(
        self, option: QStyleOptionViewItem, icon: QIcon, state: int
    ) -> tuple[QIcon.Mode, QSize, QRect]:
        """The icon's mode, size and the box it is centred in (its margins included)."""
        mode = QIcon.Mode.Normal
        if not state & _ENABLED:
            mode = QIcon.Mode.Disabled
        elif state & _SELECTED:
            mode = QIcon.Mode.Selected
        size = icon.actualSize(option.decorationSize, mode, QIcon.State.Off)
        margin = self.view.style().pixelMetric(_FOCUS_MARGIN, None, self.view) + 1
        rect = option.rect
        return mode, size, QRect(rect.x(), rect.y(), size.width() + 2 * margin, rect.height())

    def _lay_out(
        self, key: tuple[str, int, int, bool], option: QStyleOptionViewItem, icon: QIcon | None
    ) -> Layout:
        text = key[0]
        if not text.isascii() and max(text) > "\uffff":
            # Qt counts a line's start and length in UTF-16 units: such a text (an emoji, a rare
            # ideograph) is left to Qt rather than cut at the wrong place.
            return self._keep(key, (None, 0.0, 0.0))
        text_rect, font, text_option, alignment = self._text_frame(key, option, icon)
        offset = float(text_rect.x())
        layout = one_line(text, font, text_option, text_rect.width())
        if layout is not None:  # fits on one line: shown whole, centred as Qt centres it
            size = layout.boundingRect().size().toSize()
            top = QStyle.alignedRect(_AUTO_DIRECTION, alignment, size, text_rect).top()
            return self._keep(key, (layout, offset, float(top)))
        shown, top_f, layout = elided(
            text, font, text_option, text_rect, alignment, option.textElideMode
        )
        if shown != text or layout.lineCount() != 1:
            layout = QTextLayout(shown, font)
            layout.setTextOption(text_option)
            layout.setCacheEnabled(True)
            lay_out_lines(layout, text_rect.width())
        return self._keep(key, (layout, offset, top_f))

    def _text_frame(
        self, key: tuple[str, int, int, bool], option: QStyleOptionViewItem, icon: QIcon | None
    ) -> TextFrame:
        """Where a text goes in a cell of this size with an icon or not (its rectangle from the
        cell's corner: the margins, the icon's box), in which font and options: the same for
        every text of that cell size until forget(), as the layouts are."""
        _text, width, height, has_icon = key
        frame = self._frames.get((width, height, has_icon))
        if frame is not None:
            return frame
        display = QRect(0, 0, width, height)
        if icon is not None:
            cell, option.rect = QRect(option.rect), QRect(display)  # a copy: rect is a view
            box = self._icon_box(option, icon, option.state.value)[2]
            option.rect = cell
            display.setLeft(box.right() + 1)
        margin = self.view.style().pixelMetric(_FOCUS_MARGIN, None, self.view) + 1
        text_option = QTextOption()
        text_option.setWrapMode(_WORD_WRAP if option.features & _WRAPS else _NO_WRAP)
        text_option.setTextDirection(option.direction)
        alignment = option.displayAlignment
        text_option.setAlignment(QStyle.visualAlignment(option.direction, alignment))
        font = QFont(option.font)  # a copy: the option's own dies with the option
        frame = (display.adjusted(margin, 0, -margin, 0), font, text_option, alignment)
        self._frames[(width, height, has_icon)] = frame
        return frame

    def _keep(self, key: tuple[str, int, int, bool], entry: Layout) -> Layout:
        self._layouts[key] = entry
        if len(self._layouts) > CAPACITY:
            self._layouts.popitem(last=False)
        return entry


PEN_STATES = _SELECTED | _ENABLED | _ACTIVE


def rows_below(view: QTableView) -> range:
    """The page of rows below those visible in ``view``, among the rows listed: what is prepared
    while the list is idle, so that a page down only draws."""
    model = view.model()
    first = view.rowAt(0)
    if model is None or first < 0:
        return range(0)
    last = view.rowAt(view.viewport().height() - 1)
    if last < 0:
        last = model.rowCount() - 1
    return range(last + 1, min(model.rowCount(), 2 * last - first + 2))


def _text_colour(option: QStyleOptionViewItem, state: int) -> QColor:
    """The text colour QCommonStyle uses for this state (HighlightedText when selected)."""
    group = QPalette.ColorGroup.Normal if state & _ENABLED else QPalette.ColorGroup.Disabled
    if group == QPalette.ColorGroup.Normal and not state & _ACTIVE:
        group = QPalette.ColorGroup.Inactive
    role = QPalette.ColorRole.HighlightedText if state & _SELECTED else QPalette.ColorRole.Text
    return option.palette.color(group, role)
