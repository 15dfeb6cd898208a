"""Signing in from the environment (forum kiosks, the start-up bench): the main window's frame
is painted as soon as the password is checked, and the store opens behind it (issue 20).

The password unlocks the database key on a thread (Argon2id lets other threads run) while this,
the UI thread, imports Qt and builds the main window without a context: navigation, toolbar and
the start page, its counts still to come. That frame is shown only once the password is checked
(a wrong one shows nothing and exits 1). SQLAlchemy, the models and the services (~0.6 s of CPU,
more than a bare Qt window takes to start) then load on the preload thread, the store opens with
the key on the sign-in thread, and the window is given the context (MainWindow.attach): the lock
screen, the status bar and the counts fill in. What the store refuses still reaches the officer
as the translated message, and exits 1. The key stays in this process's memory, as before.

This module imports no Qt and no store at import time: app.main imports it before either.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.key_unlock import UnlockedKey, load_unwrap_modules, unlock_database_key
from app.ui.preload import start_preload, store_modules_cpu, wait_for_store_modules

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.services.context import AppContext
    from app.ui.main_window import MainWindow

# How often the UI thread looks whether the store is open (the window is painted meanwhile).
STORE_POLL_MS = 10


@dataclass
class FrameStart:
    """The password is checked and the window's frame built; the store is not open yet."""

    home: Path
    # Dropped once the store is open (or refused): the window keeps no copy of either.
    unlocked: UnlockedKey | None = field(repr=False)
    password: str | None = field(repr=False)
    window: MainWindow
    # For the start-up bench (--report-painted): wall-clock times the frame and the filled
    # window were painted at, and the process's CPU time then ("frame_cpu", "filled_cpu"), and
    # the preload thread's CPU for SQLAlchemy, the models and the services ("store_modules_cpu").
    painted: dict[str, float] = field(default_factory=dict)


class KeyUnlocking:
    """The password unlocking the database key on a thread (Argon2id lets other threads run),
    started as early as app.main can: everything else the frame needs overlaps it."""

    def __init__(self, home: Path, username: str, password: str) -> None:
        self.home = home
        self.password = password
        self._outcome: list[UnlockedKey | BaseException] = []
        # Here, not on the thread: it then starts the key derivation at once, not after ~60
        # imports each waiting for the interpreter while this thread imports Qt (issue 20).
        load_unwrap_modules()
        self._thread = threading.Thread(
            target=self._unlock, args=(username,), name="sign-in", daemon=True
        )
        self._thread.start()

    def _unlock(self, username: str) -> None:
        try:
            self._outcome.append(unlock_database_key(self.home, username, self.password))
        except BaseException as error:  # raised again on the UI thread (result)
            self._outcome.append(error)

    def result(self) -> UnlockedKey:
        """Wait for the key; the sign-in's AccountError when the password does not unlock it."""
        self._thread.join()
        unlocked = self._outcome[0]
        if isinstance(unlocked, BaseException):
            raise unlocked
        return unlocked


def unlock_with_frame(unlocking: KeyUnlocking) -> FrameStart:
    """Import Qt and build the frame here while the password is checked. Raises the sign-in's
    AccountError, with nothing shown, when the password does not unlock the key."""
    from app.ui.main_window import MainWindow
    from app.ui.qt_start import create_qt_application

    create_qt_application()  # the fonts and the style too, while the key is derived
    window = MainWindow(None)
    # The store's modules load in what is left of the key derivation (the frame is built; the
    # UI thread has nothing to do until the password is checked).
    start_preload()
    try:
        unlocked = unlocking.result()
    except BaseException:
        window.deleteLater()
        raise
    password, unlocking.password = unlocking.password, ""
    return FrameStart(unlocking.home, unlocked, password, window)


def _open_store(start: FrameStart, outcome: list[AppContext | BaseException]) -> None:
    try:
        wait_for_store_modules()
        from app.services.accounts import finish_sign_in

        unlocked, password = start.unlocked, start.password
        start.unlocked = start.password = None
        if unlocked is None or password is None:
            raise RuntimeError("the store is opened once per start")
        outcome.append(finish_sign_in(start.home, unlocked, password))
    except BaseException as error:  # reported on the UI thread
        outcome.append(error)


def run_frame_first(
    qt_app: QApplication,
    start: FrameStart,
    language: str | None,
    quit_after_start: bool,
    screenshot: Path | None,
    modules_report: Path | None,
    painted_report: Path | None,
) -> int:
    """Show the frame, open the store behind it, then fill the window in. With
    ``quit_after_start`` (or a screenshot or report) it quits once the filled window is
    painted, as the smoke tests expect of the main window."""
    from PySide6.QtCore import QTimer

    from app.ui.qt_start import after_first_frame, quit_after_first_frame

    window = start.window
    outcome: list[AppContext | BaseException] = []
    opening = threading.Thread(target=_open_store, args=(start, outcome), name="open-store")
    opening.daemon = True
    opening.start()
    window.showMaximized()  # officers' screens are small: use all of it

    def frame_painted() -> None:
        window.grab()  # renders the frame completely, as its first paint does
        start.painted["frame"] = time.time()
        start.painted["frame_cpu"] = time.process_time()
        if painted_report is not None:
            painted_report.write_text(json.dumps(start.painted), encoding="utf-8")

    if painted_report is not None:
        QTimer.singleShot(0, frame_painted)
    failed: list[int] = []

    def store_opened() -> None:
        if opening.is_alive():
            QTimer.singleShot(STORE_POLL_MS, store_opened)
            return
        result = outcome[0]
        if isinstance(result, BaseException):
            failed.append(_report_failure(result))
            window.close()
            qt_app.exit(1)
            return
        _fill(window, result, language)
        # Cycle collection, the forms' parse and the segmenter's model wait for the filled
        # window's paint, not the frame's: the store's modules load and the store opens meanwhile.
        # (The window's repaint is a posted event: it comes before a zero timer.)
        if quit_after_start or screenshot is not None or modules_report is not None:
            quit_after_first_frame(qt_app, window, screenshot, modules_report, filled_painted)
        else:
            QTimer.singleShot(0, after_first_frame)

    def filled_painted() -> None:
        start.painted["filled"] = time.time()
        start.painted["filled_cpu"] = time.process_time()
        loading = store_modules_cpu()
        if loading is not None:
            start.painted["store_modules_cpu"] = loading
        if painted_report is not None:
            painted_report.write_text(json.dumps(start.painted), encoding="utf-8")
        after_first_frame()

    QTimer.singleShot(0, store_opened)
    code = qt_app.exec()
    opening.join()
    if failed:
        return 1
    result = outcome[0]
    if isinstance(result, BaseException):  # (the window was closed before the store opened)
        return _report_failure(result)
    if window.attached:
        window.shutdown()
        from app.ui.worker import wait_for_running_tasks

        wait_for_running_tasks()
    result.close()
    return int(code)


def _fill(window: MainWindow, ctx: AppContext, language: str | None) -> None:
    from app.i18n import set_language
    from app.services.settings import apply_settings, load_settings

    apply_settings(load_settings(ctx))
    if language:
        set_language(language)
    window.attach(ctx)
    window.offer_drafts()


def _report_failure(error: BaseException) -> int:
    from app.services.key_unlock import AccountError

    if isinstance(error, AccountError):
        print(error, file=sys.stderr)
    elif isinstance(error, Exception):  # a bug: its traceback goes to the log
        from app.services.error_log import describe

        print(describe(error, "open_store_after_frame"), file=sys.stderr)
    else:
        raise error
    return 1
