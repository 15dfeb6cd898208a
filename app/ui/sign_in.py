"""Before the main window: first-run set-up, signing in (or recovering a forgotten password), and
the lock screen shown after idle time. The store is encrypted, so nothing opens without a key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import LANGUAGE_NAMES, LANGUAGES, current_language, set_language
from app.services.before_sign_in import known_usernames, password_rules, waiting_reset_notice
from app.ui.recovery_code import RecoveryCodeDialog
from app.ui.text import _, display
from app.ui.worker import BackgroundTask, JobView, run_job

if TYPE_CHECKING:
    from app.services.context import AppContext


# The store's services (SQLAlchemy, key derivation) are imported when they are first used, not
# before this window is painted: app.ui.app loads them on a thread while the officer types.
def first_run_setup(
    home: Path, username: str, display_name: str, password: str, device: str, language: str
) -> tuple[AppContext, str]:
    from app.services.accounts import first_run_setup as set_up

    return set_up(home, username, display_name, password, device, language)


def sign_in(home: Path, username: str, password: str) -> AppContext:
    from app.services.accounts import sign_in as open_store

    return open_store(home, username, password)


def sign_in_with_recovery(home: Path, code: str, username: str, new_password: str) -> AppContext:
    from app.services.accounts import sign_in_with_recovery as recover

    return recover(home, code, username, new_password)


def _password_box(name: str) -> QLineEdit:
    box = QLineEdit()
    box.setObjectName(name)
    box.setEchoMode(QLineEdit.EchoMode.Password)
    return box


def password_rules_label() -> QLabel:
    """The password rules, shown before the officer types a new password."""
    label = QLabel()
    label.setObjectName("passwordRules")
    label.setWordWrap(True)
    label.setStyleSheet("color: #444444;")
    return label


def _progress_bar() -> QProgressBar:
    """Moves while keys are derived or a backup is read, so nobody thinks the app froze."""
    bar = QProgressBar()
    bar.setObjectName("jobProgress")
    bar.setTextVisible(False)
    bar.setMaximumHeight(10)
    bar.setVisible(False)
    return bar


class _JobDialog(QDialog):
    """A dialog whose slow step (deriving keys from a password, reading a backup) runs through
    the background-job helper: the window keeps painting, and it cannot be closed half way."""

    task: BackgroundTask | None = None
    language: QComboBox  # the language chooser, in the dialogs that have one

    def retranslate(self) -> None:
        """Every text of the dialog again, in the current language."""

    def choose_language(self, index: int) -> None:
        """The officer chose a language: the dialog speaks it at once."""
        set_language(self.language.itemData(index))
        self.retranslate()

    def job_running(self) -> bool:
        return self.task is not None and not self.task.reported

    def reject(self) -> None:
        if not self.job_running():  # closing now would abandon the derivation or the restore
            super().reject()


ERROR_COLOUR = "color: #b00020;"
WORKING_COLOUR = "color: #444444;"


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("errorLabel")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_COLOUR)
    return label


def show_working(label: QLabel, working: bool) -> None:
    """The message line is grey while the job runs ("Opening the records…" is not an error)
    and red again for what the job ends with."""
    label.setStyleSheet(WORKING_COLOUR if working else ERROR_COLOUR)


class FirstRunDialog(_JobDialog):
    """Create the first administrator, choose the language and name this laptop."""

    # Emitted by the restore job (in its thread) as it reaches its commit point; delivered on
    # the UI thread, where it switches the cancel button off.
    restore_committing = Signal()

    def __init__(self, home: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.home = home
        self.ctx: AppContext | None = None
        self.recovery_code = ""
        self.setMinimumWidth(560)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(LANGUAGES.index(current_language()))
        self.language.currentIndexChanged.connect(self.choose_language)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("displayName")
        self.password = _password_box("password")
        self.password_again = _password_box("passwordAgain")
        self.device_name = QLineEdit()
        self.device_name.setObjectName("deviceName")
        self.error = _error_label()
        self.form = QFormLayout()
        self.labels = [QLabel() for _ in range(6)]
        widgets = [
            self.language,
            self.username,
            self.display_name,
            self.password,
            self.password_again,
            self.device_name,
        ]
        for label, widget in zip(self.labels, widgets, strict=True):
            self.form.addRow(label, widget)
        self.rules = password_rules_label()
        # Across both columns: a wrapped label in the field column of a form layout is given the
        # height of its unwrapped width, and the last lines of the rules were cut.
        self.form.insertRow(self.form.rowCount() - 1, self.rules)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.create_account)
        self.restore_button = QPushButton()
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.clicked.connect(self.choose_backup)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restored = False
        self.progress = _progress_bar()
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelRestore")
        self.cancel_button.setVisible(False)
        self.restore_committing.connect(lambda: self.cancel_button.setEnabled(False))
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Set up VSS Outreach"))
        self.intro.setText(
            _(
                "This laptop is new. Create the administrator account. Records are encrypted; "
                "only officers with an account can open them."
            )
        )
        texts = [
            _("Language"),
            _("User name"),
            _("Full name"),
            _("Password"),
            _("Password again"),
            _("Name of this laptop"),
        ]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.rules.setText(password_rules())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText(_("Create the account"))
        self.restore_button.setText(_("Restore from a backup…"))
        self.cancel_button.setText(_("Cancel the restore"))

    def _job_view(self, cancellable: bool = False) -> JobView:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        return JobView(
            self.error,
            self.progress,
            self.cancel_button if cancellable else None,
            busy=(self.restore_button, *([ok] if ok is not None else [])),
            busy_cursor=True,
        )

    def create_account(self) -> BackgroundTask | None:
        """Create the administrator; deriving the keys takes a moment, off the UI thread."""
        if self.job_running():
            return None
        if self.password.text() != self.password_again.text():
            self.error.setText(_("The two passwords are not the same."))
            return None
        home, language = self.home, self.language.currentData()
        username, name = self.username.text(), self.display_name.text()
        password, device = self.password.text(), self.device_name.text()
        show_working(self.error, True)
        self.task = run_job(
            lambda _progress, _cancelled: first_run_setup(
                home, username, name, password, device, language
            ),
            self._job_view(),
            name="sign_in.first_run",
            started=_("Creating the account and its keys… Please wait."),
            done=lambda _result: "",
            ended=self._account_created,
        )
        return self.task

    def _account_created(self) -> None:
        show_working(self.error, False)
        if self.task is None or not self.task.ok:
            return
        self.ctx, self.recovery_code = self.task.result
        RecoveryCodeDialog(self.recovery_code, self).exec()
        self.accept()

    def choose_backup(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(
            self, _("Restore from a backup…"), "", "VSS backup (*.vssbak)"
        )
        if path:
            self.restore_from(Path(path))

    def restore_from(self, backup_file: Path) -> BackgroundTask | None:
        """A lost or replaced laptop: put a backup into this empty data folder, then sign in.
        The user name and password typed above are those of an officer who may restore (an
        administrator, unless the office allowed supervisors), as they were at the backup.
        The backup is checked and copied off the UI thread; a refusal is shown in the dialog."""
        from app.services.restore import (
            COMMIT_STEP,
            RestoreCredentials,
            restore_backup,
            restore_cancelled,
        )

        if self.job_running():
            return None
        if not self.username.text().strip() or not self.password.text():
            self.error.setText(
                _(
                    "To restore, type the user name and password of an administrator as they "
                    "were when the backup was made, then choose the backup."
                )
            )
            return None
        credentials = RestoreCredentials(self.username.text(), self.password.text())
        home = self.home
        committing = self.restore_committing

        def report(progress: Callable[[int, int], None]) -> Callable[[int, int], None]:
            def reported(number: int, total: int) -> None:
                if number >= COMMIT_STEP:  # from here on a cancel is not heard
                    committing.emit()
                progress(number, total)

            return reported

        self.cancel_button.setEnabled(True)
        show_working(self.error, True)
        self.task = run_job(
            lambda progress, cancelled: restore_backup(
                backup_file, home, credentials, report(progress), cancelled
            ),
            self._job_view(cancellable=True),
            name="sign_in.restore",
            started=_("Checking the backup and restoring it… Please wait."),
            done=lambda _result: _("The backup was restored. Sign in with your password."),
            cancelled=display(restore_cancelled().message),
            ended=self._restore_ended,
        )
        return self.task

    def _restore_ended(self) -> None:
        # A restore the officer cancelled ends in grey: the message is news, not an error.
        cancelled = self.task is not None and self.task.cancel_requested and not self.task.ok
        show_working(self.error, cancelled)
        if self.task is not None and self.task.ok:
            self.restored = True
            self.accept()


class SignInDialog(_JobDialog):
    """User name and password; "Forgot password?" switches to the recovery code."""

    def __init__(self, home: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.home = home
        self.ctx: AppContext | None = None
        self.setMinimumWidth(480)
        self.username = QComboBox()
        self.username.setObjectName("username")
        self.username.setEditable(True)
        self.username.addItems(known_usernames(home))
        self.password = _password_box("password")
        self.recovery_code = QLineEdit()
        self.recovery_code.setObjectName("recoveryCodeInput")
        self.new_password = _password_box("newPassword")
        self.error = _error_label()
        self.form = QFormLayout()
        self.username_label = QLabel()
        self.password_label = QLabel()
        self.code_label = QLabel()
        self.new_password_label = QLabel()
        self.form.addRow(self.username_label, self.username)
        self.form.addRow(self.password_label, self.password)
        self.form.addRow(self.code_label, self.recovery_code)
        self.form.addRow(self.new_password_label, self.new_password)
        self.rules = password_rules_label()
        self.form.addRow("", self.rules)
        self.sign_in_button = QPushButton()
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.attempt)
        self.forgot_button = QPushButton()
        self.forgot_button.setObjectName("forgotButton")
        self.forgot_button.setFlat(True)
        self.forgot_button.clicked.connect(self.toggle_recovery)
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(LANGUAGES.index(current_language()))
        self.language.currentIndexChanged.connect(self.choose_language)
        # A waiting reset of the administrator's password is shown to every sign-in.
        self.notice = _error_label()
        self.notice.setObjectName("waitingResetNotice")
        layout = QVBoxLayout(self)
        # At the right edge (a stretch, not an alignment: Qt's namespace of enums costs ~50 ms to
        # build in PySide6, and nothing else in this window needs it before it is painted).
        language_row = QHBoxLayout()
        language_row.addStretch(1)
        language_row.addWidget(self.language)
        layout.addLayout(language_row)
        layout.addWidget(self.notice)
        layout.addLayout(self.form)
        self.progress = _progress_bar()
        layout.addWidget(self.error)
        layout.addWidget(self.progress)
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.forgot_button)
        self.recovering = False
        self._show_mode()
        self.retranslate()
        if self.username.count():
            self.password.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Sign in — VSS Outreach"))
        notice = waiting_reset_notice(self.home)
        self.notice.setText(display(notice or ""))
        self.notice.setVisible(notice is not None)
        self.username_label.setText(_("User name"))
        self.password_label.setText(_("Password"))
        self.code_label.setText(_("Recovery code"))
        self.new_password_label.setText(_("New password"))
        # Shown only with the recovery code; made then (numbers load Babel's locale data).
        self.rules.setText(password_rules() if self.recovering else "")
        self.sign_in_button.setText(_("Sign in"))
        self.forgot_button.setText(
            _("Back to the password") if self.recovering else _("Forgot the password?")
        )

    def toggle_recovery(self) -> None:
        self.recovering = not self.recovering
        self._show_mode()
        self.retranslate()

    def _show_mode(self) -> None:
        for widget in (self.password, self.password_label):
            widget.setVisible(not self.recovering)
        for widget in (
            self.recovery_code,
            self.code_label,
            self.new_password,
            self.new_password_label,
            self.rules,
        ):
            widget.setVisible(self.recovering)

    def attempt(self) -> BackgroundTask | None:
        """Open the records; deriving the key from the password takes a moment on a field
        laptop, so it runs off the UI thread while the dialog shows that something happens."""
        if self.job_running():
            return None
        home, username = self.home, self.username.currentText()
        if self.recovering:
            code, new_password = self.recovery_code.text(), self.new_password.text()

            def job(_progress: object, _cancelled: object) -> AppContext:
                return sign_in_with_recovery(home, code, username, new_password)

        else:
            password = self.password.text()

            def job(_progress: object, _cancelled: object) -> AppContext:
                return sign_in(home, username, password)

        self.error.setVisible(True)
        show_working(self.error, True)
        self.task = run_job(
            job,
            JobView(
                self.error,
                self.progress,
                busy=(self.sign_in_button, self.forgot_button),
                busy_cursor=True,
            ),
            name="sign_in.attempt",
            started=_("Opening the records…"),
            done=lambda _ctx: "",
            on_error=self.password.clear,
            ended=self._attempt_ended,
        )
        return self.task

    def _attempt_ended(self) -> None:
        show_working(self.error, False)
        if self.task is None or not self.task.ok:
            return
        self.ctx = self.task.result
        assert self.ctx is not None
        from PySide6.QtWidgets import QMessageBox

        for notice in self.ctx.notices:
            QMessageBox.information(self, _("Sign in — VSS Outreach"), display(notice))
        self.ctx.notices = []
        new_code, self.ctx.new_recovery_code = self.ctx.new_recovery_code, None
        if new_code:  # the used code stopped working: the new one is shown once
            RecoveryCodeDialog(str(new_code), self).exec()
        self.accept()


def obtain_context(home: Path) -> AppContext | None:
    """Set up this laptop or sign in; None when the officer closes the dialog."""
    from app.services.before_sign_in import is_first_run

    dialog: FirstRunDialog | SignInDialog
    dialog = FirstRunDialog(home) if is_first_run(home) else SignInDialog(home)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    if isinstance(dialog, FirstRunDialog) and dialog.restored:
        sign_in_dialog = SignInDialog(home)
        if sign_in_dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return sign_in_dialog.ctx
    return dialog.ctx
