"""Officers, the audit log and backups: the supervisor's and administrator's page.

Every action here is checked again in the services (a field officer who reaches a button still
gets a translated refusal); the page only hides what the role cannot use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserFacingError
from app.i18n import format_number, format_stamp
from app.services import officers
from app.services.accounts import password_rules
from app.services.audit import action_label, verify_audit_chain
from app.services.audit_log import list_audit
from app.services.backup import backup_cancelled, create_backup
from app.services.context import AppContext
from app.services.key_rotation import RotationResult, rotate_database_key
from app.services.security import Action, Role, has_role, may, role_label
from app.services.settings import load_settings
from app.ui.sign_in import password_rules_label
from app.ui.sizing import ColumnFitter
from app.ui.text import ReadingProgressBar, _, display
from app.ui.worker import BackgroundTask, JobView, run_job


def _item(text: str) -> QTableWidgetItem:
    return QTableWidgetItem(text)


class SecurityPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.message = QLabel()
        self.message.setObjectName("securityMessage")
        self.message.setWordWrap(True)

        self.officers_box = QGroupBox()
        self.officers = QTableWidget(0, 4)
        self.officers.setObjectName("officerTable")
        self.officers.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.officers.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.officers.verticalHeader().setVisible(False)
        self.officer_columns = ColumnFitter(self.officers, (20, 40, 25, 15))
        self.new_username = QLineEdit()
        self.new_username.setObjectName("newUsername")
        self.new_name = QLineEdit()
        self.new_name.setObjectName("newName")
        self.new_role = QComboBox()
        self.new_role.setObjectName("newRole")
        self.new_password = QLineEdit()
        self.new_password.setObjectName("newPassword")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.create_button = QPushButton()
        self.create_button.setObjectName("createOfficer")
        self.create_button.clicked.connect(self.create_officer)
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("resetPassword")
        self.reset_button.clicked.connect(self.reset_selected_password)
        self.deactivate_button = QPushButton()
        self.deactivate_button.setObjectName("deactivateOfficer")
        self.deactivate_button.clicked.connect(self.deactivate_selected)
        self.reactivate_button = QPushButton()
        self.reactivate_button.setObjectName("reactivateOfficer")
        self.reactivate_button.clicked.connect(self.reactivate_selected)
        self.form = QFormLayout()
        self.form_labels = [QLabel() for _ in range(4)]
        for label, widget in zip(
            self.form_labels,
            [self.new_username, self.new_name, self.new_role, self.new_password],
            strict=True,
        ):
            self.form.addRow(label, widget)
        self.rules = password_rules_label()
        # Across both columns: in the field column a wrapped label gets the height of its
        # unwrapped width, and its last line was cut.
        self.form.addRow(self.rules)
        # Two by two: in one row the four long labels made the page wider than a netbook.
        officer_buttons = QGridLayout()
        for index, button in enumerate(
            (
                self.create_button,
                self.reset_button,
                self.deactivate_button,
                self.reactivate_button,
            )
        ):
            officer_buttons.addWidget(button, index // 2, index % 2)
        officer_buttons.setColumnStretch(2, 1)
        officers_layout = QVBoxLayout(self.officers_box)
        officers_layout.addWidget(self.officers)
        officers_layout.addLayout(self.form)
        officers_layout.addLayout(officer_buttons)

        self.audit_box = QGroupBox()
        self.chain_state = QLabel()
        self.chain_state.setObjectName("chainState")
        self.audit = QTableWidget(0, 4)
        self.audit.setObjectName("auditTable")
        self.audit.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.audit.verticalHeader().setVisible(False)
        self.audit_columns = ColumnFitter(self.audit, (30, 25, 30, 15))
        audit_layout = QVBoxLayout(self.audit_box)
        audit_layout.addWidget(self.chain_state)
        audit_layout.addWidget(self.audit)

        self.backup_box = QGroupBox()
        self.backup_button = QPushButton()
        self.backup_button.setObjectName("backupNow")
        self.backup_button.clicked.connect(self.choose_backup_folder)
        self.rotate_button = QPushButton()
        self.rotate_button.setObjectName("rotateKey")
        self.rotate_button.clicked.connect(self.rotate_key)
        self.key_progress = ReadingProgressBar()
        self.key_progress.setObjectName("keyProgress")
        self.key_progress.setVisible(False)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelJob")
        self.cancel_button.setVisible(False)
        self.task: BackgroundTask | None = None
        backup_layout = QHBoxLayout(self.backup_box)
        backup_layout.addWidget(self.backup_button)
        backup_layout.addWidget(self.rotate_button)
        backup_layout.addWidget(self.key_progress, 1)
        backup_layout.addWidget(self.cancel_button)
        backup_layout.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.officers_box, 2)
        layout.addWidget(self.audit_box, 3)
        layout.addWidget(self.backup_box)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(_("Officers and audit"))
        self.officers_box.setTitle(_("Officers on this laptop"))
        self.officers.setHorizontalHeaderLabels(
            [_("User name"), _("Full name"), _("Role"), _("Active")]
        )
        texts = [_("User name"), _("Full name"), _("Role"), _("Password")]
        for label, text in zip(self.form_labels, texts, strict=True):
            label.setText(text)
        current = self.new_role.currentData()
        self.new_role.clear()
        for role in Role:
            self.new_role.addItem(role_label(role), str(role))
        self.new_role.setCurrentIndex(max(0, self.new_role.findData(current)))
        self.rules.setText(password_rules())
        self.create_button.setText(_("Add the officer"))
        self.reset_button.setText(_("Give the selected officer a new password"))
        self.deactivate_button.setText(_("Switch the selected account off"))
        self.reactivate_button.setText(_("Switch it back on with the new password"))
        self.rotate_button.setText(_("Give the data a new key"))
        self.rotate_button.setToolTip(
            _("If a password or a copy of this laptop's files may be in the wrong hands.")
        )
        self.audit_box.setTitle(_("Audit log (newest first)"))
        self.audit.setHorizontalHeaderLabels([_("Time"), _("Officer"), _("Action"), _("Record")])
        self.backup_box.setTitle(_("Backup"))
        self.backup_button.setText(_("Back up now to a folder or USB stick…"))
        self.cancel_button.setText(_("Cancel the backup"))
        self.refresh()

    def refresh(self) -> None:
        can_manage = has_role(self.ctx, Role.ADMINISTRATOR)
        can_supervise = has_role(self.ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)
        for widget in (
            self.create_button,
            self.deactivate_button,
            self.reactivate_button,
            self.new_username,
        ):
            widget.setEnabled(can_manage)
        self.rotate_button.setVisible(may(self.ctx, Action.ROTATE_KEY))
        self.officers_box.setVisible(can_supervise)
        self.audit_box.setVisible(can_supervise)
        self.backup_box.setVisible(can_supervise)
        if not can_supervise:
            self.message.setText(_("Only a supervisor or an administrator can see this page."))
            return
        listed = officers.list_officers(self.ctx)
        names = {o.id: o.display_name for o in listed}
        self.officers.setRowCount(len(listed))
        for row, officer in enumerate(listed):
            for column, text in enumerate(
                [
                    officer.username,
                    officer.display_name,
                    role_label(officer.role),
                    _("Yes") if officer.active else _("No"),
                ]
            ):
                self.officers.setItem(row, column, _item(text))
        report = verify_audit_chain(self.ctx)
        self.chain_state.setText(("✓ " if report.intact else "✗ ") + report.message())
        entries = list_audit(self.ctx, limit=300)
        self.audit.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            values = [
                format_stamp(entry.at),
                names.get(entry.officer_id or "", entry.officer_id or "—"),
                action_label(entry.action),
                (entry.record_id or "")[:8],
            ]
            for column, text in enumerate(values):
                self.audit.setItem(row, column, _item(text))
        self.officer_columns.fit()
        self.audit_columns.fit()

    def _selected_username(self) -> str | None:
        row = self.officers.currentRow()
        item = self.officers.item(row, 0) if row >= 0 else None
        return item.text() if item is not None else None

    def create_officer(self) -> None:
        try:
            officers.create_officer(
                self.ctx,
                self.new_username.text(),
                self.new_name.text(),
                str(self.new_role.currentData()),
                self.new_password.text(),
            )
        except UserFacingError as error:
            self.message.setText(error.full_text())
            return
        self.message.setText(_("The officer can now sign in on this laptop."))
        for box in (self.new_username, self.new_name, self.new_password):
            box.clear()
        self.refresh()

    def reset_selected_password(self) -> None:
        username = self._selected_username()
        if username is None:
            return
        try:
            officers.reset_password(self.ctx, username, self.new_password.text())
        except UserFacingError as error:
            self.message.setText(error.full_text())
            return
        self.new_password.clear()
        self.message.setText(_("The new password works from now on."))
        self.refresh()

    def deactivate_selected(self) -> None:
        username = self._selected_username()
        if username is not None:
            self._run_key_change(
                lambda progress, _cancelled: officers.deactivate_officer(
                    self.ctx, username, progress
                )
            )

    def rotate_key(self) -> None:
        """Suspected compromise (a lost laptop found again, a password seen): a new data key."""
        self._run_key_change(
            lambda progress, _cancelled: rotate_database_key(
                self.ctx, "suspected_compromise", progress
            )
        )

    def _job_view(self, cancellable: bool = False) -> JobView:
        """Key changes and backups share the progress bar; no two run at once. A backup may be
        cancelled (it only reads the store); a key change, once started, is seen through."""
        return JobView(
            self.message,
            self.key_progress,
            self.cancel_button if cancellable else None,
            busy=(self.deactivate_button, self.rotate_button, self.backup_button),
        )

    def _job_running(self) -> bool:
        return self.task is not None and self.task.is_running()

    def _run_key_change(self, job: Callable[[Any, Any], RotationResult | None]) -> None:
        """The key is changed off the UI thread, with progress (minutes at 100,000 records)."""
        if self._job_running():
            return
        self.task = run_job(
            job,
            self._job_view(),
            name="security_page.key_change",
            started=_("Changing the key of the data… Please wait."),
            done=self._key_change_text,
            ended=self.refresh,
        )

    def _key_change_text(self, result: RotationResult | None) -> str:
        if result is None:
            return ""
        text = _("The data has a new key ({seconds} s). Old copies of the key file open nothing.")
        text = text.format(seconds=format_number(round(result.seconds)))
        if result.needs_new_password:
            text += " " + _("Give these officers a new password: {names}").format(
                names=", ".join(result.needs_new_password)
            )
        if not result.recovery_followed:
            text += " " + _("Make a new recovery code now: the old one stopped working.")
        return text

    def reactivate_selected(self) -> None:
        username = self._selected_username()
        if username is None:
            return
        try:
            officers.reactivate_officer(self.ctx, username, self.new_password.text())
        except UserFacingError as error:
            self.message.setText(error.full_text())
            return
        self.new_password.clear()
        self.message.setText(_("The officer can now sign in on this laptop."))
        self.refresh()

    def choose_backup_folder(self) -> None:
        start = load_settings(self.ctx).backup_folder
        folder = QFileDialog.getExistingDirectory(self, _("Backup"), start)
        if folder:
            self.backup_to(Path(folder))

    def backup_to(self, folder: Path) -> BackgroundTask | None:
        """Write a checked backup into ``folder`` off the UI thread (the whole database is copied
        and read back: a minute or more on a full laptop); the written file is the task's result."""
        if self._job_running():
            return None
        ctx = self.ctx
        self.task = run_job(
            lambda progress, cancelled: create_backup(ctx, folder, progress, cancelled),
            self._job_view(cancellable=True),
            name="security_page.backup",
            started=_("Writing the backup and checking it… Please wait."),
            done=lambda path: _("Backup written and checked: {path}").format(path=path),
            cancelled=display(backup_cancelled().message),
            ended=self.refresh,
        )
        return self.task

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.refresh()

    def shutdown(self) -> None:
        """Closing the window: a key change or a backup is never cut off half way."""
        if self.task is not None and self.task.is_running():
            self.task.wait()
