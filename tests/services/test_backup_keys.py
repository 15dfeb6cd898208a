"""Backups are sealed to who may restore: a field officer's password (old or current) opens none,
an edited archive with recomputed hashes is refused before anything is restored, the office's
rule decides who restores and a refusal reaches the audit log."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.accounts import first_run_setup, is_first_run, sign_in
from app.services.audit_log import list_audit
from app.services.backup import MANIFEST_NAME, BackupError, create_backup, verify_backup
from app.services.context import AppContext
from app.services.officers import create_officer
from app.services.restore import RestoreCredentials, RestoreRefused, restore_backup
from app.services.settings import OfficePolicy, save_policy
from app.services.sync_enrolment import install_enrolment
from app.store.backup_keys import NotARestorer, open_with_password
from app.store.keyring import FAST_KDF_ENV, KEYRING_FILE_NAME, Keyring, WrongPassword
from app.store.location import DATABASE_FILE_NAME
from app.sync.crypto import ServerKeys

ADMIN_PASSWORD = "admin password 1"
DARA_PASSWORD = "dara field password"
SOKHA_PASSWORD = "sokha supervisor pw"


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")


@pytest.fixture
def admin(home: Path) -> Iterator[AppContext]:
    ctx, _code = first_run_setup(home, "admin", "Sok Admin", ADMIN_PASSWORD, "Laptop 7", "en")
    create_officer(ctx, "dara", "Dara", "field_officer", DARA_PASSWORD)
    create_officer(ctx, "sokha", "Sokha", "supervisor", SOKHA_PASSWORD)
    yield ctx
    ctx.close()


def _members(backup: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(backup) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(backup: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(backup, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _sqlcipher_opens(path: Path, key: bytes) -> bool:
    import sqlcipher3.dbapi2 as sqlcipher

    connection = sqlcipher.connect(str(path))
    try:
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError:
        return False
    finally:
        connection.close()


def test_a_field_officers_old_keyring_and_password_open_no_backup(
    admin: AppContext, home: Path, tmp_path: Path
) -> None:
    old_keyring = tmp_path / "copied-by-dara"
    old_keyring.mkdir()
    shutil.copy(home / KEYRING_FILE_NAME, old_keyring / KEYRING_FILE_NAME)
    backup = create_backup(admin, tmp_path / "usb")
    members = _members(backup)
    (tmp_path / "db").write_bytes(members[DATABASE_FILE_NAME])

    # The keyring Dara copied gives the store's key; it does not open the backup's database.
    store_key = Keyring.load(old_keyring).unwrap("dara", DARA_PASSWORD)
    assert store_key == admin.db_key
    assert not _sqlcipher_opens(tmp_path / "db", store_key)
    # The keyring inside the backup holds Dara's entry without any sealed key.
    copy = json.loads(members[KEYRING_FILE_NAME])
    assert "sealed" not in copy["officers"]["dara"]
    assert "sealed" not in copy["officers"]["sokha"]  # supervisors only if the office allows
    with pytest.raises(NotARestorer):
        open_with_password(copy, "dara", DARA_PASSWORD)
    with pytest.raises(WrongPassword):
        open_with_password(copy, "dara", "a guess at it")
    backup_key = open_with_password(copy, "admin", ADMIN_PASSWORD)
    assert _sqlcipher_opens(tmp_path / "db", backup_key)

    # Through the restore: refused, nothing written but the note of the refusal.
    new_home = tmp_path / "new-laptop"
    for who, password in (("dara", DARA_PASSWORD), ("sokha", SOKHA_PASSWORD)):
        with pytest.raises(RestoreRefused):
            restore_backup(backup, new_home, RestoreCredentials(who, password))
    assert is_first_run(new_home)
    assert [p.name for p in new_home.iterdir()] == [".events-before-setup.json"]

    # The administrator restores; the two refusals reach the audit log at the first sign-in.
    restore_backup(backup, new_home, RestoreCredentials("admin", ADMIN_PASSWORD))
    restored = sign_in(new_home, "admin", ADMIN_PASSWORD)
    try:
        refused = [
            entry.details
            for entry in list_audit(restored)
            if entry.action == "refused" and entry.details.get("action") == "restore"
        ]
        assert sorted(str(d["username"]) for d in refused) == ["dara", "sokha"]
        assert all(d["reason"] == "role" for d in refused)
    finally:
        restored.close()
    # After the restore everyone signs in as before, and the store has a key of its own.
    sign_in(new_home, "dara", DARA_PASSWORD).close()
    restored_key = Keyring.load(new_home).unwrap("admin", ADMIN_PASSWORD)
    assert restored_key not in (store_key, backup_key)


def test_the_office_may_let_supervisors_restore(admin: AppContext, tmp_path: Path) -> None:
    save_policy(admin, OfficePolicy(supervisors_may_restore=True))
    backup = create_backup(admin, tmp_path / "usb")
    with pytest.raises(RestoreRefused):
        restore_backup(backup, tmp_path / "a", RestoreCredentials("dara", DARA_PASSWORD))
    restore_backup(backup, tmp_path / "b", RestoreCredentials("sokha", SOKHA_PASSWORD))
    sign_in(tmp_path / "b", "sokha", SOKHA_PASSWORD).close()


def test_a_role_edited_into_the_backups_keyring_is_still_refused(
    admin: AppContext, tmp_path: Path
) -> None:
    """Even with the backup key in hand (say a supervisor once allowed), the backup's own officer
    list decides: here Dara's entry is given a seal, but Dara is a field officer in the backup."""
    backup = create_backup(admin, tmp_path / "usb")
    members = _members(backup)
    copy = json.loads(members[KEYRING_FILE_NAME])
    backup_key = open_with_password(copy, "admin", ADMIN_PASSWORD)
    from app.store.officer_keys import public_of, seal

    copy["officers"]["dara"]["sealed"] = seal(
        backup_key, public_of(copy["officers"]["dara"]), "dara"
    )
    members[KEYRING_FILE_NAME] = json.dumps(copy).encode("ascii")
    edited = tmp_path / "edited.vssbak"
    _write(edited, members)
    with pytest.raises(BackupError):  # the keyring's hash no longer matches the signed manifest
        restore_backup(edited, tmp_path / "c", RestoreCredentials("dara", DARA_PASSWORD))
    assert not (tmp_path / "c" / KEYRING_FILE_NAME).exists()


