"""The start page: what the officer left unfinished and what needs doing next, one click to each.

Drafts to finish (continue or delete one), records awaiting a signature, records not yet sent to
the office, records close to a court deadline; on a new laptop, where to begin.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import current_language, format_number, format_stamp
from app.ui.text import _
from app.ui.worker import BackgroundTask

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent, QShowEvent

    # The services are imported once the store is open (attach): the main window's frame shows
    # this page, its counts still to come, before SQLAlchemy and the models are loaded.
    from app.services.context import AppContext
    from app.services.start import StartSummary
    from app.ui.sizing import ColumnFitter

DRAFT_COLUMN_WEIGHTS = (24, 40, 36)  # name, form, last saved


class StartPage(QWidget):
    page_requested = Signal(str)  # navigation key
    draft_chosen = Signal(str)  # application id to continue

    def __init__(self, ctx: AppContext | None) -> None:
        super().__init__()
        self._ctx = ctx  # (None: in the window's frame, until attach)
        self.summary: StartSummary | None = None
        self._generation = 0  # the latest refresh; an older background summary is dropped
        self._deadline_task: BackgroundTask | None = None
        self._count_after_paint: int | None = None  # the refresh whose count waits for a paint
        # Read in this turn of the event loop (see opening_summary): a show in the same turn
        # (the window opening) does not read again.
        self._read_this_turn = False
        self._closed = False
        self.title = QLabel()
        self.title.setObjectName("pageTitle")

        self.hint = QFrame()
        self.hint.setObjectName("firstRunHint")
        self.hint.setStyleSheet("#firstRunHint { background: #eef5ff; border-radius: 6px; }")
        self.hint_text = QLabel()
        self.hint_text.setWordWrap(True)
        self.rights_button = QPushButton()
        self.rights_button.setObjectName("startRights")
        self.rights_button.clicked.connect(lambda: self.page_requested.emit("rights"))
        self.new_button = QPushButton()
        self.new_button.setObjectName("startNewApplication")
        self.new_button.clicked.connect(lambda: self.page_requested.emit("new_application"))
        hint_layout = QVBoxLayout(self.hint)
        hint_layout.addWidget(self.hint_text)
        hint_buttons = QHBoxLayout()
        hint_buttons.addWidget(self.rights_button)
        hint_buttons.addWidget(self.new_button)
        hint_buttons.addStretch(1)
        hint_layout.addLayout(hint_buttons)

        # One button per kind of unfinished work: the count and where it is finished.
        self.tiles: dict[str, QPushButton] = {}
        tiles = QGridLayout()
        for index, (key, target) in enumerate(
            (
                ("drafts", "new_application"),
                ("awaiting_signature", "applicants"),
                ("not_synced", "sync"),
                ("deadlines", "follow_up"),
                ("not_contacted", "civil_parties"),
            )
        ):
            tile = QPushButton()
            tile.setObjectName(f"tile_{key}")
            tile.setMinimumHeight(44)
            tile.clicked.connect(lambda _checked=False, t=target: self.page_requested.emit(t))
            self.tiles[key] = tile
            # One column: a push button does not wrap, and two long Khmer labels side by side
            # would make every page wider than a 1024-pixel screen.
            tiles.addWidget(tile, index, 0)

        self.drafts_label = QLabel()
        self.drafts_label.setObjectName("sectionTitle")
        self.drafts = QTableWidget(0, 3)
        self.drafts.setObjectName("draftsTable")
        self.drafts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.drafts.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.drafts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.drafts.verticalHeader().setVisible(False)
        # The name matters most: sized to contents, the form title and time left it "(…" on a
        # netbook. Long cells end with "…" (the full text is in the draft).
        # Made with the first draft to show: the fitter watches the table's viewport, and
        # wrapping that Qt-internal widget the first time costs ~80 ms (PySide6 resolves its
        # class), which a laptop without drafts need not wait through before the first paint.
        self.draft_columns: ColumnFitter | None = None
        self.drafts.cellDoubleClicked.connect(lambda row, _column: self._continue_row(row))
        self.drafts.itemSelectionChanged.connect(self._selection_changed)
        self.continue_button = QPushButton()
        self.continue_button.setObjectName("continueDraft")
        self.continue_button.clicked.connect(lambda: self._continue_row(self.drafts.currentRow()))
        self.delete_button = QPushButton()
        self.delete_button.setObjectName("deleteDraft")
        self.delete_button.clicked.connect(self.ask_delete_selected)
        self.message = QLabel()
        self.message.setObjectName("startMessage")
        self.message.setWordWrap(True)

        draft_buttons = QHBoxLayout()
        draft_buttons.addWidget(self.continue_button)
        draft_buttons.addWidget(self.delete_button)
        draft_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(tiles)
        layout.addWidget(self.drafts_label)
        layout.addWidget(self.drafts, 1)
        layout.addLayout(draft_buttons)
        layout.addWidget(self.message)
        # Without drafts (the table hidden) the room below goes here, not into the heading and
        # the welcome box (they stood tall and half empty on a 1366x768 screen); with drafts
        # the table, which has a stretch, takes it all.
        layout.addStretch(0)
        self.retranslate()

    @property
    def ctx(self) -> AppContext:
        if self._ctx is None:
            raise RuntimeError("the start page has no context yet (attach)")
        return self._ctx

    def attach(self, ctx: AppContext) -> None:
        """The store is open (app.ui.main_window): the counts fill in."""
        if self._ctx is ctx:
            return
        self._ctx = ctx
        if self.isVisible():
            self.refresh_deadlines_in_background()

    # --- filling --------------------------------------------------------------------------

    def opening_summary(self) -> StartSummary | None:
        """The counts and drafts for the main window's opening: read now, unless this page
        read them in this turn of the event loop (shown as the store opened). The window's
        status line and its offer of drafts use this reading instead of a second one."""
        if self._ctx is not None and not self._read_this_turn:
            self.refresh_deadlines_in_background()
        return self.summary

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._read_this_turn:  # (read for the window's opening, just before it showed)
            self.refresh_deadlines_in_background()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        generation, self._count_after_paint = self._count_after_paint, None
        if generation is not None:
            # The deadline count starts once the page is on screen: started before, its thread
            # took the interpreter from the first paint (the main window's, after the password).
            QTimer.singleShot(0, self, lambda: self._start_deadline_count(generation))

    def refresh(self) -> None:
        from app.services.start import start_summary

        self._generation += 1  # a deadline count still being read in the background is older
        self.summary = start_summary(self.ctx)
        self._fill()

    def refresh_deadlines_in_background(self) -> None:
        """The counts now, the records close to a deadline off the UI thread: that check reads
        every visible record, and the page (at start, the whole window) would wait for it. Its
        tile says "…" until the count arrives; the count starts once the page is painted."""
        if self._ctx is None:
            return  # the frame: the counts come with the store (attach)
        from app.services.start import start_summary

        self._generation += 1
        generation = self._generation
        self.summary = start_summary(self.ctx, deadlines=False)
        self._fill()
        self._count_after_paint = generation  # started by the next paint (paintEvent)
        self.update()
        if not self._read_this_turn:
            self._read_this_turn = True
            QTimer.singleShot(0, self, self._turn_over)

    def _turn_over(self) -> None:
        self._read_this_turn = False

    def _start_deadline_count(self, generation: int) -> None:
        if generation != self._generation or self._closed:
            return  # refreshed again since (that refresh counts), or the app is closing
        from app.services.start import deadline_risk

        task = BackgroundTask(
            lambda _progress, cancelled: deadline_risk(self.ctx, cancelled=cancelled)
        )
        task.succeeded.connect(lambda risk: self._deadlines_arrived(generation, risk))
        self._deadline_task = task
        task.start()

    def shutdown(self) -> None:
        """Closing: stop a deadline count still being read and wait for it (the store closes
        next); it stops within a few hundred records (followup.CANCEL_CHECK_ROWS)."""
        self._closed = True  # a count waiting for its start never starts
        if self._deadline_task is not None:
            self._deadline_task.stop()

    def _deadlines_arrived(self, generation: int, risk: tuple[int, str | None]) -> None:
        if generation != self._generation or self.summary is None or not shiboken6.isValid(self):
            return
        count, problem = risk
        self.summary = replace(self.summary, at_deadline_risk=count, deadline_problem=problem)
        self._fill()

    def _fill_waiting(self) -> None:
        """The window's frame, before the store is open: the tiles say "…" for their counts."""
        self.hint.setVisible(False)
        for key, text in (
            ("drafts", _("Drafts to finish: {count}")),
            ("not_synced", _("Not yet sent to the office: {count}")),
            ("deadlines", _("Close to a court deadline: {count}")),
        ):
            self.tiles[key].setText(text.format(count="…"))
        # Shown only when a record has them (_fill): not known yet.
        self.tiles["awaiting_signature"].setVisible(False)
        self.tiles["not_contacted"].setVisible(False)
        for widget in (self.drafts, self.drafts_label, self.continue_button, self.delete_button):
            widget.setVisible(False)

    def _fill(self) -> None:
        summary = self.summary
        if summary is None:
            self._fill_waiting()
            return
        self.hint.setVisible(summary.first_run)
        count = format_number
        self.tiles["drafts"].setText(
            _("Drafts to finish: {count}").format(count=count(len(summary.drafts)))
        )
        self.tiles["awaiting_signature"].setText(
            _("Awaiting the applicant's signature: {count}").format(
                count=count(summary.awaiting_signature)
            )
        )
        # The status exists only on forms that use it: the tile appears when a record has it.
        self.tiles["awaiting_signature"].setVisible(summary.awaiting_signature > 0)
        self.tiles["not_synced"].setText(
            _("Not yet sent to the office: {count}").format(count=count(summary.not_synced))
        )
        risk = summary.at_deadline_risk
        self.tiles["deadlines"].setText(
            _("Close to a court deadline: {count}").format(
                count="…" if risk is None else count(risk)
            )
        )
        self.tiles["not_contacted"].setText(
            # The months are a number like the count: written in the reading language's digits.
            _("Civil parties not contacted for {months} months: {count}").format(
                months=count(12), count=count(summary.not_contacted)
            )
        )
        self.tiles["not_contacted"].setVisible(summary.not_contacted > 0)
        self.message.setText(summary.deadline_problem or "")
        if summary.drafts or self.draft_columns is not None:
            self._fill_drafts(summary)
        self.drafts.setVisible(bool(summary.drafts))
        self.drafts_label.setVisible(bool(summary.drafts))
        self.continue_button.setVisible(bool(summary.drafts))
        self.delete_button.setVisible(bool(summary.drafts))
        self._selection_changed()

    def _fill_drafts(self, summary: StartSummary) -> None:
        # Imported here: a page without drafts (and the frame's) needs neither Qt's namespace
        # of enums nor the column fitter's styles (~20-90 ms before the first paint).
        from PySide6.QtCore import Qt

        from app.services import form_catalogue
        from app.ui.sizing import ColumnFitter

        lang = current_language()
        # The forms name the drafts' forms: parsed (~0.3 s of CPU) only when there are drafts;
        # otherwise on the preload thread after the window's first paint.
        forms = form_catalogue.available_forms() if summary.drafts else {}
        self.drafts.setRowCount(len(summary.drafts))
        for row, draft in enumerate(summary.drafts):
            name = " / ".join(n for n in (draft.name_km, draft.name_latin) if n) or _(
                "(no name yet)"
            )
            form = forms.get(draft.form_id)
            cells = (
                name,
                form.title.get(lang) if form else draft.form_id,
                format_stamp(draft.updated_at),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, draft.id)
                self.drafts.setItem(row, column, item)
        if summary.drafts and self.draft_columns is None:
            self.draft_columns = ColumnFitter(self.drafts, DRAFT_COLUMN_WEIGHTS)  # it fits now
        elif self.draft_columns is not None:
            self.draft_columns.fit()
        if summary.drafts and self.drafts.currentRow() < 0:
            self.drafts.selectRow(0)

    def _selection_changed(self) -> None:
        chosen = self.selected_draft() is not None
        self.continue_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def selected_draft(self) -> str | None:
        row = self.drafts.currentRow()
        if self.summary is None or not 0 <= row < len(self.summary.drafts):
            return None
        if not self.drafts.selectionModel().isRowSelected(row):
            return None
        return self.summary.drafts[row].id

    def _continue_row(self, row: int) -> None:
        if self.summary is not None and 0 <= row < len(self.summary.drafts):
            self.draft_chosen.emit(self.summary.drafts[row].id)

    # --- deleting a draft -----------------------------------------------------------------

    def ask_delete_selected(self) -> None:
        application_id = self.selected_draft()
        if application_id is None:
            return
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Delete this draft?"),
            _(
                "The answers of this draft are deleted from this laptop and cannot be brought "
                "back. The deletion is written to the audit log."
            ),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        delete = box.addButton(_("Delete the draft"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is delete:
            self.delete_draft(application_id)

    def delete_draft(self, application_id: str) -> None:
        from app.services import records

        try:
            records.discard_draft(self.ctx, application_id)
        except records.RecordError as error:
            self.message.setText(str(error))
            return
        self.refresh()
        self.message.setText(_("The draft was deleted."))

    def retranslate(self) -> None:
        self.title.setText(_("Start"))
        self.hint_text.setText(
            _(
                "Welcome. Begin with Rights to explain to the survivor what the court can and "
                "cannot do, then take a New application."
            )
        )
        self.rights_button.setText(_("Rights"))
        self.new_button.setText(_("New application"))
        self.drafts_label.setText(_("Your drafts to finish"))
        self.drafts.setHorizontalHeaderLabels([_("Name"), _("Form"), _("Last saved")])
        self.continue_button.setText(_("Continue the draft"))
        self.delete_button.setText(_("Delete the draft…"))
        self._fill()
