"""Run long work (PDF batches, sync, imports) off the UI thread, with progress and cancel.

The job is a plain function ``job(progress, cancelled) -> result`` from the services layer; the
worker reports progress as a Qt signal (queued to the UI thread) and the result or the error when
it ends. Cancelling only sets a flag the job checks between items, so nothing is left half done.

Pages start jobs with :func:`run_job`, which also shows progress, offers cancel and reports the
outcome (errors through ``app.services.error_log``); :class:`DataEvents` tells pages that data
changed, so none of them polls the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore
from PySide6.QtCore import QObject, QThread, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QLabel, QProgressBar, QPushButton, QWidget

from app.services.error_log import describe

if TYPE_CHECKING:  # the sign-in window runs jobs before the store's modules are imported
    from app.store.db import Store
from app.ui.text import _, display

ProgressCallback = Callable[[int, int], None]
CancelledCheck = Callable[[], bool]
Job = Callable[[ProgressCallback, CancelledCheck], Any]


# Tasks stay referenced here until their thread has finished: a QThread destroyed while it runs
# aborts the process, and the last Python reference may otherwise drop at any moment.
_RUNNING: set[BackgroundTask] = set()


class BackgroundTask(QObject):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    ended = Signal()

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.reported = False  # run_job has shown the outcome (set on the UI thread)
        self.ok = False  # the job returned a result (no error, not cancelled)
        self.result: Any = None  # what the job returned (set on the UI thread)
        self._cancel = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("vss-background-task")
        self._runner = _Runner(self)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        # Delivered on the UI thread (the receiver lives there), after the thread has stopped.
        self._thread.finished.connect(self._release)

    def start(self) -> None:
        _RUNNING.add(self)
        self._thread.start()

    def _release(self) -> None:
        self._thread.wait()
        _RUNNING.discard(self)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def stop(self) -> None:
        """Cancel and wait for the job to end (closing a page or the app while it runs)."""
        if self.is_running():
            self.cancel()
            self.wait()

    def wait(self, milliseconds: int = 60_000) -> bool:
        return bool(self._thread.wait(milliseconds))

    def is_running(self) -> bool:
        return bool(self._thread.isRunning())


def wait_for_running_tasks(milliseconds: int = 10_000) -> None:
    """Before the app exits (the registry's short reads may still run): a QThread destroyed
    while it runs aborts the process."""
    for task in list(_RUNNING):
        task.wait(milliseconds)


class _Runner(QObject):
    """Lives in the worker thread and runs the job there; the task stays on the UI thread, so
    its signals reach UI slots queued and its lifetime is managed from the UI thread."""

    def __init__(self, task: BackgroundTask) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        task = self.task
        try:
            result = task.job(task.progressed.emit, task._cancel.is_set)
        except Exception as error:  # reported to the UI, which shows its translated message
            task.failed.emit(error)
        else:
            task.succeeded.emit(result)
        finally:
            task.ended.emit()
            task._thread.quit()


# Cancelling a job raises one of these in it (PDF batches raise RenderCancelled): not an error.
CANCELLED_NAMES = frozenset({"RenderCancelled", "JobCancelled"})


@dataclass
class JobView:
    """The widgets a page shows a running job with."""

    message: QLabel
    progress: QProgressBar | None = None
    cancel: QPushButton | None = None
    busy: Sequence[QWidget] = field(default_factory=tuple)  # disabled while the job runs
    # The busy pointer while it runs, for jobs the officer waits on before doing anything else
    # (opening the records after the password): the window stays responsive all the same.
    busy_cursor: bool = False


def run_job(
    job: Job,
    view: JobView,
    *,
    name: str,
    started: str,
    done: Callable[[Any], str],
    cancelled: str | None = None,
    ended: Callable[[], None] | None = None,
    on_error: Callable[[], None] | None = None,
) -> BackgroundTask:
    """Start ``job`` in the background: ``started`` is shown at once, the progress bar follows
    it, the cancel button stops it, and the message ends as ``done(result)``, the ``cancelled``
    text, or the error (a bug is logged under ``name`` and shown as an apology)."""
    task = BackgroundTask(job)
    if view.progress is not None:
        view.progress.setRange(0, 0)  # busy until the first progress report
        view.progress.setVisible(True)
        task.progressed.connect(lambda number, total: _show_progress(view, number, total))
    if view.cancel is not None:
        view.cancel.setVisible(True)
        view.cancel.clicked.connect(task.cancel)
    for widget in view.busy:
        widget.setEnabled(False)
    if view.busy_cursor:
        QApplication.setOverrideCursor(QCursor(QtCore.Qt.CursorShape.BusyCursor))
    view.message.setText(started)

    def succeeded(result: Any) -> None:
        task.ok = True
        task.result = result
        view.message.setText(done(result))

    def failed(error: BaseException) -> None:
        if type(error).__name__ in CANCELLED_NAMES:
            view.message.setText(cancelled or _("Cancelled. Nothing was saved."))
        else:
            # Service messages are translated but not prepared for wrapping Khmer on screen.
            view.message.setText(display(describe(error, name)))
            if on_error is not None:
                on_error()

    def finished() -> None:
        if view.progress is not None:
            view.progress.setVisible(False)
        if view.cancel is not None:
            view.cancel.setVisible(False)
            view.cancel.clicked.disconnect(task.cancel)
        for widget in view.busy:
            widget.setEnabled(True)
        if view.busy_cursor:
            QApplication.restoreOverrideCursor()
        if ended is not None:
            ended()
        task.reported = True

    task.succeeded.connect(succeeded)
    task.failed.connect(failed)
    task.ended.connect(finished)
    task.start()
    return task


def _show_progress(view: JobView, number: int, total: int) -> None:
    assert view.progress is not None
    view.progress.setRange(0, max(total, 1))
    view.progress.setValue(number)


class DataEvents(QObject):
    """``changed`` fires on the UI thread shortly after data was written (by any page, a
    background job or sync); several writes in a row give one signal."""

    changed = Signal()
    _written = Signal()
    DELAY_MS = 150

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DELAY_MS)
        self._timer.timeout.connect(self.changed)
        # Emitted in the writing thread; delivered queued to this object's (the UI) thread.
        self._written.connect(self._timer.start)
        self._stop = store.on_change(self._written.emit)

    def stop(self) -> None:
        self._stop()
        self._timer.stop()
