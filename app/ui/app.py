"""Starting the desktop app: Qt application, bundled fonts, style, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.i18n import set_language
from app.services.context import AppContext, open_app
from app.ui.fonts import register_bundled_fonts, ui_font
from app.ui.main_window import MainWindow
from app.ui.style import STYLE_SHEET


def create_qt_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    qt_app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    qt_app.setApplicationName("VSS Outreach")
    qt_app.setOrganizationName("VSS")
    register_bundled_fonts()
    qt_app.setFont(ui_font(12))
    qt_app.setStyleSheet(STYLE_SHEET)
    return qt_app


def build_main_window(ctx: AppContext) -> MainWindow:
    return MainWindow(ctx)


def run_gui(
    home: Path | None = None,
    language: str | None = None,
    quit_after_start: bool = False,
    screenshot: Path | None = None,
) -> int:
    qt_app = create_qt_application()
    if language:
        set_language(language)
    ctx = open_app(home)
    window = build_main_window(ctx)
    window.show()
    if screenshot is not None or quit_after_start:

        def _finish() -> None:
            if screenshot is not None:
                window.grab().save(str(screenshot))
            qt_app.quit()

        # Quit once the event loop has painted the first frame.
        QTimer.singleShot(300, _finish)
    code = qt_app.exec()
    ctx.close()
    return int(code)
