"""Officers, audit log and backup from the administrator's page; refused for a field officer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.i18n import format_datetime
from app.services.accounts import first_run_setup, sign_in
from app.services.audit_log import list_audit
from app.services.backup import BackupError
from app.services.restore import RestoreCredentials, restore_backup
from app.ui.security_page import SecurityPage
from app.ui.sign_in import FirstRunDialog
from app.ui.text import _, plain


def _shown(text: str) -> str:
    return text.replace("\u200b", "")  # Khmer line-break marks are added at display time


def _restored(qtbot: QtBot, dialog: FirstRunDialog, backup: Path) -> bool | None:
    """Restore through the dialog and wait for the background job: None when no job started
    (something missing on screen), else whether the restore succeeded."""
    task = dialog.restore_from(backup)
    if task is None:
        return None
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    return task.ok


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSS_OUTREACH_FAST_KDF", "1")


def test_administrator_adds_an_officer_sees_the_audit_and_backs_up(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx, _code = first_run_setup(tmp_path / "home", "admin", "Admin", "long enough 1", "L", "km")
    page = SecurityPage(ctx)
    qtbot.addWidget(page)
    page.new_username.setText("dara")
    page.new_name.setText("ដារ៉ា")
    page.new_role.setCurrentIndex(page.new_role.findData("field_officer"))
    page.new_password.setText("short")
    page.create_officer()
    assert page.officers.rowCount() == 1 and page.message.text()  # refused: password too short
    page.new_password.setText("field officer pw")
    page.create_officer()
    assert page.officers.rowCount() == 2
    assert page.audit.rowCount() >= 2
    assert page.chain_state.text().startswith("✓")
    task = page.backup_to(tmp_path / "usb")
    assert task is not None and not page.backup_button.isEnabled()  # off the UI thread
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    backup = task.result
    assert backup is not None and backup.exists()
    assert page.backup_button.isEnabled() and str(backup) in page.message.text()
    ctx.close()

    officer = sign_in(tmp_path / "home", "dara", "field officer pw")
    field_page = SecurityPage(officer)
    qtbot.addWidget(field_page)
    assert field_page.officers_box.isHidden()
    assert field_page.message.text() == _(
        "Only a supervisor or an administrator can see this page."
    )
    officer.close()

    # A new laptop restores the backup from its first-run dialog, then signs in.
    # Only an administrator may: the field officer's password is refused, with the reason shown.
    dialog = FirstRunDialog(tmp_path / "new-laptop")
    qtbot.addWidget(dialog)
    assert _restored(qtbot, dialog, backup) is None  # no user name and password typed yet
    assert _shown(dialog.error.text()) == _shown(
        _(
            "To restore, type the user name and password of an administrator as they were "
            "when the backup was made, then choose the backup."
        )
    )
    dialog.username.setText("dara")
    dialog.password.setText("field officer pw")
    assert not _restored(qtbot, dialog, backup)
    assert _shown(dialog.error.text()) == _shown(
        _(
            "Your role may not restore this backup. The office decides who may restore: "
            "ask an administrator."
        )
    )
    dialog.username.setText("admin")
    dialog.password.setText("long enough 1")
    assert _restored(qtbot, dialog, backup), dialog.error.text()
    assert dialog.restored
    restored = sign_in(tmp_path / "new-laptop", "dara", "field officer pw")
    restored.close()


def test_backup_restore_refuses_a_damaged_file(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.vssbak"
    bad.write_bytes(b"not a backup")
    dialog = FirstRunDialog(tmp_path / "home")
    qtbot.addWidget(dialog)
    dialog.username.setText("admin")
    dialog.password.setText("long enough 1")
    assert _restored(qtbot, dialog, bad) is False
    assert not dialog.restored
    assert plain(dialog.error.text()) == ("ឯកសារបម្រុងទុកនេះខូច ឬមិនមែនជាការបម្រុងទុករបស់ VSS Outreach ទេ។")
    with pytest.raises(BackupError):
        restore_backup(bad, tmp_path / "other", RestoreCredentials("admin", "long enough 1"))


def test_switching_an_officer_off_changes_the_key_with_progress(
    vss_qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    from app.services.officers import create_officer
    from app.store.keyring import Keyring

    home = tmp_path / "home"
    ctx, _code = first_run_setup(home, "admin", "Admin", "long enough 1", "L", "en")
    create_officer(ctx, "vanna", "Vanna", "field_officer", "vanna's pass 22")
    old_key = ctx.db_key
    page = SecurityPage(ctx)
    qtbot.addWidget(page)
    page.resize(1024, 600)
    page.show()
    assert page.rotate_button.isVisible()
    page.officers.selectRow([page.officers.item(r, 0).text() for r in range(2)].index("vanna"))
    seen: list[int] = []
    page.key_progress.valueChanged.connect(seen.append)
    page.deactivate_selected()
    assert page.task is not None and page.key_progress.isVisible()
    task = page.task
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    qtbot.waitUntil(lambda: not page.key_progress.isVisible())
    assert ctx.db_key != old_key and seen
    assert Keyring.load(home).usernames() == ["admin"]
    assert page.officers.rowCount() == 2 and page.chain_state.text().startswith("✓")
    page.grab().save(str(tmp_path / "security-after-rotation.png"))
    ctx.close()


def test_the_audit_log_shows_the_laptops_time_not_the_stored_utc(
    vss_qapp: object,
    qtbot: QtBot,
    tmp_path: Path,
    laptop_zone: Callable[[tuple[str, int]], None],
) -> None:
    # Entries are stamped in UTC; an administrator in Phnom Penh (UTC+7) reads them by the
    # laptop's clock, or an entry made at 09:00 would read 02:00.
    laptop_zone(("ICT-7", 7))
    ctx, _code = first_run_setup(tmp_path / "home", "admin", "Admin", "long enough 1", "L", "km")
    page = SecurityPage(ctx)
    qtbot.addWidget(page)
    entries = list_audit(ctx, limit=300)
    shown = [_shown(page.audit.item(row, 0).text()) for row in range(page.audit.rowCount())]
    assert entries and len(shown) == len(entries)
    assert shown == [_shown(format_datetime(e.at + timedelta(hours=7))) for e in entries]
    assert shown[0] != _shown(format_datetime(entries[0].at))
    ctx.close()
