"""The Follow-up page: records at risk of missing a court deadline, the family group of the
selected record, and status letters printed per forum or village for the next visit.

The deadlines of each record's own case come from ``assets/court.yaml`` through the follow-up service; the
records close to one are counted off the UI thread (the count reads the officer's records: at
100,000 records the window froze while it ran) and the count stops when the page closes. Letters
are rendered off the UI thread too (``BackgroundTask``) and written only to the file the officer
chose.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.court import Court
from app.core.errors import UserFacingError
from app.i18n import N_, current_language, format_date, format_number
from app.services import followup, letters, people, records
from app.services.context import AppContext
from app.services.places import describe_place
from app.ui.awaiting_signature import AwaitingSignatureBox
from app.ui.combo import NO_DATA, combo_data
from app.ui.sizing import ColumnFitter
from app.ui.text import ReadingProgressBar, _
from app.ui.worker import BackgroundTask, JobView, run_job

COLUMNS = (N_("Reference"), N_("Name"), N_("Deadline"), N_("Due date"), N_("Days left"))
PASSED = QColor("#f4c7c3")  # the deadline has passed
URGENT = QColor("#fce8b2")  # a week or less
SOON = QColor("#fff7d6")  # within the warning period
URGENT_DAYS = 7
FILL_STEP = 300  # rows listed per turn of the event loop (~40 ms here)
# Narrower than this (a 1024-pixel screen less the navigation), the boxes go under the table.
SIDE_BY_SIDE_WIDTH = 980
TABLE_MIN_HEIGHT = 220


def urgency_colour(days_left: int) -> QColor:
    if days_left < 0:
        return PASSED
    if days_left <= URGENT_DAYS:
        return URGENT
    return SOON


class FollowUpPage(QWidget):
    def __init__(self, ctx: AppContext, court: Court | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.court = court  # None: the bundled court.yaml
        self.today: date | None = None  # None: the real today (tests set a day)
        self.risks: list[followup.AtRisk] = []
        self.task: BackgroundTask | None = None  # status letters being printed
        self.count_task: BackgroundTask | None = None  # records close to a deadline being counted
        self._count_again = False  # refresh asked while a count ran: count again when it ends
        self._fill_generation = 0  # the latest filling of the table (older steps stop)
        self._filled = 0  # rows of the table filled so far

        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.risk_label = QLabel()
        self.risk_label.setWordWrap(True)
        # "Counting…", then how it ended: nothing close, a broken court file, stopped.
        self.count_status = QLabel()
        self.count_status.setObjectName("deadlineCountStatus")
        self.count_status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("atRiskTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # On a netbook the due date gives way to the days left (the date is in the record).
        self.columns = ColumnFitter(self.table, (16, 24, 30, 16, 12), optional=(3,))
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.message = QLabel()
        self.message.setObjectName("followUpMessage")
        self.message.setWordWrap(True)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.clicked.connect(self.refresh)

        self.family_box = QGroupBox()
        self.family_list = QListWidget()
        self.family_list.setObjectName("familyList")
        family_layout = QVBoxLayout(self.family_box)
        family_layout.addWidget(self.family_list)

        self.letters_box = QGroupBox()
        self.forum_choice = QComboBox()
        self.forum_choice.setObjectName("letterForum")
        self.village_choice = QComboBox()
        self.village_choice.setObjectName("letterVillage")
        for combo in (self.forum_choice, self.village_choice):
            # A long forum or village name must not widen the page: the list shows it in full.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        self.forum_choice.currentIndexChanged.connect(lambda _i: self._show_letter_count())
        self.village_choice.currentIndexChanged.connect(lambda _i: self._show_letter_count())
        self.letter_count = QLabel()
        self.letter_count.setWordWrap(True)
        self.print_letters_button = QPushButton()
        self.print_letters_button.setObjectName("printLettersButton")
        self.print_letters_button.clicked.connect(self.choose_letters_file)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelLettersButton")
        self.cancel_button.setVisible(False)
        self.progress = ReadingProgressBar()
        self.progress.setObjectName("lettersProgress")
        self.progress.setVisible(False)
        self.forum_label = QLabel()
        self.village_label = QLabel()
        form = QFormLayout()
        form.addRow(self.forum_label, self.forum_choice)
        form.addRow(self.village_label, self.village_choice)
        letters_layout = QVBoxLayout(self.letters_box)
        letters_layout.addLayout(form)
        letters_layout.addWidget(self.letter_count)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_letters_button)
        buttons.addWidget(self.cancel_button)
        letters_layout.addLayout(buttons)
        letters_layout.addWidget(self.progress)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        header = QHBoxLayout()
        header.addWidget(self.risk_label, 1)
        header.addWidget(self.refresh_button)
        left_layout.addLayout(header)
        left_layout.addWidget(self.count_status)
        left_layout.addWidget(self.table, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.family_box, 1)
        self.awaiting_box = AwaitingSignatureBox(ctx)
        right_layout.addWidget(self.awaiting_box, 1)
        right_layout.addWidget(self.letters_box)
        # Side by side on a wide screen; on a netbook the family, signature and letter boxes go
        # under the table (side by side they were cut off at the right at 1024x600).
        self.table.setMinimumHeight(TABLE_MIN_HEIGHT)
        self.splitter = QSplitter()
        self.splitter.setObjectName("followUpSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self._split_sized = False
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)
        self.retranslate()
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The page is at least as wide as it needs side by side, so below the threshold it goes
        # one above the other, and back once the window is wide enough.
        wide = event.size().width() >= SIDE_BY_SIDE_WIDTH
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation or not self._split_sized:
            self.splitter.setOrientation(orientation)
            # Three parts table to two parts boxes (the splitter would otherwise follow the
            # boxes' one-line width and leave the table a narrow strip); the officer may drag.
            self.splitter.setSizes([3000, 2000])
            self._split_sized = True
        super().resizeEvent(event)

    # --- texts ----------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(_("Follow-up"))
        self.risk_label.setText(_("Records at risk of missing a court deadline"))
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.refresh_button.setText(_("Refresh"))
        self.family_box.setTitle(_("Family group: others who name the same victim"))
        self.letters_box.setTitle(_("Status letters for applicants"))
        self.forum_label.setText(_("Forum"))
        self.village_label.setText(_("Village"))
        self.print_letters_button.setText(_("Print status letters…"))
        self.cancel_button.setText(_("Cancel"))
        self.awaiting_box.retranslate()
        if self.risks:
            self._fill_table()
        self._fill_letter_choices()

    # --- deadlines ------------------------------------------------------------------------

    def refresh(self) -> None:
        """The letters and the signatures awaited now; the records close to a deadline are
        counted in the background (the table fills when the count arrives)."""
        self._fill_letter_choices()
        self.awaiting_box.refresh()
        self.count_deadlines()

    def count_deadlines(self) -> None:
        """Count the records close to a deadline off the UI thread; asked again while a count
        runs, count once more when it ends (the day or the records may have changed)."""
        if self.count_task is not None:
            self._count_again = True
            return
        ctx, today, court = self.ctx, self.today, self.court

        def job(_progress: Any, cancelled: Any) -> list[followup.AtRisk]:
            return followup.records_at_risk(ctx, today, court=court, cancelled=cancelled)

        self.count_task = run_job(
            job,
            JobView(self.count_status, busy=(self.refresh_button,)),
            name="followup_page.deadlines",
            started=_("Counting the records close to a court deadline…"),
            done=self._risks_arrived,
            cancelled=_("The count of records close to a deadline was stopped."),
            ended=self._count_ended,
            on_error=self._count_failed,
        )

    def _risks_arrived(self, risks: list[followup.AtRisk]) -> str:
        self.risks = risks
        self._fill_table()
        return _("No record is close to a deadline.") if not risks else ""

    def _count_failed(self) -> None:  # a broken court.yaml (the message says where)
        self.risks = []
        self._fill_table()

    def _count_ended(self) -> None:
        self.count_task = None
        if self._count_again:
            self._count_again = False
            self.count_deadlines()

    def counting(self) -> bool:
        """A count of the records close to a deadline is running or will run again, or the
        records it found are still being listed."""
        return self.count_task is not None or self._count_again or self._filled < len(self.risks)

    def _fill_table(self) -> None:
        """List the records found: the first FILL_STEP rows now, the rest a step per turn of
        the event loop (a training day lists thousands: 51,000 cells took 1.6 s at once)."""
        self._fill_generation += 1
        self._filled = 0
        self.table.setRowCount(len(self.risks))
        self._fill_rows(self._fill_generation, {}, {})
        self.family_list.clear()

    def _fill_rows(
        self, generation: int, dates: dict[date, str], lefts: dict[int, tuple[str, QBrush]]
    ) -> None:
        if generation != self._fill_generation:
            return  # refilled since (a new count, another language)
        lang = current_language()
        draft = _("(draft)")
        end = min(self._filled + FILL_STEP, len(self.risks))
        # Records share a handful of due dates and day counts (one per deadline): each is
        # written once, not once per row.
        for row in range(self._filled, end):
            risk = self.risks[row]
            days = risk.days_left
            if days not in lefts:
                if days < 0:
                    text = _("{days} days ago").format(days=format_number(-days, lang))
                else:
                    text = format_number(days, lang)
                lefts[days] = (text, QBrush(urgency_colour(days)))
            left, colour = lefts[days]
            if risk.due_date not in dates:
                dates[risk.due_date] = format_date(risk.due_date, lang)
            cells = (
                risk.reference or draft,
                risk.name,
                risk.deadline_name,
                dates[risk.due_date],
                left,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, risk.application_id)
                item.setBackground(colour)
                self.table.setItem(row, column, item)
        first = self._filled == 0
        self._filled = end
        if first:
            self.columns.fit()
        if end < len(self.risks):
            # Dropped with the page if it is gone by then (the page is the timer's context).
            QTimer.singleShot(0, self, lambda: self._fill_rows(generation, dates, lefts))

    def selected_application(self) -> str | None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.risks):
            return None
        return self.risks[row].application_id

    def _selection_changed(self) -> None:
        application_id = self.selected_application()
        if application_id is not None:
            self.show_family(application_id)

    # --- family ---------------------------------------------------------------------------

    def show_family(self, application_id: str) -> None:
        self.family_list.clear()
        try:
            members = people.family_group(self.ctx, application_id)
        except UserFacingError as error:
            self.family_list.addItem(error.full_text())
            return
        if not members:
            self.family_list.addItem(_("No other applicant names the same victim."))
            return
        for member in members:
            name = " / ".join(p for p in (member.name_km, member.name_latin) if p)
            relation = people.relationship_label(member.relationship, current_language())
            text = f"{member.reference or _('(draft)')} — {name}"
            if relation:
                text += " — " + _("victim's relation: {relation}").format(relation=relation)
            self.family_list.addItem(text)

    # --- letters --------------------------------------------------------------------------

    def _fill_letter_choices(self) -> None:
        lang = current_language()
        try:
            due = letters.letters_due(self.ctx)
        except UserFacingError as error:
            self.message.setText(error.full_text())
            due = []
        forums = sorted({d.forum for d in due if d.forum})
        villages = sorted({d.village_code for d in due if d.village_code})
        for combo, items in (
            (self.forum_choice, [(f, f) for f in forums]),
            (
                self.village_choice,
                [(v, describe_place({"village": v}, lang) or v) for v in villages],
            ),
        ):
            current = combo_data(combo)
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("All"), NO_DATA)
            for data, label in items:
                combo.addItem(label, data)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        self._show_letter_count()

    def letters_to_print(self) -> list[letters.LetterDue]:
        return letters.letters_due(
            self.ctx,
            village_code=combo_data(self.village_choice),
            forum=combo_data(self.forum_choice),
        )

    def _show_letter_count(self) -> None:
        due = self.letters_to_print()
        counts: dict[str, int] = {}
        for item in due:
            counts[item.court_status] = counts.get(item.court_status, 0) + 1
        parts = [
            f"{_(records.COURT_STATUS_LABELS.get(status, status))}: {format_number(count)}"
            for status, count in sorted(counts.items())
        ]
        self.letter_count.setText(
            _("{count} letters to print").format(count=format_number(len(due)))
            + (" (" + ", ".join(parts) + ")" if parts else "")
        )
        self.print_letters_button.setEnabled(bool(due) and self.task is None)

    def choose_letters_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save as PDF"), "status-letters.pdf", "PDF (*.pdf)"
        )
        if path:
            self.print_letters_to(Path(path))

    def print_letters_to(self, path: Path) -> None:
        """Render and save the chosen letters in the background (audited when saved)."""
        ids = [item.application_id for item in self.letters_to_print()]
        if not ids:
            self.message.setText(_("There are no status letters to print."))
            return
        ctx = self.ctx

        def job(progress: Any, cancelled: Any) -> int:
            return letters.print_status_letters(ctx, ids, path, progress, cancelled)

        self.task = run_job(
            job,
            JobView(self.message, self.progress, self.cancel_button, (self.print_letters_button,)),
            name="followup_page.letters",
            started=_("Printing {count} letters…").format(count=format_number(len(ids))),
            done=lambda pages: _("Saved {count} letters ({pages} pages): {path}").format(
                count=format_number(len(ids)), pages=format_number(pages), path=path
            ),
            ended=self._letters_ended,
        )

    def _letters_ended(self) -> None:
        self.task = None
        self._show_letter_count()

    def cancel_letters(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def shutdown(self) -> None:
        """Closing (the page or the main window, before the store closes): stop the count,
        which stops within a few hundred records, and the letters being printed."""
        self._count_again = False
        count, self.count_task = self.count_task, None
        if count is not None:
            count.stop()
            # Its outcome, queued to this thread, is not shown: the page may be gone by then.
            for signal in (count.succeeded, count.failed, count.ended):
                signal.disconnect()
        if self.task is not None:
            self.task.stop()

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)
