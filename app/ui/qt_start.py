"""The Qt application and the moments around the first window's paint, shared by the sign-in
start (app.ui.app) and the signed-in start that paints the main window's frame first
(app.ui.signed_in_start): the bundled fonts and style, cycle collection turned back on, and the
quit after the first frame that the smoke tests and the start-up bench use."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.ui import (
    feature_check,  # noqa: F401 (first: PySide6's import hook made light)
    none_guard,
)
from app.ui.fonts import register_bundled_fonts, ui_font
from app.ui.preload import first_frame_painted
from app.ui.style import STYLE_SHEET, app_icon


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


def _write_loaded_modules(path: Path) -> None:
    """For tests/ui/test_first_paint.py: what was imported when the first window (or, signed in
    with ``--user``, the main window) was painted."""
    path.write_text(json.dumps(sorted(sys.modules)), encoding="utf-8")


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
