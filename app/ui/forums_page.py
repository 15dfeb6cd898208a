"""The Forums page: plan a forum for a commune (everyone of the laptop's records living there is
invited), print the invitations in Khmer, and tick who came on the day.

Names of people whose identity is protected are never shown here: their reference stands for
them (the services give the names already masked).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QStandardPaths, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserFacingError
from app.i18n import format_date, format_number
from app.services import forums as forum_service
from app.services.context import AppContext
from app.ui.combo import NO_DATA, combo_data
from app.ui.text import DigitsDateEdit, WrapLabel, _
from app.ui.worker import BackgroundTask, JobView, run_job

CAME_COLUMN = 2
OK_STYLE, ERROR_STYLE = "color: #1b5e20;", "color: #a00000;"


class ForumsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.invitees: list[forum_service.Invitee] = []
        self.task: BackgroundTask | None = None

        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.intro = WrapLabel()

        # Plan a forum.
        self.plan_box = QGroupBox()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("forumName")
        self.name_edit.setMaxLength(forum_service.MAX_NAME)
        self.commune_choice = QComboBox()
        self.commune_choice.setObjectName("forumCommune")
        self.commune_choice.currentIndexChanged.connect(lambda _i: self._show_people_count())
        self.date_edit = DigitsDateEdit()  # Khmer digits when the setting is on
        self.date_edit.setObjectName("forumDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(QDate.currentDate())
        self.place_edit = QLineEdit()
        self.place_edit.setObjectName("forumPlace")
        self.place_edit.setMaxLength(forum_service.MAX_PLACE)
        self.people_count = WrapLabel()
        self.people_count.setObjectName("forumPeopleCount")
        self.plan_button = QPushButton()
        self.plan_button.setObjectName("planForum")
        self.plan_button.clicked.connect(self.plan)
        self.name_label, self.commune_label = QLabel(), QLabel()
        self.date_label, self.place_label = QLabel(), QLabel()
        form = QFormLayout(self.plan_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.name_label, self.name_edit)
        form.addRow(self.commune_label, self.commune_choice)
        form.addRow(self.date_label, self.date_edit)
        form.addRow(self.place_label, self.place_edit)
        form.addRow(self.people_count)
        form.addRow(self.plan_button)

        # A planned forum: who is invited, who came, the invitations.
        self.forum_choice = QComboBox()
        self.forum_choice.setObjectName("forumChoice")
        self.forum_choice.currentIndexChanged.connect(lambda _i: self.show_forum())
        self.summary = WrapLabel()
        self.summary.setObjectName("forumSummary")
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("forumInvitees")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CAME_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._attendance_changed)
        self.print_button = QPushButton()
        self.print_button.setObjectName("printInvitations")
        self.print_button.clicked.connect(self.choose_invitations_file)
        self.newcomers_button = QPushButton()
        self.newcomers_button.setObjectName("inviteNewcomers")
        self.newcomers_button.clicked.connect(self.invite_newcomers)
        self.forum_label = QLabel()
        forum_row = QHBoxLayout()
        forum_row.addWidget(self.forum_label)
        forum_row.addWidget(self.forum_choice, 1)
        forum_row.addWidget(self.print_button)
        right = QVBoxLayout()
        right.addLayout(forum_row)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.newcomers_button)
        right.addLayout(summary_row)
        right.addWidget(self.table, 1)

        self.message = WrapLabel()
        self.message.setObjectName("forumMessage")
        columns = QHBoxLayout()
        columns.addWidget(self.plan_box, 2)
        columns.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)
        self.retranslate()
        self.reload()

    # --- data ------------------------------------------------------------------------------------

    def reload(self, select_forum: str | None = None) -> None:
        current_commune = combo_data(self.commune_choice)
        self.commune_choice.blockSignals(True)
        self.commune_choice.clear()
        self.commune_choice.addItem(_("Choose a commune…"), NO_DATA)
        for code, label in forum_service.communes_with_people(self.ctx):
            self.commune_choice.addItem(label, code)
        self.commune_choice.setCurrentIndex(max(0, self.commune_choice.findData(current_commune)))
        self.commune_choice.blockSignals(False)
        self._show_people_count()
        chosen = select_forum or combo_data(self.forum_choice)
        self.forum_choice.blockSignals(True)
        self.forum_choice.clear()
        for forum in forum_service.forums(self.ctx):
            label = f"{forum.name} — {forum.commune}, {format_date(forum.held_on)}"
            self.forum_choice.addItem(label, forum.id)
        self.forum_choice.setCurrentIndex(max(0, self.forum_choice.findData(chosen)))
        self.forum_choice.blockSignals(False)
        self.show_forum()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)  # new records may live in a commune: fresh lists on show
        self.reload()

    def _show_people_count(self) -> None:
        code = combo_data(self.commune_choice)
        if not code:
            self.people_count.setText("")
            return
        count = len(forum_service.people_in_commune(self.ctx, code))
        text = _(
            "{count} civil parties and applicants of this laptop's records live there."
        ).format(count=format_number(count))
        listed = forum_service.listed_in_commune(self.ctx, code)
        if listed:
            text += " " + _("{count} people of the office's list live there.").format(
                count=format_number(listed)
            )
        self.people_count.setText(text)

    def show_forum(self) -> None:
        forum_id = combo_data(self.forum_choice)
        self.invitees = forum_service.forum_invitees(self.ctx, forum_id) if forum_id else []
        self.print_button.setEnabled(bool(self.invitees))
        self.newcomers_button.setEnabled(bool(forum_id))
        came = sum(1 for person in self.invitees if person.attended)
        summary = next((f for f in forum_service.forums(self.ctx) if f.id == forum_id), None)
        self.summary.setText(
            _("Invited: {invited} · Came: {came} · Contacts recorded there: {contacts}").format(
                invited=format_number(len(self.invitees)),
                came=format_number(came),
                contacts=format_number(summary.contacts if summary else 0),
            )
            if forum_id
            else _("No forum planned yet.")
        )
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.invitees))
        for row, person in enumerate(self.invitees):
            self.table.setItem(row, 0, QTableWidgetItem(person.reference))
            self.table.setItem(row, 1, QTableWidgetItem(person.shown_name()))
            came_item = QTableWidgetItem()
            came_item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            came_item.setCheckState(
                Qt.CheckState.Checked if person.attended else Qt.CheckState.Unchecked
            )
            self.table.setItem(row, CAME_COLUMN, came_item)
        self.table.blockSignals(False)

    # --- actions ---------------------------------------------------------------------------------

    def plan(self) -> str | None:
        """Plan the forum from the fields; returns its id (None when refused, with the reason)."""
        picked = self.date_edit.date()
        try:
            forum_id = forum_service.plan_forum(
                self.ctx,
                self.name_edit.text(),
                combo_data(self.commune_choice) or "",
                date(picked.year(), picked.month(), picked.day()),
                self.place_edit.text(),
            )
        except UserFacingError as error:
            self._say(error.message, ok=False)
            return None
        self.name_edit.clear()
        self.place_edit.clear()
        self.reload(select_forum=forum_id)
        self._say(
            _("Forum planned: {count} people invited.").format(
                count=format_number(len(self.invitees))
            ),
            ok=True,
        )
        return forum_id

    def invite_newcomers(self) -> int:
        """Invite the people recorded in the commune since the forum was planned."""
        forum_id = combo_data(self.forum_choice)
        if not forum_id:
            return 0
        try:
            added = forum_service.invite_newcomers(self.ctx, forum_id)
        except UserFacingError as error:
            self._say(error.message, ok=False)
            return 0
        self.show_forum()
        self._say(_("{count} more people invited.").format(count=format_number(added)), ok=True)
        return added

    def set_attended(self, row: int, came: bool) -> None:
        item = self.table.item(row, CAME_COLUMN)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if came else Qt.CheckState.Unchecked)

    def _attendance_changed(self, item: QTableWidgetItem) -> None:
        forum_id = combo_data(self.forum_choice)
        if item.column() != CAME_COLUMN or not forum_id or item.row() >= len(self.invitees):
            return
        person = self.invitees[item.row()]
        came = item.checkState() == Qt.CheckState.Checked
        try:
            if person.listed_number:
                forum_service.record_listed_attendance(
                    self.ctx, forum_id, person.listed_number, came
                )
            else:
                forum_service.record_attendance(self.ctx, forum_id, person.application_id, came)
        except UserFacingError as error:
            self._say(error.message, ok=False)
        self.show_forum()

    def choose_invitations_file(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = Path(folder or Path.home()) / "vss-forum-invitations.pdf"
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Save the invitations"), str(suggested), _("PDF files (*.pdf)")
        )
        if chosen:
            path = Path(chosen)
            self.save_invitations(
                path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")
            )

    def save_invitations(self, path: Path) -> BackgroundTask | None:
        """Print the chosen forum's invitations to ``path`` in the background."""
        forum_id = combo_data(self.forum_choice)
        if not forum_id:
            return None
        ctx = self.ctx
        self.message.setStyleSheet("")
        self.task = run_job(
            lambda _progress, _cancelled: forum_service.print_invitations(ctx, forum_id, path),
            JobView(self.message, busy=(self.print_button,)),
            name="forums_page.invitations",
            started=_("Printing the invitations…"),
            done=lambda pages: _("Invitations saved: {path} ({pages} pages)").format(
                path=path, pages=format_number(pages)
            ),
            on_error=lambda: self.message.setStyleSheet(ERROR_STYLE),
        )
        return self.task

    # --- language --------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(_("Forums"))
        self.intro.setText(
            _(
                "Plan a forum for a commune: everyone of this laptop's records who lives there is "
                "invited, and the living people of the office's list there (each once). Print "
                "their invitations, then tick who came."
            )
        )
        self.plan_box.setTitle(_("Plan a forum"))
        self.name_label.setText(_("Name"))
        self.commune_label.setText(_("Commune"))
        self.date_label.setText(_("Date"))
        self.place_label.setText(_("Place"))
        self.plan_button.setText(_("Plan and invite"))
        self.forum_label.setText(_("Forum"))
        self.print_button.setText(_("Print invitations…"))
        self.newcomers_button.setText(_("Invite people recorded since"))
        self.table.setHorizontalHeaderLabels([_("Reference"), _("Name"), _("Came")])
        if self.commune_choice.count():
            self.commune_choice.setItemText(0, _("Choose a commune…"))
        self._show_people_count()
        self.show_forum()

    def _say(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)
