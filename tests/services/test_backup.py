"""Backups of the encrypted store: verified on writing, checked on restoring, never half-done."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.demo_answers import demo_answers
from app.services import form_catalogue, records
from app.services.accounts import first_run_setup, is_first_run, sign_in
from app.services.audit import verify_audit_chain
from app.services.backup import (
    MANIFEST_NAME,
    BackupError,
    create_backup,
    read_backup_info,
    verify_backup,
)
from app.services.context import AppContext
from app.services.restore import RestoreCredentials, restore_backup
from app.store.keyring import FAST_KDF_ENV
from app.store.location import DATABASE_FILE_NAME

PASSWORD = "admin password 1"
ADMIN = RestoreCredentials("admin", PASSWORD)


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")


@pytest.fixture
def admin(home: Path) -> Iterator[AppContext]:
    ctx, _code = first_run_setup(home, "admin", "Sok Admin", PASSWORD, "Laptop 7 (Kampot)", "en")
    yield ctx
    ctx.close()


def _add_records(ctx: AppContext, count: int) -> dict[str, dict[str, object]]:
    saved = {}
    for seed in range(count):
        form_id = "complaint" if seed % 2 else "civil_party"
        answers = demo_answers(form_catalogue.form_definition(form_id), random.Random(seed))
        application_id = records.start_application(ctx, form_id)
        if seed % 3:
            records.finalize_application(ctx, application_id, answers)
        else:
            records.save_draft(ctx, application_id, answers)
        saved[application_id] = records.get_application(ctx, application_id, audit=False).answers
    return saved


def _all_answers(ctx: AppContext, ids: list[str]) -> dict[str, dict[str, object]]:
    return {i: records.get_application(ctx, i, audit=False).answers for i in ids}


def test_backup_then_restore_into_a_new_home_gives_everything_back(
    admin: AppContext, tmp_path: Path
) -> None:
    saved = _add_records(admin, 6)
    backup = create_backup(admin, tmp_path / "usb")
    assert backup.name.startswith("vss-backup-Laptop-7-Kampot-") and backup.suffix == ".vssbak"
    assert [p.name for p in (tmp_path / "usb").iterdir()] == [backup.name]  # no temporary files
    with zipfile.ZipFile(backup) as archive:
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        manifest = json.loads(archive.read(MANIFEST_NAME))
    assert manifest["record_count"] == 6
    assert read_backup_info(backup).record_count == 6
    assert verify_backup(backup)["format_version"] == 2
    # The store's key does not open the backup: it has a key of its own.
    assert admin.db_key
    with pytest.raises(BackupError):
        verify_backup(backup, admin.db_key)
    assert any(entry.action == "backup" for entry in _audit(admin))

    new_home = tmp_path / "new-home"
    restore_backup(backup, new_home, ADMIN)
    assert not is_first_run(new_home)
    restored = sign_in(new_home, "admin", PASSWORD)
    try:
        assert _all_answers(restored, list(saved)) == saved
        report = verify_audit_chain(restored)
        assert report.intact
        assert "restore" in [entry.action for entry in _audit(restored)]
    finally:
        restored.close()


def _audit(ctx: AppContext) -> list[object]:
    from app.services.audit_log import list_audit

    return list(reversed(list_audit(ctx)))


def test_restore_refuses_a_home_with_data(admin: AppContext, home: Path, tmp_path: Path) -> None:
    backup = create_backup(admin, tmp_path / "usb")
    before = sorted(p.name for p in home.iterdir())
    with pytest.raises(BackupError):
        restore_backup(backup, home, ADMIN)
    assert sorted(p.name for p in home.iterdir()) == before


def _flip_byte_in(backup: Path, member: str) -> Path:
    with zipfile.ZipFile(backup) as archive:
        info = archive.getinfo(member)
    data = bytearray(backup.read_bytes())
    # Stored member data starts after its 30-byte local header, name and extra field.
    offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 4096
    data[offset] ^= 0x01
    damaged = backup.with_name("damaged.vssbak")
    damaged.write_bytes(bytes(data))
    return damaged


def test_a_flipped_byte_is_rejected_and_leaves_nothing(admin: AppContext, tmp_path: Path) -> None:
    _add_records(admin, 2)
    backup = create_backup(admin, tmp_path / "usb")
    damaged = _flip_byte_in(backup, DATABASE_FILE_NAME)
    with pytest.raises(BackupError):
        verify_backup(damaged)
    new_home = tmp_path / "new-home"
    with pytest.raises(BackupError):
        restore_backup(damaged, new_home, ADMIN)
    assert is_first_run(new_home)
    assert not new_home.exists() or list(new_home.iterdir()) == []
    # The undamaged file still restores into the same folder afterwards.
    restore_backup(backup, new_home, ADMIN)
    sign_in(new_home, "admin", PASSWORD).close()


def test_a_file_that_is_not_a_backup_is_rejected(tmp_path: Path) -> None:
    bogus = tmp_path / "holiday.vssbak"
    bogus.write_bytes(b"PK\x03\x04 not really a zip" * 50)
    with pytest.raises(BackupError):
        restore_backup(bogus, tmp_path / "new-home", ADMIN)
    other_zip = tmp_path / "other.vssbak"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(BackupError):
        restore_backup(other_zip, tmp_path / "new-home", ADMIN)
    assert not (tmp_path / "new-home").exists() or not any((tmp_path / "new-home").iterdir())


def test_a_backup_cannot_be_written_into_a_file(admin: AppContext, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(BackupError):
        create_backup(admin, not_a_folder / "backups")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB file system (needs root and a kernel that allows tmpfs mounts)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_gives_a_clear_error_and_no_half_file(
    admin: AppContext, tiny_disk: Path, tmp_path: Path
) -> None:
    _add_records(admin, 20)
    with pytest.raises(BackupError) as failed:
        create_backup(admin, tiny_disk)
    assert "space" in str(failed.value)
    assert list(tiny_disk.iterdir()) == []
    # Restoring onto a full disk also leaves nothing behind.
    backup = create_backup(admin, tmp_path / "usb")
    with pytest.raises(BackupError) as failed:
        restore_backup(backup, tiny_disk / "home", ADMIN)
    assert "space" in str(failed.value)
    assert not (tiny_disk / "home").exists() or list((tiny_disk / "home").iterdir()) == []
