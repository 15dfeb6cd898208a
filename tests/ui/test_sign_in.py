"""First run, sign-in (wrong password, recovery code) and the idle lock, in the real dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.accounts import first_run_setup, is_locked
from app.services.records import start_application
from app.services.security import PermissionDenied
from app.ui.lock_screen import LockScreen
from app.ui.main_window import MainWindow
from app.ui.sign_in import FirstRunDialog, SignInDialog
from app.ui.text import plain
from app.ui.worker import BackgroundTask


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSS_OUTREACH_FAST_KDF", "1")


def _wait(qtbot: QtBot, task: BackgroundTask | None) -> None:
    """Keys are derived in the background: wait until the dialog has shown the outcome."""
    assert task is not None
    qtbot.waitUntil(lambda: task.reported, timeout=30_000)


def test_first_run_creates_the_administrator(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui import sign_in

    shown: list[str] = []
    monkeypatch.setattr(
        sign_in.RecoveryCodeDialog, "exec", lambda self: shown.append(self.code.text()) or 1
    )
    dialog = FirstRunDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.username.setText("admin")
    dialog.display_name.setText("ឈឹម សុភាព")
    dialog.password.setText("long enough 1")
    dialog.password_again.setText("long enough 2")
    dialog.device_name.setText("Laptop 3")
    dialog.create_account()
    assert dialog.ctx is None and dialog.error.text()  # passwords differ
    dialog.password_again.setText("long enough 1")
    _wait(qtbot, dialog.create_account())
    assert dialog.ctx is not None and dialog.ctx.officer is not None
    assert dialog.ctx.officer.role == "administrator"
    assert shown and shown[0] == dialog.recovery_code
    dialog.ctx.close()


def test_sign_in_wrong_then_right_then_recovery(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, code = first_run_setup(tmp_path, "admin", "Admin", "long enough 1", "Laptop", "km")
    ctx.close()
    dialog = SignInDialog(tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.username.currentText() == "admin"
    dialog.password.setText("wrong password")
    _wait(qtbot, dialog.attempt())
    assert dialog.ctx is None
    assert plain(dialog.error.text()) == "ឈ្មោះអ្នកប្រើ ឬពាក្យសម្ងាត់មិនត្រឹមត្រូវទេ។"
    dialog.password.setText("long enough 1")
    _wait(qtbot, dialog.attempt())
    assert dialog.ctx is not None

    from app.services.officers import create_officer

    create_officer(dialog.ctx, "dara", "Dara", "field_officer", "dara password 1")
    dialog.ctx.close()

    recovering = SignInDialog(tmp_path)
    qtbot.addWidget(recovering)
    recovering.username.setEditText("dara")
    recovering.toggle_recovery()
    recovering.recovery_code.setText(code.lower())
    recovering.new_password.setText("brand new pass")
    from app.ui import sign_in

    shown: list[str] = []
    monkeypatch.setattr(
        sign_in.RecoveryCodeDialog, "exec", lambda self: shown.append(self.code.text()) or 1
    )
    _wait(qtbot, recovering.attempt())
    assert recovering.ctx is not None, recovering.error.text()
    recovering.ctx.close()
    # The code is single-use: a new one was shown once, and the old one no longer works.
    assert len(shown) == 1 and shown[0] != code
    again = SignInDialog(tmp_path)
    qtbot.addWidget(again)
    again.toggle_recovery()
    again.recovery_code.setText(code)
    again.new_password.setText("another new pass")
    _wait(qtbot, again.attempt())
    assert again.ctx is None
    assert plain(again.error.text()) == "លេខកូដសង្គ្រោះមិនត្រឹមត្រូវទេ។"


def test_an_administrators_reset_waits_and_every_sign_in_shows_it(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, code = first_run_setup(tmp_path, "admin", "Admin", "long enough 1", "Laptop", "km")
    ctx.close()
    from PySide6.QtWidgets import QMessageBox

    from app.ui import sign_in

    shown: list[str] = []
    monkeypatch.setattr(
        sign_in.RecoveryCodeDialog, "exec", lambda self: shown.append(self.code.text()) or 1
    )
    informed: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", lambda _parent, _title, text: informed.append(text)
    )
    recovering = SignInDialog(tmp_path)
    qtbot.addWidget(recovering)
    assert recovering.notice.isHidden()
    recovering.toggle_recovery()
    recovering.recovery_code.setText(code)
    recovering.new_password.setText("taken over pw 9")
    _wait(qtbot, recovering.attempt())
    assert recovering.ctx is None and "៧២" in plain(recovering.error.text())  # 72 hours, in Khmer
    # The next sign-in screen shows the waiting reset before anyone types.
    dialog = SignInDialog(tmp_path)
    qtbot.addWidget(dialog)
    assert not dialog.notice.isHidden() and dialog.notice.text()
    dialog.password.setText("long enough 1")  # the administrator's current password: cancel
    _wait(qtbot, dialog.attempt())
    assert dialog.ctx is not None
    dialog.ctx.close()
    assert len(informed) == 1 and len(shown) == 1 and shown[0] != code
    assert SignInDialog(tmp_path).notice.isHidden()


def test_idle_lock_blocks_services_until_the_password(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx, _code = first_run_setup(tmp_path, "admin", "Admin", "long enough 1", "Laptop", "km")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.idle_lock_seconds = lambda: 0.0  # type: ignore[method-assign]
    window.check_idle()
    assert window.locked and is_locked(ctx)
    with pytest.raises(PermissionDenied):
        start_application(ctx, "complaint")
    dialog = window.lock_screen
    assert isinstance(dialog, LockScreen)
    assert window.body.currentWidget() is dialog
    dialog.password.setText("wrong password")
    _wait(qtbot, dialog.attempt())
    assert is_locked(ctx)
    dialog.password.setText("long enough 1")
    _wait(qtbot, dialog.attempt())
    assert not is_locked(ctx) and not window.locked
    start_application(ctx, "complaint")
    window.shutdown()
    ctx.close()


def test_choosing_a_language_translates_the_window_at_once(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    """The language chooser of the set-up and sign-in windows: every text follows the choice at
    once (not at the next focus or font change, as when the dialogs retranslated on every Qt
    change event)."""
    from app.i18n import LANGUAGES

    setting_up = FirstRunDialog(tmp_path / "new")
    qtbot.addWidget(setting_up)
    assert setting_up.windowTitle() != "Set up VSS Outreach"  # Khmer first
    setting_up.language.setCurrentIndex(LANGUAGES.index("en"))
    assert setting_up.windowTitle() == "Set up VSS Outreach"
    assert setting_up.restore_button.text() == "Restore from a backup…"
    setting_up.language.setCurrentIndex(LANGUAGES.index("km"))
    ctx, _code = first_run_setup(tmp_path, "admin", "Admin", "long enough 1", "Laptop", "km")
    ctx.close()
    dialog = SignInDialog(tmp_path)
    qtbot.addWidget(dialog)
    khmer = dialog.sign_in_button.text()
    assert khmer != "Sign in"
    dialog.language.setCurrentIndex(LANGUAGES.index("en"))
    assert dialog.sign_in_button.text() == "Sign in"
    assert dialog.windowTitle() == "Sign in — VSS Outreach"
    dialog.language.setCurrentIndex(LANGUAGES.index("km"))
    assert dialog.sign_in_button.text() == khmer