def _recompute_hashes(members: dict[str, bytes], manifest: dict[str, object]) -> None:
    files = manifest["files"]
    assert isinstance(files, dict)
    for name in (DATABASE_FILE_NAME, KEYRING_FILE_NAME):
        files[name] = {
            "sha256": hashlib.sha256(members[name]).hexdigest(),
            "size": len(members[name]),
        }
    members[MANIFEST_NAME] = json.dumps(manifest).encode("ascii")


def test_a_tampered_archive_with_recomputed_hashes_is_refused_before_restore(
    admin: AppContext, tmp_path: Path
) -> None:
    backup = create_backup(admin, tmp_path / "usb")
    members = _members(backup)
    manifest = json.loads(members[MANIFEST_NAME])
    new_home = tmp_path / "new-laptop"

    # 1. A byte of the database changed, the hashes recomputed.
    database = bytearray(members[DATABASE_FILE_NAME])
    database[8192] ^= 0x01
    members[DATABASE_FILE_NAME] = bytes(database)
    _recompute_hashes(members, manifest)
    tampered = tmp_path / "tampered.vssbak"
    _write(tampered, members)
    verify_backup(tampered)  # the hashes alone now agree...
    with pytest.raises(BackupError) as refused:  # ...the MAC does not
        restore_backup(tampered, new_home, RestoreCredentials("admin", ADMIN_PASSWORD))
    assert "changed since it was made" in str(refused.value)
    assert not new_home.exists() or list(new_home.iterdir()) == []

    # 2. The manifest alone edited: field officers allowed to restore, counts changed.
    members = _members(backup)
    manifest = json.loads(members[MANIFEST_NAME])
    manifest["restore_roles"] = ["field_officer", "supervisor", "administrator"]
    manifest["record_count"] = 0
    members[MANIFEST_NAME] = json.dumps(manifest).encode("ascii")
    _write(tampered, members)
    with pytest.raises(BackupError) as refused:
        restore_backup(tampered, new_home, RestoreCredentials("admin", ADMIN_PASSWORD))
    assert "changed since it was made" in str(refused.value)
    assert not new_home.exists() or list(new_home.iterdir()) == []

    # The untouched backup restores.
    restore_backup(backup, new_home, RestoreCredentials("admin", ADMIN_PASSWORD))
    assert not is_first_run(new_home)


def test_the_office_key_opens_a_backup_of_an_enrolled_laptop(
    admin: AppContext, tmp_path: Path
) -> None:
    office = ServerKeys.generate()
    install_enrolment(admin, {"device_id": admin.device_id, **office.public.to_json()})
    backup = create_backup(admin, tmp_path / "usb")
    assert json.loads(_members(backup)[MANIFEST_NAME])["sealed_to_office"] is True
    with pytest.raises(RestoreRefused):  # another office's key
        restore_backup(
            backup, tmp_path / "a", RestoreCredentials(office_keys=ServerKeys.generate())
        )
    restore_backup(backup, tmp_path / "b", RestoreCredentials(office_keys=office))
    sign_in(tmp_path / "b", "admin", ADMIN_PASSWORD).close()
