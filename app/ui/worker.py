"""Run long work (PDF batches, sync, imports) off the UI thread, with progress and cancel.

The job is a plain function ``job(progress, cancelled) -> result`` from the services layer; the
worker reports progress as a Qt signal (queued to the UI thread) and the result or the error when
it ends. Cancelling only sets a flag the job checks between items, so nothing is left half done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

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
