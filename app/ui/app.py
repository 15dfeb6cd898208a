"""Starting the desktop app: Qt application, bundled fonts, style, the main window.

The sign-in window is painted first, with only Qt, translations and the keyring file reader
loaded; SQLAlchemy, ReportLab and the services are imported on a thread while the officer types
(``preload_after_first_paint``). tests/ui/test_first_paint.py lists what must not be imported
before that first paint.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.i18n import set_language
from app.services.before_sign_in import default_home, is_first_run
from app.services.error_log import configure_logging
from app.ui import feature_check  # noqa: F401 (first: PySide6's import hook made light)
from app.ui.errors import install_error_hook
from app.ui.preload import PRELOADED_MODULES as PRELOADED_MODULES
from app.ui.preload import first_frame_painted, import_window_modules, start_preload
from app.ui.qt_start import after_first_frame as after_first_frame
from app.ui.qt_start import create_qt_application as create_qt_application
from app.ui.qt_start import quit_after_first_frame as quit_after_first_frame
from app.ui.qt_start import resume_garbage_collection as resume_garbage_collection

# How often the UI thread looks whether the preload thread is done (then imports the window).
WINDOW_IMPORT_POLL_MS = 50

if TYPE_CHECKING:
    from app.services.context import AppContext
    from app.ui.main_window import MainWindow
    from app.ui.signed_in_start import FrameStart


def build_main_window(ctx: AppContext) -> MainWindow:
    from app.ui.main_window import MainWindow

    return MainWindow(ctx)


def preload_after_first_paint() -> threading.Thread:
    """Import the store and the services on a thread (app.ui.preload), then the main window's
    modules on this, the UI thread, once that thread is done. Qt modules are never imported on
    two threads at once: PySide6 builds its enums lazily and not thread-safely, and doing so
    crashed the process now and then (1 start in 8 when the kiosk start did it)."""
    first_frame_painted()
    thread = start_preload()
    _import_window_after(thread)
    return thread


def _after_first_paint() -> None:
    after_first_frame()
    preload_after_first_paint()


def _import_window_after(thread: threading.Thread) -> None:
    if thread.is_alive():
        QTimer.singleShot(WINDOW_IMPORT_POLL_MS, lambda: _import_window_after(thread))
        return
    import_window_modules()


def run_gui(
    home: Path | None = None,
    language: str | None = None,
    quit_after_start: bool = False,
    screenshot: Path | None = None,
    username: str | None = None,
    modules_report: Path | None = None,
    started: FrameStart | None = None,
    painted_report: Path | None = None,
) -> int:
    """Set up or sign in, then the main window. With ``--user`` and VSS_OUTREACH_PASSWORD set,
    sign-in happens without the dialog (kiosk laptops at forums, and the smoke test): app.main
    has then checked the password and built the window's frame (``started``), and the store
    opens behind the painted frame (app.ui.signed_in_start)."""
    qt_app = create_qt_application()
    if language:
        set_language(language)
    home = home or default_home()
    home.mkdir(parents=True, exist_ok=True)
    configure_logging(home)
    install_error_hook()
    password = os.environ.get("VSS_OUTREACH_PASSWORD")
    if username and password is not None and not is_first_run(home):
        from app.ui.signed_in_start import KeyUnlocking, run_frame_first, unlock_with_frame

        if started is None:  # (app.main checks the password before Qt: this is a fallback)
            from app.services.key_unlock import AccountError

            try:
                started = unlock_with_frame(KeyUnlocking(home, username, password))
            except AccountError as error:
                print(error, file=sys.stderr)
                return 1
        return run_frame_first(
            qt_app, started, language, quit_after_start, screenshot, modules_report, painted_report
        )
    if quit_after_start or screenshot is not None or modules_report is not None:
        # Smoke test without an account: show the first screen an officer would see.
        return _paint_first_window(qt_app, home, screenshot, modules_report)
    from app.ui.sign_in import obtain_context

    QTimer.singleShot(0, _after_first_paint)
    signed_in = obtain_context(home)
    if signed_in is None:
        return 0
    return _run_main_window(qt_app, signed_in, language, False, None)


def _paint_first_window(
    qt_app: QApplication, home: Path, screenshot: Path | None, modules_report: Path | None
) -> int:
    from app.ui.sign_in import FirstRunDialog, SignInDialog

    first = FirstRunDialog(home) if is_first_run(home) else SignInDialog(home)
    first.show()
    QTimer.singleShot(0, after_first_frame)
    quit_after_first_frame(qt_app, first, screenshot, modules_report)
    return int(qt_app.exec())


def _run_main_window(
    qt_app: QApplication,
    ctx: AppContext,
    language: str | None,
    quit_after_start: bool,
    screenshot: Path | None,
    modules_report: Path | None = None,
) -> int:
    from app.services.settings import apply_settings, load_settings

    apply_settings(load_settings(ctx))
    if language:
        set_language(language)
    window = build_main_window(ctx)
    window.offer_drafts()
    window.showMaximized()  # officers' screens are small: use all of it
    QTimer.singleShot(0, after_first_frame)
    if screenshot is not None or quit_after_start or modules_report is not None:
        quit_after_first_frame(qt_app, window, screenshot, modules_report)
    code = qt_app.exec()
    window.shutdown()
    from app.ui.worker import wait_for_running_tasks

    wait_for_running_tasks()
    ctx.close()
    return int(code)
