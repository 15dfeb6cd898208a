"""The dashboard: how many applications, where they stand, where they came from, and the export
that supervisors send to the VSS office for its reports.

The bar chart is a small widget drawn with QPainter (:class:`BarChart`). We deliberately do not ship
QtCharts: it comes only in the 59 MB PySide6-Addons wheel, which would more than double the
installer that officers copy to laptops over slow links and USB sticks, for one chart of a few bars.

Field officers see counts of their own records and no export button; the reports service refuses
the export for them as well (the UI only hides what the service forbids).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import clock
from app.i18n import N_, current_language, format_number
from app.services.context import AppContext
from app.services.reports import (
    CountRow,
    DashboardCounts,
    dashboard_counts,
    export_report,
    records_file_for,
)
from app.services.security import sees_all_records
from app.ui.text import _
from app.ui.worker import BackgroundTask, JobView, run_job

# (grouping key, label msgid) for the chart's "show" box.
GROUPINGS: list[tuple[str, str]] = [
    ("status", N_("By status")),
    ("form", N_("By form")),
    ("province", N_("By province")),
    ("forum", N_("By forum")),
]

PAGE_STYLE = """
QFrame#dashboardTile { background: #f4f7fb; border: 1px solid #c9d6e6; border-radius: 8px; }
QLabel#tileValue { font-size: 30pt; font-weight: bold; color: #1f4e79; }
QLabel#tileCaption { font-size: 12pt; color: #333333; }
"""


class BarChart(QWidget):
    """Horizontal bars with their labels on the left and values on the right (Khmer labels are
    long, so they get their own column instead of being squeezed under vertical bars)."""

    BAR_COLOR = QColor("#2e75b6")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[tuple[str, int]] = []
        self.empty_text = ""
        self.more_text = "+{count}"
        self.setObjectName("dashboardChart")
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_bars(self, bars: Sequence[tuple[str, int]]) -> None:
        self._bars = list(bars)
        self.updateGeometry()
        self.update()

    def bars(self) -> list[tuple[str, int]]:
        return list(self._bars)

    def _row_height(self) -> int:
        return max(self.fontMetrics().height() + 10, 28)

    def sizeHint(self) -> QSize:
        return QSize(480, max(120, 16 + self._row_height() * len(self._bars)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        text_color = self.palette().text().color()
        painter.setPen(text_color)
        largest = max((value for _label, value in self._bars), default=0)
        if largest <= 0:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        metrics = painter.fontMetrics()
        margin = 8
        # Rows shrink to fit the height; when even the smallest rows do not fit (25 provinces in
        # a short window), the largest bars are drawn and a last line says how many are left out.
        smallest = metrics.height() + 4
        room = self.height() - 2 * margin
        row_height = max(smallest, min(self._row_height(), room // len(self._bars)))
        bars = self._bars
        left_out = 0
        if row_height * len(bars) > room:
            fitting = max(1, room // row_height - 1)
            left_out = len(bars) - fitting
            bars = sorted(bars, key=lambda bar: -bar[1])[:fitting]
        values = [format_number(value) for _label, value in bars]
        label_width = min(
            max(metrics.horizontalAdvance(label) for label, _value in bars) + 12,
            int(self.width() * 0.4),
        )
        value_width = max(metrics.horizontalAdvance(v) for v in values) + 12
        bar_left = margin + label_width
        bar_room = max(10, self.width() - bar_left - value_width - margin)
        if left_out:
            painter.drawText(
                QRect(bar_left, margin + len(bars) * row_height, bar_room, row_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self.more_text.format(count=format_number(left_out)),
            )
        for row, ((label, value), shown) in enumerate(zip(bars, values, strict=True)):
            top = margin + row * row_height
            label_rect = QRect(margin, top, label_width - 8, row_height)
            elided = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_rect.width())
            painter.drawText(
                label_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, elided
            )
            length = bar_room * value / largest
            if value > 0:
                painter.fillRect(
                    QRectF(bar_left, top + 3, max(length, 2.0), row_height - 6), self.BAR_COLOR
                )
            painter.drawText(
                QRect(int(bar_left + length) + 6, top, value_width, row_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )
        painter.end()


class Tile(QFrame):
    """A big number with a caption under it."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.setObjectName("dashboardTile")
        self.key = key
        self.value_label = QLabel("—")
        self.value_label.setObjectName("tileValue")
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption_label = QLabel()
        self.caption_label.setObjectName("tileCaption")
        self.caption_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)


