"""Backup, restore and deriving keys run through the background-job helper (issue 14 item 11):
the window keeps working while they run, the progress shows, the dialog cannot be closed half way,
and a refusal reaches the officer translated."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.khmer_text import is_khmer
from app.i18n import set_language
from app.services import backup as backup_service
from app.services import restore as restore_service
from app.services.accounts import first_run_setup
from app.ui import security_page as security_module
from app.ui import worker
from app.ui.security_page import SecurityPage
from app.ui.sign_in import ERROR_COLOUR, WORKING_COLOUR, FirstRunDialog
from app.ui.text import _, display


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSS_OUTREACH_FAST_KDF", "1")


@pytest.fixture
def holds() -> Iterator[list[Held]]:
    """Every held job is let go after the test, pass or fail, so no thread outlives it."""
    made: list[Held] = []
    yield made
    for held in made:
        held.release.set()
    for task in list(worker._RUNNING):
        task.wait()


class Held:
    """Wraps the real service call: it starts only once the test has looked at the window."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.entered = threading.Event()
        self.release = threading.Event()
        self.on_ui_thread: list[bool] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.on_ui_thread.append(threading.current_thread() is threading.main_thread())
        self.entered.set()
        self.release.wait(30)
        return self.real(*args, **kwargs)


def _ui_thread_answers(qtbot: QtBot) -> None:
    """A timer set now fires: the UI thread is not blocked by the job."""
    ticks: list[int] = []
    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks), timeout=5_000)


def test_backup_runs_in_the_background_with_progress(
    vss_qapp: QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    holds: list[Held],
) -> None:
    set_language("km")
    ctx, _code = first_run_setup(tmp_path / "home", "admin", "Admin", "long enough 1", "L", "km")
    page = SecurityPage(ctx)
    qtbot.addWidget(page)
    page.resize(1024, 600)
    page.show()
    held = Held(backup_service.create_backup)
    holds.append(held)
    monkeypatch.setattr(security_module, "create_backup", held)
    task = page.backup_to(tmp_path / "usb")
    assert task is not None and held.entered.wait(30)
    _ui_thread_answers(qtbot)
    assert page.key_progress.isVisible() and page.key_progress.maximum() == 0  # moving
    assert page.message.text() == _("Writing the backup and checking it… Please wait.")
    assert is_khmer(page.message.text())
    assert not page.backup_button.isEnabled() and not page.rotate_button.isEnabled()
    assert page.backup_to(tmp_path / "other") is None  # one job at a time
    held.release.set()
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    assert held.on_ui_thread == [False]
    assert task.ok and task.result.exists() and str(task.result) in page.message.text()
    assert not page.key_progress.isVisible() and page.backup_button.isEnabled()
    assert not (tmp_path / "other").exists()
    page.shutdown()
    ctx.close()


