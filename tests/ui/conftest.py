from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from app.services.context import AppContext
from app.ui.app import build_main_window, create_qt_application
from app.ui.main_window import MainWindow


@pytest.fixture(scope="session")
def qapp_cls() -> type[QApplication]:
    return QApplication


@pytest.fixture(scope="session")
def vss_qapp(qapp: QApplication) -> QApplication:
    """The app's fonts, style sheet and icon, set once: setting a style sheet re-polishes every
    widget alive, which made each test slower than the one before."""
    return create_qt_application()


@pytest.fixture(autouse=True)
def _close_widgets(qapp: QApplication) -> Iterator[None]:
    """Every window a test opened is closed and deleted after it, so none leaks into the next."""
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


@pytest.fixture
def main_window(vss_qapp: QApplication, qtbot, ctx: AppContext) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    window = build_main_window(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.shutdown()
