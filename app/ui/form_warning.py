"""The main window's warning about damaged form files (one bad file never stops the app: it is
left out and the officer is told which and why).

The forms are parsed (~0.3 s of CPU) on the preload thread once the window is painted, or here by
a background job: never on the UI thread while the officer waits for the window (issue 20).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from app.ui.text import _
from app.ui.worker import BackgroundTask

CHECK_DELAY_MS = 300  # after the window's first paint (the check is not needed to paint it)


class FormFilesWarning(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("formWarning")
        self.setWordWrap(True)
        self.setStyleSheet("background:#fff3cd; color:#6b4e00; padding:6px;")
        self.setVisible(False)
        self._task: BackgroundTask | None = None
        self._problems: list[str] | None = None  # what the check found
        self._stopped = False  # the window is closing: no check starts any more

    def check_after_paint(self) -> None:
        QTimer.singleShot(CHECK_DELAY_MS, self, self.check)

    def check(self) -> None:
        from app.services.form_catalogue import form_file_problems, parsed_form_problems

        if self._stopped:
            return
        problems = parsed_form_problems()
        if problems is not None:
            self._show(problems)
        elif self._task is None and self._problems is None:
            task = BackgroundTask(lambda _progress, _cancelled: form_file_problems())
            task.succeeded.connect(self._checked)
            self._task = task
            task.start()

    def _checked(self, problems: list[str]) -> None:
        self._task = None
        if shiboken6.isValid(self):
            self._show(problems)

    def _show(self, problems: list[str]) -> None:
        self._problems = problems
        self.setVisible(bool(problems))
        if problems:
            self.setText(
                _("A form file is damaged and is not offered until it is fixed:")
                + "\n"
                + "\n".join(problems[:5])
            )

    def retranslate(self) -> None:
        if self._problems is not None:
            self._show(self._problems)

    def stop(self) -> None:
        self._stopped = True
        if self._task is not None:
            self._task.stop()
