"""The registry's table model: the rows listed so far, fetched by pages on a thread.

The model holds only the rows fetched so far and asks the records service for the next page as the
officer scrolls, so 100,000 records open as fast as 100 (see RegistryModel).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QApplication, QStyle

from app.core import clock
from app.i18n import N_, current_language, format_date
from app.services.context import AppContext
from app.services.form_catalogue import available_forms
from app.services.records import COURT_STATUS_LABELS, STATUS_LABELS
from app.services.registry import (
    SEARCH_SORT_LIMIT,
    RegistryCursor,
    RegistryQuery,
    RegistryRow,
    count_registry,
    registry_page,
    search_is_indexed,
    search_registry,
)
from app.ui.text import _
from app.ui.worker import BackgroundTask

PAGE_SIZE = 200
BACKGROUND_DELAY_MS = 60  # the count and the next page are read after the first paint

# (column key, header msgid, sort key understood by the records service or None)
COLUMNS: list[tuple[str, str, str | None]] = [
    ("reference", N_("Reference"), "reference"),
    ("name_km", N_("Name (Khmer)"), "name_km"),
    ("name_latin", N_("Name (Latin)"), "name_latin"),
    ("form", N_("Form"), None),
    ("status", N_("Status"), "status"),
    ("court_status", N_("Court status"), None),
    ("updated", N_("Last change"), "updated"),
]

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole.value
DECORATION = Qt.ItemDataRole.DecorationRole.value
USER = Qt.ItemDataRole.UserRole.value
PROTECTION_ROLES = (DECORATION, Qt.ItemDataRole.ToolTipRole.value)
NAME_KM_COLUMN = next(number for number, column in enumerate(COLUMNS) if column[0] == "name_km")


class RegistryModel(QAbstractTableModel):
    """The rows listed so far, and one page fetched ahead of them on a thread.

    Opening the list or changing the query reads the first page at once (one keyset query, no
    COUNT); the count and the next page come from a background thread. Scrolling to the end
    only moves rows already fetched into the table and asks the thread for the following page:
    no query runs on the UI thread while the officer scrolls (issue 20)."""

    counted = Signal()  # self.total is known

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.query = RegistryQuery()
        self.rows: list[RegistryRow] = []
        self.total = 0
        self.total_known = False
        self._ahead: list[RegistryRow] = []  # fetched, not yet in the table
        self._cursor: RegistryCursor | None = None  # where the page after _ahead starts
        self._known_count: int | None = None  # a search's capped count (decides its order)
        self._generation = 0  # answers of an earlier query are dropped
        self._fetching: BackgroundTask | None = None
        self._counting: BackgroundTask | None = None
        self._searching: BackgroundTask | None = None
        self._wanted = False  # the view asked for more while the thread was still reading
        # Each listed row's cell texts, made the first time the row is painted (dates and
        # titles are costly to format; Qt asks for each cell many times while scrolling).
        self._texts: dict[int, tuple[str, ...]] = {}
        self._cells: dict[int, tuple[tuple[str, Any], ...]] = {}  # the same with their icons
        self._words: dict[tuple[str, object], str] = {}  # form titles, dates, status labels
        self._warning_icon: Any = None
        self.reload()

    def set_query(self, query: RegistryQuery) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        self._fetching = self._counting = self._searching = None
        self._wanted = False
        if self.query.search and not search_is_indexed(self.query.search):
            # A search too short for the index scans every record: on the thread, so the window
            # stays responsive; the list is empty until it answers.
            self._show_search([], False)
            self._search_in_background()
            return
        if self.query.search:
            # The index is read once (at most SEARCH_SORT_LIMIT + 1 matches): their number, and
            # the order they are listed in; a broad search streams the rest from the thread.
            self._show_search(*search_registry(self.ctx, self.query))
            return
        # A listing is not counted here: the first page is one indexed query, the total
        # follows from the thread.
        self._known_count = None
        rows, cursor = registry_page(self.ctx, self.query, None, PAGE_SIZE)
        self._show(rows, [], cursor)

    def _show_search(self, matches: list[RegistryRow], broad: bool) -> None:
        self._known_count = SEARCH_SORT_LIMIT + 1 if broad else len(matches)
        rows, ahead = matches[:PAGE_SIZE], matches[PAGE_SIZE:]
        cursor = RegistryCursor("", "", len(rows) + len(ahead)) if broad else None
        self._show(rows, ahead, cursor)

    def _show(
        self, rows: list[RegistryRow], ahead: list[RegistryRow], cursor: RegistryCursor | None
    ) -> None:
        self.beginResetModel()
        self.rows, self._ahead, self._cursor = rows, ahead, cursor
        self._texts.clear()
        self._cells.clear()
        self.endResetModel()
        if self._searching is not None:
            self.total_known = False  # still searching: no count to show yet
            self.counted.emit()
            return
        if cursor is None and not ahead:
            self._set_total(len(rows))
        elif self._known_count is not None:
            self._set_total(self._known_count)
        else:
            self.total_known = False
        # The thread starts once the rows are painted: it would otherwise share the processor
        # (and Python's lock) with that first paint.
        generation = self._generation
        QTimer.singleShot(BACKGROUND_DELAY_MS, lambda: self._start_background(generation))

    def _search_in_background(self) -> None:
        generation, query = self._generation, self.query

        def job(_progress: object, _cancelled: object) -> object:
            return search_registry(self.ctx, query)

        def found(answer: tuple[list[RegistryRow], bool]) -> None:
            if generation == self._generation:
                self._searching = None
                self._show_search(*answer)

        task = BackgroundTask(job)
        task.succeeded.connect(found)
        self._searching = task
        task.start()

    @property
    def searching(self) -> bool:
        """A search is being read on the thread (a short one, see search_is_indexed)."""
        return self._searching is not None

    def _start_background(self, generation: int) -> None:
        if generation != self._generation:
            return
        if not self.total_known and self._counting is None:
            self._count_in_background()
        self._fetch_ahead()

    def _set_total(self, total: int) -> None:
        self.total, self.total_known = total, True
        self.counted.emit()

    def _count_in_background(self) -> None:
        generation, query = self._generation, self.query
        task = BackgroundTask(lambda _progress, _cancelled: count_registry(self.ctx, query))
        task.succeeded.connect(
            lambda total: self._set_total(total) if generation == self._generation else None
        )
        self._counting = task
        task.start()

    def _fetch_ahead(self) -> None:
        if self._fetching is not None or self._cursor is None or self._ahead:
            return
        generation, query, cursor = self._generation, self.query, self._cursor
        known = self._known_count

        def job(_progress: object, _cancelled: object) -> object:
            return registry_page(self.ctx, query, cursor, PAGE_SIZE, known)

        task = BackgroundTask(job)
        task.succeeded.connect(lambda page: self._arrived(generation, page))
        self._fetching = task
        task.start()

    def _arrived(
        self, generation: int, page: tuple[list[RegistryRow], RegistryCursor | None]
    ) -> None:
        if generation != self._generation:
            return
        self._fetching = None
        self._ahead, self._cursor = page
        if self._wanted:  # the officer reached the end while the page was read: show it now
            self._wanted = False
            self.fetchMore(QModelIndex())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and (bool(self._ahead) or self._cursor is not None)

    def fetchMore(self, parent: Index) -> None:
        """Rows already fetched go into the table; the thread reads the next page."""
        if parent.isValid():
            return
        if not self._ahead:
            self._wanted = True
            self._fetch_ahead()
            return
        page, self._ahead = self._ahead, []
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
        self.rows.extend(page)
        self.endInsertRows()
        if self._cursor is None and not self.total_known:
            self._set_total(len(self.rows))
        self._fetch_ahead()

    def forget_texts(self) -> None:
        """The language changed: cell texts are made again when next shown."""
        self._texts.clear()
        self._cells.clear()
        self._words.clear()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called for every role of every visible cell at each scroll step: the common answers
        # come first and cost one dictionary lookup (roles compared as plain ints).
        if role == DISPLAY:
            row = index.row()
            texts = self._texts.get(row)
            if texts is None:
                if not index.isValid():
                    return None
                texts = self._texts[row] = self._row_texts(self.rows[row])
            return texts[index.column()]
        if role == USER:
            return self.rows[index.row()].id if index.isValid() else None
        if role in PROTECTION_ROLES and index.column() == NAME_KM_COLUMN and index.isValid():
            if not self.rows[index.row()].identity_protected:
                return None
            if role == DECORATION:
                return self._protection_icon()
            return _("The applicant asked for identity protection.")
        return None

    def cell(self, row: int, column: int) -> tuple[str, Any]:
        """A cell's text and icon for the table's delegate (app.ui.cell_text), read without a call
        through Qt: the paint asks for every visible cell at each scroll step."""
        texts = self._texts.get(row)
        if texts is None:
            texts = self._texts[row] = self._row_texts(self.rows[row])
        if column == NAME_KM_COLUMN and self.rows[row].identity_protected:
            return texts[column], self._protection_icon()
        return texts[column], None

    def row_cells(self, row: int) -> tuple[tuple[str, Any], ...]:
        """Every cell of a row as ``cell`` gives it, for the table's row pictures
        (app.ui.row_pictures): one call per row, the same tuple each time."""
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = tuple(
                self.cell(row, column) for column in range(len(COLUMNS))
            )
        return cells

    def _protection_icon(self) -> Any:
        # No emoji: officers' laptops have no colour-emoji font; a standard icon always draws.
        if self._warning_icon is None:
            style = QApplication.style()
            self._warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon

    def _row_texts(self, row: RegistryRow) -> tuple[str, ...]:
        return tuple(self._text(row, key) for key, _msgid, _sort in COLUMNS)

    def _word(self, kind: str, value: object, make: Callable[[], str]) -> str:
        """A text shared by many rows (a form's title, a day, a status), made once."""
        word = self._words.get((kind, value))
        if word is None:
            word = self._words[(kind, value)] = make()
        return word

    def _text(self, row: RegistryRow, key: str) -> str:
        """A cell's text."""
        if key == "reference":
            return row.reference or "—"
        if key == "name_km":
            return row.name_km
        if key == "name_latin":
            return row.name_latin
        if key == "form":
            return self._word("form", row.form_id, lambda: self._form_title(row.form_id))
        if key == "status":
            return self._word(
                "status", row.status, lambda: _(STATUS_LABELS.get(row.status, row.status))
            )
        if key == "court_status":
            if not row.court_status:
                return ""
            status = row.court_status
            return self._word("court", status, lambda: _(COURT_STATUS_LABELS.get(status, status)))
        if key == "updated":
            day = clock.day_of(row.updated_at)  # the laptop's day; the medium format shows no time
            return self._word("day", day, lambda: format_date(day, style="medium"))
        return ""

    def _form_title(self, form_id: str) -> str:
        forms = available_forms()
        form = forms.get(form_id)
        return form.title.get(current_language()) if form is not None else form_id

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        sort_key = COLUMNS[column][2]
        if sort_key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (sort_key, descending) == (self.query.sort, self.query.descending):
            return  # already in this order
        self.set_query(
            RegistryQuery(**{**self.query.__dict__, "sort": sort_key, "descending": descending})
        )

    def application_id(self, row: int) -> str:
        return self.rows[row].id