def test_a_refused_backup_reaches_the_officer_in_khmer(
    vss_qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx, _code = first_run_setup(tmp_path / "home", "admin", "Admin", "long enough 1", "L", "km")
    page = SecurityPage(ctx)
    qtbot.addWidget(page)
    not_a_folder = tmp_path / "stick"
    not_a_folder.write_bytes(b"a file where the folder should be")
    set_language("km")
    task = page.backup_to(not_a_folder)
    assert task is not None
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    assert not task.ok and task.result is None
    start = _("The backup could not be written or read: {problem}").split("{problem}")[0]
    assert is_khmer(start) and page.message.text().startswith(start)  # ready to wrap
    assert not page.key_progress.isVisible() and page.backup_button.isEnabled()
    assert not_a_folder.read_bytes() == b"a file where the folder should be"
    ctx.close()


def test_restore_cannot_be_closed_half_way_and_a_damaged_file_is_explained(
    vss_qapp: QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    holds: list[Held],
) -> None:
    set_language("km")
    bad = tmp_path / "bad.vssbak"
    bad.write_bytes(b"PK\x03\x04 not really a backup")
    held = Held(restore_service.restore_backup)
    holds.append(held)
    monkeypatch.setattr(restore_service, "restore_backup", held)
    dialog = FirstRunDialog(tmp_path / "home")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("admin")  # who may restore, as at the backup
    dialog.password.setText("long enough 1")
    task = dialog.restore_from(bad)
    assert task is not None and held.entered.wait(30)
    _ui_thread_answers(qtbot)
    assert dialog.progress.isVisible() and not dialog.restore_button.isEnabled()
    assert QApplication.overrideCursor() is not None
    assert dialog.error.styleSheet() == WORKING_COLOUR  # a wait is not shown as an error
    dialog.reject()  # Escape or the window's close button while the backup is read
    assert dialog.isVisible() and dialog.result() == 0
    held.release.set()
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    assert held.on_ui_thread == [False]
    damaged = _("This backup file is damaged or is not a VSS Outreach backup.")
    assert is_khmer(damaged) and dialog.error.text() == damaged
    assert dialog.error.styleSheet() == ERROR_COLOUR
    assert not task.ok and not dialog.restored and dialog.isVisible()
    assert not dialog.progress.isVisible() and dialog.restore_button.isEnabled()
    assert QApplication.overrideCursor() is None
    dialog.reject()  # now it closes
    assert not dialog.isVisible()


def test_a_backup_shows_its_progress_and_can_be_cancelled(
    vss_qapp: QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    holds: list[Held],
) -> None:
    set_language("km")
    ctx, _code = first_run_setup(tmp_path / "home", "admin", "Admin", "long enough 1", "L", "km")
    page = SecurityPage(ctx)
    qtbot.addWidget(page)
    page.resize(1024, 600)
    page.show()
    # A backup seen through: the bar is given the service's real figures up to the total.
    task = page.backup_to(tmp_path / "first")
    assert task is not None
    reports: list[tuple[int, int]] = []
    task.progressed.connect(lambda number, total: reports.append((number, total)))
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    assert task.ok and not page.cancel_button.isVisible()
    assert reports and reports[-1] == (100, 100)
    assert [n for n, _t in reports] == sorted(n for n, _t in reports)

    held = Held(backup_service.create_backup)
    holds.append(held)
    monkeypatch.setattr(security_module, "create_backup", held)
    usb = tmp_path / "usb"
    task = page.backup_to(usb)
    assert task is not None and held.entered.wait(30)
    _ui_thread_answers(qtbot)
    assert page.cancel_button.isVisible() and page.cancel_button.isEnabled()
    assert is_khmer(page.cancel_button.text())
    page.cancel_button.click()
    held.release.set()
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    assert not task.ok and task.result is None
    cancelled = _("The backup was cancelled. No backup file was left behind.")
    assert is_khmer(cancelled) and page.message.text() == display(cancelled)
    assert not page.cancel_button.isVisible() and page.backup_button.isEnabled()
    assert not usb.exists() or list(usb.iterdir()) == []
    page.grab().save(str(tmp_path / "backup-cancelled-1024x600.png"))
    page.shutdown()
    ctx.close()


def test_a_restore_can_be_cancelled_before_it_changes_anything(
    vss_qapp: QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    holds: list[Held],
) -> None:
    old, _code = first_run_setup(tmp_path / "old", "admin", "Admin", "long enough 1", "L", "en")
    backup_file = backup_service.create_backup(old, tmp_path / "usb")
    old.close()
    set_language("km")
    real_restore = restore_service.restore_backup
    held = Held(real_restore)
    holds.append(held)
    monkeypatch.setattr(restore_service, "restore_backup", held)
    home = tmp_path / "home"
    dialog = FirstRunDialog(home)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("admin")
    dialog.password.setText("long enough 1")
    task = dialog.restore_from(backup_file)
    assert task is not None and held.entered.wait(30)
    _ui_thread_answers(qtbot)
    assert dialog.cancel_button.isVisible() and dialog.cancel_button.isEnabled()
    assert is_khmer(dialog.cancel_button.text())
    dialog.cancel_button.click()
    held.release.set()
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    cancelled = _(
        "The restore was cancelled before anything was changed. The data folder is as it was."
    )
    assert is_khmer(cancelled) and dialog.error.text() == display(cancelled)
    assert dialog.error.styleSheet() == WORKING_COLOUR  # news, not an error
    assert not task.ok and not dialog.restored and dialog.isVisible()
    assert not dialog.cancel_button.isVisible() and dialog.restore_button.isEnabled()
    assert not home.exists() or list(home.iterdir()) == []  # nothing set up, no staging
    dialog.grab().save(str(tmp_path / "restore-cancelled.png"))

    # Seen through, the cancel button is switched off from the commit point on.
    held = Held(real_restore)
    holds.append(held)
    monkeypatch.setattr(restore_service, "restore_backup", held)
    task = dialog.restore_from(backup_file)
    assert task is not None and held.entered.wait(30)
    seen: list[tuple[int, bool]] = []
    task.progressed.connect(lambda n, _t: seen.append((n, dialog.cancel_button.isEnabled())))
    held.release.set()
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    assert task.ok and dialog.restored
    assert [n for n, _e in seen] == list(range(restore_service.RESTORE_STEPS + 1))
    assert all(enabled == (n < restore_service.COMMIT_STEP) for n, enabled in seen)
