"""The lock screen: replaces the whole window while the session is locked (idle time or Ctrl+L).

It shows no applicant data and no names: only that the app is locked, whose password opens it and
a password box. The main window swaps it in place of everything else and hides every other window
of the app, so nothing is visible, grab-able or in a title while the laptop is unattended.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.accounts import unlock
from app.services.context import AppContext
from app.ui.sign_in import show_working
from app.ui.text import _
from app.ui.worker import BackgroundTask, JobView, run_job

BOX_WIDTH = 460


class LockScreen(QWidget):
    """Password box over an empty window; ``unlocked`` is emitted once the password is right."""

    unlocked = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        # Named here, not with the module: the main window imports it as the store opens, and
        # naming Qt builds its namespace of enums (~90, 15-25 ms) before the first paint; the
        # screen itself is built at the first lock (MainWindow.lock_screen).
        from PySide6.QtCore import Qt

        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.ctx = ctx
        self.heading = QLabel()
        self.heading.setObjectName("lockHeading")
        self.heading.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.attempt)
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setVisible(False)
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.attempt)
        self.task: BackgroundTask | None = None
        box = QWidget()
        box.setFixedWidth(BOX_WIDTH)
        inner = QVBoxLayout(box)
        for widget in (self.heading, self.message, self.password, self.error, self.unlock_button):
            inner.addWidget(widget)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Locked"))
        self.message.setText(
            _("The app is locked. {officer}, type your password to go on.").format(
                officer=self.ctx.officer.display_name if self.ctx.officer else ""
            )
        )
        self.unlock_button.setText(_("Unlock"))
        # A wrapped label inside a centred box gets one line unless told its real height.
        inner_width = BOX_WIDTH - 24
        self.message.setMinimumHeight(self.message.heightForWidth(inner_width))

    def start(self) -> None:
        """Shown afresh: an empty password box with the focus, no old error."""
        self.password.clear()
        self.error.clear()
        self.error.setVisible(False)
        self.retranslate()
        self.password.setFocus()

    def attempt(self) -> BackgroundTask | None:
        """Check the password off the UI thread (deriving the key takes a moment)."""
        if self.task is not None and not self.task.reported:
            return None
        ctx, password = self.ctx, self.password.text()
        self.error.setVisible(True)
        show_working(self.error, True)
        self.task = run_job(
            lambda _progress, _cancelled: unlock(ctx, password),
            JobView(self.error, busy=(self.unlock_button, self.password), busy_cursor=True),
            name="lock_screen.unlock",
            started=_("Checking the password…"),
            done=lambda _result: "",
            ended=self._attempt_ended,
        )
        return self.task

    def _attempt_ended(self) -> None:
        show_working(self.error, False)
        self.password.clear()
        self.password.setFocus()
        if self.task is None or not self.task.ok:
            return
        self.error.clear()
        self.error.setVisible(False)
        self.unlocked.emit()


# Qt's own question, file and print dialogs run their own event loop (exec): they are answered
# "Cancel" when the lock comes (the officer asks again after unlocking); every other window is
# hidden and shown again after unlocking. Named as Qt's classes, asked with QObject.inherits:
# naming their Python classes here loaded QtPrintSupport and built their enums (13) while the
# signed-in window was filled in, before its first paint (issue 20).
_CANCELLED_ON_LOCK = (
    "QMessageBox",
    "QFileDialog",
    "QInputDialog",
    "QProgressDialog",
    "QPrintDialog",
)


def _cancelled_on_lock(widget: QWidget) -> bool:
    return any(widget.inherits(name) for name in _CANCELLED_ON_LOCK)


class HiddenWindows:
    """The app's other windows (dialogs, record views, presentation) hidden while locked."""

    def __init__(self) -> None:
        self.windows: list[QWidget] = []

    def hide_all(self, keep: QWidget) -> None:
        popup = QApplication.activePopupWidget()
        while popup is not None:
            popup.close()
            following = QApplication.activePopupWidget()
            popup = None if following is popup else following
        for widget in QApplication.topLevelWidgets():
            if widget is keep or not widget.isVisible():
                continue
            if isinstance(widget, QDialog) and _cancelled_on_lock(widget):
                widget.reject()
                continue
            widget.hide()
            self.windows.append(widget)

    def show_all(self) -> None:
        windows, self.windows = self.windows, []
        for widget in windows:
            if shiboken6.isValid(widget):
                widget.show()
