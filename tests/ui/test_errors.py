"""A bug in a Qt slot reaches the officer as a short apology and the office as a logged traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.i18n import set_language
from app.services.error_log import configure_logging, log_path
from app.ui.errors import install_error_hook

NAME = "Markername Sokha"


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_slot_is_logged_and_apologised_for(  # type: ignore[no-untyped-def]
    vss_qapp: QApplication, qtbot, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_language("en")
    configure_logging(home)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_error_hook()
    shown: list[str] = []

    def close_the_box() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        shown.append(box.text())
        box.accept()

    def broken_slot() -> None:
        raise ValueError(f"{NAME} could not be saved")

    button = QPushButton()
    qtbot.addWidget(button)
    button.clicked.connect(broken_slot)
    QTimer.singleShot(100, close_the_box)
    button.click()
    assert shown == ["Sorry, something went wrong. The details were saved for the office."]
    log = log_path(home).read_text(encoding="utf-8")
    assert "Unexpected error in uncaught" in log
    assert "builtins.ValueError" in log and "in broken_slot" in log
    assert "Markername" not in log