def _count_table() -> QTableWidget:
    table = QTableWidget(0, 2)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    table.setMinimumHeight(160)
    return table


class DashboardPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.counts: DashboardCounts | None = None
        self.task: BackgroundTask | None = None
        self.setStyleSheet(PAGE_STYLE)

        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("dashboardRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton()
        self.export_button.setObjectName("dashboardExport")
        self.export_button.clicked.connect(self.choose_export_file)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.refresh_button)
        header.addWidget(self.export_button)

        self.scope_label = QLabel()
        self.scope_label.setWordWrap(True)
        self.tiles = {key: Tile(key) for key in ("total", "drafts", "finalised", "waiting")}
        # Outreach with people the court already knows: follow-up contacts, and forum attendance
        # ("came / invited").
        self.outreach_tiles = {key: Tile(key) for key in ("contacts", "forum_attendance")}
        tiles_row = QHBoxLayout()
        for tile in (*self.tiles.values(), *self.outreach_tiles.values()):
            tiles_row.addWidget(tile)

        self.chart_caption = QLabel()
        self.grouping = QComboBox()
        self.grouping.setObjectName("dashboardGrouping")
        self.grouping.currentIndexChanged.connect(lambda _i: self._show_chart())
        chart_header = QHBoxLayout()
        chart_header.addWidget(self.chart_caption)
        chart_header.addWidget(self.grouping)
        chart_header.addStretch(1)
        self.chart = BarChart()

        self.province_caption = QLabel()
        self.forum_caption = QLabel()
        self.province_table = _count_table()
        self.forum_table = _count_table()
        tables = QGridLayout()
        tables.addWidget(self.province_caption, 0, 0)
        tables.addWidget(self.forum_caption, 0, 1)
        tables.addWidget(self.province_table, 1, 0)
        tables.addWidget(self.forum_table, 1, 1)

        self.message = QLabel()
        self.message.setObjectName("dashboardMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.scope_label)
        layout.addLayout(tiles_row)
        layout.addLayout(chart_header)
        layout.addWidget(self.chart, 3)
        layout.addLayout(tables, 2)
        layout.addWidget(self.message)
        self.retranslate()
        self.refresh()

    # --- data ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.counts = dashboard_counts(self.ctx)
        self.export_button.setVisible(sees_all_records(self.ctx))
        self.export_button.setEnabled(sees_all_records(self.ctx))
        self._render()

    def showEvent(self, event: QShowEvent) -> None:
        # Other pages change records; the numbers are cheap to count, so they are fresh on show.
        super().showEvent(event)
        if self.counts is not None:
            self.refresh()

    def _render(self) -> None:
        counts = self.counts
        if counts is None:
            return
        values = {
            "total": counts.total,
            "drafts": counts.drafts,
            "finalised": counts.finalised,
            "waiting": counts.sync.waiting,
        }
        for key, tile in self.tiles.items():
            tile.value_label.setText(format_number(values[key]))
        self.outreach_tiles["contacts"].value_label.setText(format_number(counts.contacts))
        self.outreach_tiles["forum_attendance"].value_label.setText(
            f"{format_number(counts.forum_attended)} / {format_number(counts.forum_invited)}"
        )
        self.scope_label.setText(
            _("Counting your own records.")
            if counts.own_records_only
            else _("Counting every record on this laptop.")
        )
        self._fill(self.province_table, counts.by_province)
        self._fill(self.forum_table, counts.by_forum)
        self._show_chart()

    def _rows_for(self, grouping: str) -> list[CountRow]:
        counts = self.counts
        if counts is None:
            return []
        return {
            "status": counts.by_status,
            "form": counts.by_form,
            "province": counts.by_province,
            "forum": counts.by_forum,
        }.get(grouping, counts.by_status)

    def _show_chart(self) -> None:
        lang = current_language()
        rows = self._rows_for(str(self.grouping.currentData() or "status"))
        self.chart.set_bars([(row.label(lang), row.count) for row in rows])

    def _fill(self, table: QTableWidget, rows: Sequence[CountRow]) -> None:
        lang = current_language()
        table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            name = QTableWidgetItem(row.label(lang))
            count = QTableWidgetItem(format_number(row.count))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(number, 0, name)
            table.setItem(number, 1, count)

    # --- export ----------------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        excel, csv_filter = (
            _("Excel workbook") + " (*.xlsx)",
            _("CSV file (Excel, Khmer text)") + " (*.csv)",
        )
        suggested = Path.home() / f"vss-report-{clock.today().isoformat()}.xlsx"
        chosen, selected_filter = QFileDialog.getSaveFileName(
            self, _("Export for VSS report"), str(suggested), f"{excel};;{csv_filter}"
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() in (".csv", ".xlsx"):
            fmt = path.suffix.lower().lstrip(".")
        else:
            fmt = "csv" if selected_filter == csv_filter else "xlsx"
        self.export_to(path, fmt)

    def export_to(self, path: Path, fmt: str) -> BackgroundTask:
        """Write the report in the background; the outcome (or the reason it failed) is shown
        under the page."""
        ctx = self.ctx

        def saved(written: Path) -> str:
            files = [written, records_file_for(written)] if fmt == "csv" else [written]
            self.message.setStyleSheet("color: #1b5e20;")
            return _("Report saved: {files}").format(files=", ".join(str(f) for f in files))

        self.message.setStyleSheet("")
        self.task = run_job(
            lambda _progress, _cancelled: export_report(ctx, path, fmt),
            JobView(self.message, busy=(self.export_button,)),
            name="dashboard_page.export",
            started=_("Writing the report…"),
            done=saved,
            on_error=lambda: self.message.setStyleSheet("color: #a00000;"),
            ended=lambda: self.export_button.setEnabled(sees_all_records(self.ctx)),
        )
        return self.task

    # --- language --------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(_("Dashboard"))
        self.refresh_button.setText(_("Refresh"))
        self.export_button.setText(_("Export for VSS report…"))
        captions = {
            "total": _("Applications"),
            "drafts": _("Drafts"),
            "finalised": _("Finalised"),
            "waiting": _("Waiting to sync"),
        }
        for key, tile in self.tiles.items():
            tile.caption_label.setText(captions[key])
        self.outreach_tiles["contacts"].caption_label.setText(_("Follow-up contacts"))
        self.outreach_tiles["forum_attendance"].caption_label.setText(_("Came to forums / invited"))
        self.chart_caption.setText(_("Show:"))
        current = self.grouping.currentData()
        self.grouping.blockSignals(True)
        self.grouping.clear()
        for key, label in GROUPINGS:
            self.grouping.addItem(_(label), key)
        self.grouping.setCurrentIndex(max(0, self.grouping.findData(current)))
        self.grouping.blockSignals(False)
        self.chart.empty_text = _("No applications yet.")
        self.chart.more_text = _("… and {count} more (see the table below)")
        self.province_caption.setText(_("By province"))
        self.forum_caption.setText(_("By forum"))
        self.province_table.setHorizontalHeaderLabels([_("Province"), _("Applications")])
        self.forum_table.setHorizontalHeaderLabels([_("Forum"), _("Applications")])
        self._render()
