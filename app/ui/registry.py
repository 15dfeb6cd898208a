"""The applicant registry: a lazily loaded table over the store, with search and filters.

The model holds only the rows fetched so far and asks the records service for the next page as the
officer scrolls, so 100,000 records open as fast as 100.
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
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, current_language, format_date, format_number
from app.services.context import AppContext
from app.services.form_catalogue import available_forms
from app.services.records import COURT_STATUS_LABELS, STATUS_LABELS
from app.services.registry import (
    SEARCH_SORT_LIMIT,
    RegistryQuery,
    RegistryRow,
    count_registry,
    known_forums,
    list_registry,
    search_is_broad,
)
from app.ui.sizing import ColumnFitter
from app.ui.text import _

PAGE_SIZE = 200

# Starting widths (pixels) so a reference number and a Khmer name are never cut off.
COLUMN_WIDTHS = (170, 170, 160, 230, 120, 170, 150)  # shares of the table's width


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


class RegistryModel(QAbstractTableModel):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.query = RegistryQuery()
        self.rows: list[RegistryRow] = []
        self.total = 0
        self.form_titles: dict[str, Callable[[], str]] = {}
        self.reload()

    def set_query(self, query: RegistryQuery) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.total = count_registry(self.ctx, self.query)
        self.rows = list_registry(self.ctx, self.query, 0, PAGE_SIZE, self.total)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        page = list_registry(self.ctx, self.query, len(self.rows), PAGE_SIZE, self.total)
        if not page:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
        self.rows.extend(page)
        self.endInsertRows()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if key == "name_km" and row.identity_protected:
            # No emoji: officers' laptops have no colour-emoji font; a standard icon always draws.
            if role == Qt.ItemDataRole.DecorationRole:
                return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            if role == Qt.ItemDataRole.ToolTipRole:
                return _("The applicant asked for identity protection.")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "reference":
            return row.reference or "—"
        if key == "name_km":
            return row.name_km
        if key == "name_latin":
            return row.name_latin
        if key == "form":
            return self._form_title(row.form_id)
        if key == "status":
            return _(STATUS_LABELS.get(row.status, row.status))
        if key == "court_status":
            if not row.court_status:
                return ""
            return _(COURT_STATUS_LABELS.get(row.court_status, row.court_status))
        if key == "updated":
            return format_date(row.updated_at, style="medium")
        return None

    def _form_title(self, form_id: str) -> str:
        forms = available_forms()
        form = forms.get(form_id)
        return form.title.get(current_language()) if form is not None else form_id

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        sort_key = COLUMNS[column][2]
        if sort_key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(
            RegistryQuery(**{**self.query.__dict__, "sort": sort_key, "descending": descending})
        )

    def application_id(self, row: int) -> str:
        return self.rows[row].id


class RegistryPage(QWidget):
    """List, search and filter applications; double-click opens one."""

    scrolls_itself = True  # its own scroll areas fill the page (see MainWindow)

    application_chosen = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.search_box = QLineEdit()
        self.search_box.setObjectName("registrySearch")
        self.search_box.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.form_filter = QComboBox()
        self.forum_filter = QComboBox()
        self.forum_filter.setObjectName("forumFilter")
        self.count_label = QLabel()
        self.model = RegistryModel(ctx)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # On a netbook the form and last-change columns give way (both are in the record).
        self.columns = ColumnFitter(self.table, COLUMN_WIDTHS, optional=(3, 6))
        self.table.doubleClicked.connect(
            lambda index: self.application_chosen.emit(self.model.application_id(index.row()))
        )

        filters = QHBoxLayout()
        # The search box is the main way in: it keeps its room on a small laptop screen, and the
        # filters shrink (long form titles would otherwise squeeze it to nothing).
        self.search_box.setMinimumWidth(280)
        for combo in (self.status_filter, self.form_filter, self.forum_filter):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(10)
        filters.addWidget(self.search_box, 3)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.form_filter, 1)
        filters.addWidget(self.forum_filter, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(filters)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)

        # Search as the officer types, but not on every keystroke of a fast typist.
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(250)
        self.search_timer.timeout.connect(self.apply_filters)
        self.search_box.textChanged.connect(lambda _text: self.search_timer.start())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.form_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.forum_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Applicants"))
        self.search_box.setPlaceholderText(
            _("Search by name (Khmer or Latin), reference number or village")
        )
        status_items: list[tuple[str | None, str]] = [(None, _("All statuses"))]
        status_items += [(k, _(v)) for k, v in STATUS_LABELS.items()]
        form_items: list[tuple[str | None, str]] = [(None, _("All forms"))]
        form_items += [(f.id, f.title.get(current_language())) for f in available_forms().values()]
        forum_items: list[tuple[str | None, str]] = [(None, _("All forums"))]
        forum_items += [(forum, forum) for forum in known_forums(self.ctx)]
        for combo, items in (
            (self.status_filter, status_items),
            (self.form_filter, form_items),
            (self.forum_filter, forum_items),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for data, label in items:
                combo.addItem(label, data)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self.model.dataChanged.emit(
            self.model.index(0, 0),
            self.model.index(max(0, self.model.rowCount() - 1), len(COLUMNS) - 1),
        )
        self._show_count()

    def apply_filters(self) -> None:
        self.model.set_query(
            RegistryQuery(
                search=self.search_box.text().strip(),
                status=self.status_filter.currentData(),
                form_id=self.form_filter.currentData(),
                forum=self.forum_filter.currentData(),
                sort=self.model.query.sort,
                descending=self.model.query.descending,
            )
        )
        self._show_count()

    def refresh(self) -> None:
        self.model.reload()
        self._show_count()

    def showEvent(self, event: Any) -> None:
        """New records and forums appear when the officer comes back to the list."""
        super().showEvent(event)
        self.retranslate()
        self.refresh()

    def _show_count(self) -> None:
        if self.model.query.search and search_is_broad(self.model.total):
            self.count_label.setText(
                _("More than {count} applications match: type more to narrow the search.").format(
                    count=format_number(SEARCH_SORT_LIMIT)
                )
            )
            return
        self.count_label.setText(
            _("{count} applications").format(count=format_number(self.model.total))
        )
