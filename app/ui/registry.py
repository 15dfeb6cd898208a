"""The applicant registry: a lazily loaded table over the store, with search and filters.

The model holds only the rows fetched so far and asks the records service for the next page as the
officer scrolls, so 100,000 records open as fast as 100.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.reference import ALPHABET as REFERENCE_ALPHABET
from app.core.reference import DEVICE_CHARS, SEQUENCE_CHARS
from app.core.reference import PREFIX as REFERENCE_PREFIX
from app.i18n import current_language, format_number
from app.services.context import AppContext
from app.services.form_catalogue import available_forms
from app.services.records import STATUS_LABELS
from app.services.registry import SEARCH_SORT_LIMIT, RegistryQuery, known_forums, search_is_broad
from app.ui.cached_table import CachedTextTable
from app.ui.cell_text import CachedTextDelegate
from app.ui.registry_model import COLUMNS, NAME_KM_COLUMN, RegistryModel
from app.ui.sizing import ColumnFitter
from app.ui.text import _

# What other modules and tests name from here (the model lives in app.ui.registry_model).
__all__ = ["COLUMNS", "NAME_KM_COLUMN", "RegistryModel", "RegistryPage", "widest_reference"]

# Starting widths (pixels) so a reference number and a Khmer name are never cut off.
COLUMN_WIDTHS = (170, 170, 160, 230, 120, 170, 150)  # shares of the table's width


def widest_reference(metrics: QFontMetrics) -> str:
    """The widest reference number in this font (VSS-DDDD-NNNN-C, each symbol the widest of the
    alphabet): the reference column is sized to it, so no reference is ever cut."""
    widest = max(REFERENCE_ALPHABET, key=metrics.horizontalAdvance)
    return f"{REFERENCE_PREFIX}-{widest * DEVICE_CHARS}-{widest * SEQUENCE_CHARS}-{widest}"


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
        self.table = CachedTextTable()
        self.table.setModel(self.model)
        # Cell texts are laid out once, not at every paint (a scroll step within a frame).
        self.table.setItemDelegate(
            CachedTextDelegate(self.table, self.model.cell, self.model.row_cells)
        )
        # Enabling sorting sorts by the header's indicator at once: point it at the model's own
        # order first (last change, newest first), so the list is not read a second time.
        sort_column = next(i for i, c in enumerate(COLUMNS) if c[2] == self.model.query.sort)
        self.table.horizontalHeader().setSortIndicator(
            sort_column,
            Qt.SortOrder.DescendingOrder
            if self.model.query.descending
            else Qt.SortOrder.AscendingOrder,
        )
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # On a netbook the form and last-change columns give way (both are in the record).
        self.columns = ColumnFitter(
            self.table, COLUMN_WIDTHS, optional=(3, 6), whole={0: widest_reference}
        )
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
        self.model.counted.connect(self._show_count)
        # Records written anywhere (a page, sync, an import) are listed when the page is next
        # shown; an unchanged store is not read again just because the page was shown.
        self._stale = False
        stop_listening = ctx.store.on_change(self._mark_stale)
        self.destroyed.connect(lambda *_args: stop_listening())
        self.retranslate()

    def _mark_stale(self) -> None:
        self._stale = True  # called in the writing thread: only a flag is set

    def retranslate(self) -> None:
        self.title.setText(_("Applicants"))
        # Short enough to be read whole in the box on a 1024x600 screen; the tooltip says more.
        self.search_box.setPlaceholderText(_("Name, reference or village"))
        self.search_box.setToolTip(
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
        self.model.forget_texts()
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
        if self._stale:
            self._stale = False
            self.retranslate()
            self.refresh()

    def _show_count(self) -> None:
        if self.model.searching:
            self.count_label.setText(_("Searching…"))
            return
        if not self.model.total_known:
            self.count_label.setText("")  # counted on a thread; shown as soon as known
            return
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
