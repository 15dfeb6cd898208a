"""Table cells painted from text laid out once (issue 20: a scroll step within a frame).

Qt's item delegate lays a cell's text out three times at every paint (its size, its elision,
then the drawing): at ~26 rows x 7 columns that shaping was most of a registry scroll step, in
Khmer and in English alike. This delegate keeps each cell text's finished layout (elided as Qt
would elide it, glyphs shaped) for the cell's size, and draws it again from there; Qt's own
painting is kept for what is rare or stateful (an icon, the focused or hovered cell).

The layout is made by the same steps as QCommonStyle's view-item text (Qt 6:
``viewItemDrawText`` and ``calculateElidedText``): the margins, the word wrap, the last visible
line ended with "…", the vertical centring. tests/ui/test_cell_text.py compares its pixels with
Qt's own painting in Khmer and English.
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
    QFontMetrics,
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

Index = QModelIndex | QPersistentModelIndex

# How many drawn texts are kept (a cell's picture is ~20 KB: ~10 MB for two screens and the page
# prepared below them), and how many laid-out ones, to draw a text again in another colour (a row
# selected) without shaping it again.
PICTURES = 512
CAPACITY = 256
ELLIPSIS = "\u2026"

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
# A cell as the model gives it: its text and its icon (None: none), or None: Qt paints it.
Cell = tuple[str, QIcon | None] | None


def _lay_out_lines(layout: QTextLayout, width: int, max_height: int = -1) -> tuple[float, int]:
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


def _elided(
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
    _height, last_visible = _lay_out_lines(layout, rect.width(), rect.height())
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


class CachedTextDelegate(QStyledItemDelegate):
    """Paints plain-text cells, with an icon or not, from cached layouts. ``cell(row, column)``
    gives a cell's text and icon without a call through Qt (None: Qt paints the cell)."""

    def __init__(self, parent: QWidget, cell: Callable[[int, int], Cell]) -> None:
        super().__init__(parent)
        self.view = parent
        self.cell = cell
        self._layouts: OrderedDict[tuple[str, int, int, bool], Layout] = OrderedDict()
        self._pens: dict[int, QColor] = {}
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
        parent.installEventFilter(self)
        if isinstance(parent, QAbstractItemView):
            parent.viewport().installEventFilter(self)

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
        if not self._looking_ahead:
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
            self._paint_icon(painter, option, icon, state)
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
        self._pens.clear()
        self._pictures.clear()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        # Called for every visible cell at each paint: the common case is two dictionary
        # lookups and one picture drawn; states and flags are compared as plain ints.
        if not self._looking_ahead:
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
            self._paint_icon(painter, option, icon, state)
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
        key = (text, rect.width(), rect.height(), icon is not None, state & _PEN_STATES)
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
        text, width, height, has_icon, shade = key
        layout_key = (text, width, height, has_icon)
        entry = self._layouts.get(layout_key)
        if entry is None:
            entry = self._lay_out(layout_key, option, icon)
        else:
            self._layouts.move_to_end(layout_key)
        layout, dx, dy = entry
        if layout is None:
            return None
        pen = self._pens.get(shade)
        if pen is None:
            pen = self._pens[shade] = _text_colour(option, shade)
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
        first = view.rowAt(0)
        last = view.rowAt(view.viewport().height() - 1)
        if first < 0:
            return
        if last < 0:
            last = model.rowCount() - 1
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        grid = 1 if view.showGrid() else 0
        ratio = view.viewport().devicePixelRatio()
        shade = option.state.value & _PEN_STATES
        columns = [
            (column, view.columnWidth(column) - grid)
            for column in range(model.columnCount())
            if not view.isColumnHidden(column)
        ]
        for row in range(last + 1, min(model.rowCount(), 2 * last - first + 2)):
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

    def _paint_icon(
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
        rect = option.rect
        if any(ord(char) > 0xFFFF for char in text):
            # Qt counts a line's start and length in UTF-16 units: such a text (an emoji, a rare
            # ideograph) is left to Qt rather than cut at the wrong place.
            return self._keep(key, (None, 0.0, 0.0))
        display = QRect(rect)
        if icon is not None:
            box = self._icon_box(option, icon, option.state.value)[2]
            display.setLeft(box.right() + 1)
        margin = self.view.style().pixelMetric(_FOCUS_MARGIN, None, self.view) + 1
        text_rect = display.adjusted(margin, 0, -margin, 0)
        font = option.font
        text_option = QTextOption()
        text_option.setWrapMode(_WORD_WRAP if option.features & _WRAPS else _NO_WRAP)
        text_option.setTextDirection(option.direction)
        alignment = option.displayAlignment
        text_option.setAlignment(QStyle.visualAlignment(option.direction, alignment))
        offset = float(text_rect.x() - rect.x())
        layout = _one_line(text, font, text_option, text_rect.width())
        if layout is not None:  # fits on one line: shown whole, centred as Qt centres it
            size = layout.boundingRect().size().toSize()
            top = QStyle.alignedRect(
                Qt.LayoutDirection.LayoutDirectionAuto, alignment, size, text_rect
            ).top()
            return self._keep(key, (layout, offset, float(top - rect.y())))
        shown, top_f, layout = _elided(
            text, font, text_option, text_rect, alignment, option.textElideMode
        )
        if shown != text or layout.lineCount() != 1:
            layout = QTextLayout(shown, font)
            layout.setTextOption(text_option)
            layout.setCacheEnabled(True)
            _lay_out_lines(layout, text_rect.width())
        return self._keep(key, (layout, offset, top_f - rect.y()))

    def _keep(self, key: tuple[str, int, int, bool], entry: Layout) -> Layout:
        self._layouts[key] = entry
        if len(self._layouts) > CAPACITY:
            self._layouts.popitem(last=False)
        return entry


_PEN_STATES = _SELECTED | _ENABLED | _ACTIVE


def _text_colour(option: QStyleOptionViewItem, state: int) -> QColor:
    """The text colour QCommonStyle uses for this state (HighlightedText when selected)."""
    group = QPalette.ColorGroup.Normal if state & _ENABLED else QPalette.ColorGroup.Disabled
    if group == QPalette.ColorGroup.Normal and not state & _ACTIVE:
        group = QPalette.ColorGroup.Inactive
    role = QPalette.ColorRole.HighlightedText if state & _SELECTED else QPalette.ColorRole.Text
    return option.palette.color(group, role)


def _one_line(text: str, font: QFont, option: QTextOption, width: int) -> QTextLayout | None:
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
