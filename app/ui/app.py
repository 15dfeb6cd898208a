"""Starting the desktop app: Qt application, bundled fonts, style, the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.i18n import set_language
from app.services.accounts import AccountError, is_first_run, sign_in
from app.services.context import AppContext, default_home
from app.services.error_log import configure_logging
from app.services.settings import apply_settings, load_settings
from app.ui import none_guard
from app.ui.errors import install_error_hook
from app.ui.fonts import register_bundled_fonts, ui_font
from app.ui.main_window import MainWindow
from app.ui.sign_in import FirstRunDialog, SignInDialog, obtain_context
from app.ui.style import STYLE_SHEET


def create_qt_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    qt_app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    qt_app.setApplicationName("VSS Outreach")
    qt_app.setOrganizationName("VSS")
    register_bundled_fonts()
    from app.ui.about import app_icon

    qt_app.setWindowIcon(app_icon())
    qt_app.setFont(ui_font(12))
    qt_app.setStyleSheet(STYLE_SHEET)
    if qt_app.property("noneGuard") is None:  # once per application (tests create it often)
        qt_app.setProperty("noneGuard", True)
        none_guard.install(qt_app)
    return qt_app


def build_main_window(ctx: AppContext) -> MainWindow:
    return MainWindow(ctx)


def run_gui(
    home: Path | None = None,
    language: str | None = None,
    quit_after_start: bool = False,
    screenshot: Path | None = None,
    username: str | None = None,
) -> int:
    """Set up or sign in, then the main window. With ``--user`` and VSS_OUTREACH_PASSWORD set,
    sign-in happens without the dialog (kiosk laptops at forums, and the smoke test)."""
    qt_app = create_qt_application()
    if language:
        set_language(language)
    home = home or default_home()
    home.mkdir(parents=True, exist_ok=True)
    configure_logging(home)
    install_error_hook()
    first: QWidget
    ctx: AppContext | None = None
    password = os.environ.get("VSS_OUTREACH_PASSWORD")
    if username and password is not None and not is_first_run(home):
        try:
            ctx = sign_in(home, username, password)
        except AccountError as error:
            print(error, file=sys.stderr)
            return 1
    if ctx is None and (quit_after_start or screenshot is not None):
        # Smoke test without an account: show the first screen an officer would see.
        first = FirstRunDialog(home) if is_first_run(home) else SignInDialog(home)
    else:
        if ctx is None:
            ctx = obtain_context(home)
        if ctx is None:
            return 0
        apply_settings(load_settings(ctx))
        if language:
            set_language(language)
        window = build_main_window(ctx)
        window.offer_drafts()
        first = window
    if isinstance(first, MainWindow):
        first.showMaximized()  # officers' screens are small: use all of it
    else:
        first.show()
    if screenshot is not None or quit_after_start:

        def _finish() -> None:
            image = first.grab()  # renders the window completely, as the first paint does
            if screenshot is not None:
                image.save(str(screenshot))
            qt_app.quit()

        # Quit as soon as the event loop runs, once the first frame is rendered.
        QTimer.singleShot(0, _finish)
    code = qt_app.exec()
    if isinstance(first, MainWindow):
        first.shutdown()
    if ctx is not None:
        ctx.close()
    return int(code)
