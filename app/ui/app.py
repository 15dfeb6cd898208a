"""Starting the desktop app: Qt application, bundled fonts, style, the main window.

The sign-in window is painted first, with only Qt, translations and the keyring file reader
loaded; SQLAlchemy, ReportLab and the services are imported on a thread while the officer types
(``preload_after_first_paint``). tests/ui/test_first_paint.py lists what must not be imported
before that first paint.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.i18n import set_language
from app.services.before_sign_in import default_home, is_first_run
from app.services.error_log import configure_logging
from app.ui import none_guard
from app.ui.errors import install_error_hook
from app.ui.fonts import register_bundled_fonts, ui_font
from app.ui.preload import PRELOADED_MODULES as PRELOADED_MODULES
from app.ui.preload import first_frame_painted, import_window_modules, start_preload
from app.ui.style import STYLE_SHEET, app_icon

# How often the UI thread looks whether the preload thread is done (then imports the window).
WINDOW_IMPORT_POLL_MS = 50

if TYPE_CHECKING:
    from app.services.context import AppContext
    from app.ui.main_window import MainWindow
    from app.ui.signed_in_start import FrameStart


def create_qt_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    qt_app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    if qt_app.property("vssStyled") is None:  # once (app.main may have made it already)
        qt_app.setProperty("vssStyled", True)
        qt_app.setApplicationName("VSS Outreach")
        qt_app.setOrganizationName("VSS")
        register_bundled_fonts()
        qt_app.setWindowIcon(app_icon())
        qt_app.setFont(ui_font(12))
        qt_app.setStyleSheet(STYLE_SHEET)
    if qt_app.property("noneGuard") is None:  # once per application (tests create it often)
        qt_app.setProperty("noneGuard", True)
        none_guard.install(qt_app)
    return qt_app


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


def resume_garbage_collection() -> None:
    """Turn cycle collection back on once the first window is painted (app.main turned it off
    for the start). What the start allocated is frozen first: nearly all of it (modules,
    classes, Qt's wrappers) lives as long as the app, and later full passes skip it instead of
    walking every imported module again, a pause the officer would feel while scrolling. (A
    cycle among the rest, the first window's own objects, is kept: a few kilobytes.)"""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def after_first_frame() -> None:
    """What waits for the first window to be painted: cycle collection, and the preload
    thread's last step (app.ui.preload)."""
    resume_garbage_collection()
    first_frame_painted()


def _after_first_paint() -> None:
    after_first_frame()
    preload_after_first_paint()


def _import_window_after(thread: threading.Thread) -> None:
    if thread.is_alive():
        QTimer.singleShot(WINDOW_IMPORT_POLL_MS, lambda: _import_window_after(thread))
        return
    import_window_modules()


def _write_loaded_modules(path: Path) -> None:
    """For tests/ui/test_first_paint.py: what was imported when the first window (or, signed in
    with ``--user``, the main window) was painted."""
    path.write_text(json.dumps(sorted(sys.modules)), encoding="utf-8")


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


def quit_after_first_frame(
    qt_app: QApplication,
    window: QWidget,
    screenshot: Path | None,
    modules_report: Path | None = None,
    after_paint: Callable[[], None] | None = None,
) -> None:
    def finish() -> None:
        image = window.grab()  # renders the window completely, as the first paint does
        if after_paint is not None:
            after_paint()
        if modules_report is not None:
            _write_loaded_modules(modules_report)
        if screenshot is not None:
            image.save(str(screenshot))
        qt_app.quit()

    # Quit as soon as the event loop runs, once the first frame is rendered.
    QTimer.singleShot(0, finish)


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
