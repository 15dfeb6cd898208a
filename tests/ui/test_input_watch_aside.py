"""The idle lock's watch is set aside while the wizard is built (app/ui/input_watch.set_aside):
off the application during the build, which turns no event loop (no input can arrive), and back
after it whatever happens, so that every key and click afterwards is seen as before: the lock
shortcut from a window over the main window, the officer's activity."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.services.accounts import first_run_setup, is_locked
from app.ui.input_watch import InputWatch, set_aside
from app.ui.intake_page import IntakePage
from app.ui.main_window import MainWindow

PASSWORD = "long enough 1"


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSS_OUTREACH_FAST_KDF", "1")


def _ctrl_l() -> QKeyEvent:
    return QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)


def _both(seen: list[str]) -> bool:
    """The key press was seen as activity and as a possible lock key (once per widget it goes
    to: a key the line edit leaves goes on to its window)."""
    return "activity" in seen and "key" in seen


def _watch(qtbot: QtBot) -> tuple[InputWatch, list[str], QWidget]:
    window = QWidget()
    qtbot.addWidget(window)
    seen: list[str] = []

    def lock_key(event: QKeyEvent) -> bool:
        seen.append("key")
        return False

    watch = InputWatch(window, lambda: seen.append("activity"), lock_key)
    watch.watch_now()
    return watch, seen, window


def test_the_watch_is_off_while_set_aside_and_back_after(
    vss_qapp: QApplication, qtbot: QtBot
) -> None:
    watch, seen, window = _watch(qtbot)
    target = QLineEdit(window)
    QApplication.sendEvent(target, _ctrl_l())
    assert _both(seen)
    seen.clear()
    with set_aside():
        QApplication.sendEvent(target, _ctrl_l())
        assert seen == []
    QApplication.sendEvent(target, _ctrl_l())
    assert _both(seen)

    seen.clear()
    with pytest.raises(RuntimeError), set_aside():
        raise RuntimeError("a build that failed")
    QApplication.sendEvent(target, _ctrl_l())
    assert _both(seen), "back after a failed build too"

    seen.clear()
    with set_aside():
        watch.stop()  # the window locked or closed meanwhile: the watch stays off
    QApplication.sendEvent(target, _ctrl_l())
    assert seen == []


def test_after_the_wizard_opens_the_lock_key_locks_from_a_window_on_top(
    vss_qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx, _code = first_run_setup(tmp_path, "admin", "Admin", PASSWORD, "Laptop", "km")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    assert window.input_watch is not None
    qtbot.waitUntil(lambda: window.input_watch is not None and window.input_watch.watching)
    intake = window.page("new_application")
    assert isinstance(intake, IntakePage)
    intake.start("civil_party")
    assert intake.wizard is not None
    window.last_activity = 0.0
    qtbot.mouseMove(intake.wizard.next_button)
    qtbot.mouseClick(intake.wizard.next_button, Qt.MouseButton.LeftButton)
    assert window.last_activity > time.monotonic() - 60  # the click was seen
    dialog = QDialog(window)  # a modal window blocks the main window's own shortcut
    dialog.setModal(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked and is_locked(window.ctx)
    dialog.close()
    window.shutdown()
    ctx.close()
