"""Backups of this laptop's data (restoring one: :mod:`app.services.restore`).

A backup is one file, ``vss-backup-<device>-<YYYYmmdd-HHMMSS>.vssbak``: a ZIP archive (stored, not
compressed) holding

* ``vss-outreach.db``: a consistent snapshot of the database (``sqlcipher_export`` in one read
  transaction), encrypted with a *backup key* made for this backup alone, so the store's key (which every officer's password
  opens) does not open it;
* ``keyring.json``: a keyring copy in which the backup key is sealed only to the officers whose
  role may restore (the office's rule, administrators by default), the recovery code and the
  office key (:mod:`app.store.backup_keys`): a field officer's password opens nothing in it;
* ``manifest.json``: SHA-256 and size of both, app version, schema revision, counts, time, who
  may restore, and an HMAC under a key derived from the backup key, so an archive edited with
  recomputed hashes is refused before anything is restored.

The archive is written under a temporary name, read back and checked (MAC, hashes, opened with
the backup key, records counted) and only then renamed into place, so a full disk or a crash never
leaves a file that looks like a backup but is not one; the leftovers of a killed backup are
removed by the next backup into the same folder.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import app
from app.core.durable import fsync_file, fsync_folder
from app.core.errors import JobCancelled, UserFacingError
from app.i18n import _
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.key_rotation import export_with_new_key
from app.services.security import Role, require_role
from app.services.settings import load_policy, load_settings
from app.services.sync_enrolment import server_public_keys
from app.store.backup_keys import (
    MAC_FIELD,
    backup_keyring,
    manifest_is_authentic,
    manifest_mac,
)
from app.store.db import current_revision
from app.store.keyring import KEYRING_FILE_NAME, Keyring, new_database_key
from app.store.location import DATABASE_FILE_NAME
from app.store.models import Officer
from app.store.restore_journal import crash_point
from app.sync.crypto import public_bytes

BACKUP_SUFFIX = ".vssbak"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "vss-outreach-backup"
MANIFEST_VERSION = 2  # 1: store key and whole keyring inside, no MAC (no longer restored)
MAX_KEYRING_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"


class BackupError(UserFacingError):
    """A backup or restore failed; the message is translated and safe to show."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: str
    device_name: str
    record_count: int
    app_version: str


def _sqlcipher() -> Any:
    import sqlcipher3.dbapi2 as sqlcipher

    return sqlcipher


def database_errors() -> tuple[type[BaseException], ...]:
    return (sqlite3.Error, _sqlcipher().Error)


def os_error(error: OSError) -> BackupError:
    if error.errno == errno.ENOSPC:
        return BackupError(
            _("There is not enough free space on the disk. Free some space or use another drive.")
        )
    return BackupError(
        _("The backup could not be written or read: {problem}").format(
            problem=error.strerror or str(error)
        )
    )


def damaged_backup() -> BackupError:
    return BackupError(_("This backup file is damaged or is not a VSS Outreach backup."))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_device_name(name: str, fallback: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40]
    return cleaned or fallback[:8]


@dataclass(frozen=True)
class DatabaseFacts:
    record_count: int
    version_count: int
    audit_entries: int


def open_encrypted(path: Path, db_key: bytes) -> Any:
    connection = _sqlcipher().connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
    return connection


def inspect_database(path: Path, db_key: bytes, settle: bool = False) -> DatabaseFacts:
    """Open ``path`` with the key, check it and count what it holds (raises on any problem)."""
    connection = open_encrypted(path, db_key)
    try:
        if settle:  # a snapshot is one self-contained file: no -wal/-shm beside it
            connection.execute("PRAGMA journal_mode=DELETE")
        check = connection.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {check}")

        def count(table: str) -> int:
            return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        return DatabaseFacts(
            count("applications"), count("application_versions"), count("audit_log")
        )
    finally:
        connection.close()


def _unique_name(folder: Path, stem: str) -> Path:
    candidate = folder / f"{stem}{BACKUP_SUFFIX}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{BACKUP_SUFFIX}"
        number += 1
    return candidate


def _restorers(ctx: AppContext, roles: tuple[str, ...]) -> list[str]:
    with ctx.store.transaction() as session:
        return sorted(
            officer.username
            for officer in session.query(Officer).filter(Officer.active.is_(True))
            if officer.role in roles
        )


def _remove_leftovers(folder: Path) -> None:
    """What a killed backup left in ``folder``: its work folder and its half-written file."""
    if not folder.is_dir():
        return
    for work in folder.glob(".vss-backup-*"):
        shutil.rmtree(work, ignore_errors=True)
    for part in folder.glob(f"*{BACKUP_SUFFIX}.part"):
        part.unlink(missing_ok=True)


Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

# Backup progress is reported in these units: the snapshot (the long part) fills the first
# SNAPSHOT_SHARE, each later step (check, keyring, archive, read back) adds one STEP.
BACKUP_PROGRESS_TOTAL = 100
SNAPSHOT_SHARE = 80
_BACKUP_STEP = 5


def backup_cancelled() -> JobCancelled:
    return JobCancelled(_("The backup was cancelled. No backup file was left behind."))


def no_progress(_number: int, _total: int) -> None:
    return None


def never_cancelled() -> bool:
    return False


def create_backup(
    ctx: AppContext,
    folder: Path,
    progress: Progress = no_progress,
    cancelled: Cancelled = never_cancelled,
) -> Path:
    """Write a verified backup file into ``folder``; supervisors and administrators only.

    ``progress(number, BACKUP_PROGRESS_TOTAL)`` follows the work; when ``cancelled()`` turns
    true the snapshot is interrupted (or the next step not started), the work folder and the
    half-written file are removed and JobCancelled is raised: nothing that looks like a backup
    stays behind, and the store is untouched (the snapshot only reads it)."""
    require_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)
    db_key = ctx.db_key
    if not isinstance(db_key, bytes):
        raise BackupError(_("Please sign in again before making a backup."))
    if not Keyring.exists(ctx.home):
        raise BackupError(_("This computer has no key file, so no backup can be made."))
    settings = load_settings(ctx)
    restore_roles = load_policy(ctx).restore_roles()
    office = server_public_keys(ctx)
    device = _safe_device_name(settings.device_name, ctx.device_id)
    now = datetime.now(UTC)
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    backup_key = new_database_key()
    work: Path | None = None
    part: Path | None = None

    def step(number: int) -> None:
        """The next step begins (``number`` reached), unless the officer cancelled."""
        if cancelled():
            raise backup_cancelled()
        progress(number, BACKUP_PROGRESS_TOTAL)

    shown = [0]

    def snapshot_progress(written: int, total: int) -> None:
        number = SNAPSHOT_SHARE * written // max(total, 1)
        if number != shown[0]:  # one report per point moved, not one per page written
            shown[0] = number
            progress(number, BACKUP_PROGRESS_TOTAL)

    try:
        step(0)
        _remove_leftovers(folder)
        folder.mkdir(parents=True, exist_ok=True)
        final = _unique_name(folder, f"vss-backup-{device}-{stamp}")
        part = final.with_name(final.name + ".part")
        work = Path(tempfile.mkdtemp(prefix=".vss-backup-", dir=folder))
        # One read transaction on the open store, written straight under the backup's key.
        try:
            export_with_new_key(
                ctx.store.path,
                db_key,
                work / DATABASE_FILE_NAME,
                backup_key,
                progress=snapshot_progress,
                checkpoint=False,
                cancelled=cancelled,
            )
        except JobCancelled as cancel:
            raise backup_cancelled() from cancel
        crash_point("backup:snapshot")
        step(SNAPSHOT_SHARE)
        facts = inspect_database(work / DATABASE_FILE_NAME, backup_key, settle=True)
        keyring_copy = backup_keyring(
            Keyring.load(ctx.home).copy_of_data(),
            _restorers(ctx, restore_roles),
            backup_key,
            None if office is None else public_bytes(office.encryption),
        )
        (work / KEYRING_FILE_NAME).write_bytes(
            json.dumps(keyring_copy, indent=1, sort_keys=True).encode("ascii")
        )
        step(SNAPSHOT_SHARE + _BACKUP_STEP)
        revision = current_revision(ctx.store.engine)
        manifest: dict[str, Any] = {
            "format": MANIFEST_FORMAT,
            "format_version": MANIFEST_VERSION,
            "app_version": app.__version__,
            "created_at": now.isoformat(timespec="seconds"),
            "device_id": ctx.device_id,
            "device_name": settings.device_name,
            "schema_revision": revision,
            "record_count": facts.record_count,
            "version_count": facts.version_count,
            "audit_entries": facts.audit_entries,
            "restore_roles": list(restore_roles),
            "sealed_to_office": office is not None,
            "files": {
                name: {"sha256": _sha256_of(work / name), "size": (work / name).stat().st_size}
                for name in (DATABASE_FILE_NAME, KEYRING_FILE_NAME)
            },
        }
        manifest[MAC_FIELD] = manifest_mac(backup_key, manifest)
        step(SNAPSHOT_SHARE + 2 * _BACKUP_STEP)
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=1, sort_keys=True))
            archive.write(work / DATABASE_FILE_NAME, DATABASE_FILE_NAME)
            archive.write(work / KEYRING_FILE_NAME, KEYRING_FILE_NAME)
        fsync_file(part)
        crash_point("backup:written")
        step(SNAPSHOT_SHARE + 3 * _BACKUP_STEP)
        verify_backup(part, backup_key)
        step(BACKUP_PROGRESS_TOTAL)  # the last moment a cancel is heard: the file is checked
        os.replace(part, final)
        part = None
        fsync_folder(folder)
    except OSError as error:
        raise os_error(error) from error
    except database_errors() as error:
        if "full" in str(error).lower():
            raise os_error(OSError(errno.ENOSPC, str(error))) from error
        raise BackupError(
            _("The data could not be copied for the backup: {problem}").format(problem=str(error))
        ) from error
    finally:
        if part is not None:
            part.unlink(missing_ok=True)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    with ctx.store.transaction() as session:
        record_audit(
            session,
            ctx,
            AuditAction.BACKUP,
            details={
                "file": final.name,
                "sha256": _sha256_of(final),
                "records": facts.record_count,
                "restore_roles": list(restore_roles),
                "sealed_to_office": office is not None,
            },
        )
    return final


# --- reading and checking -----------------------------------------------------------------------


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST_NAME))
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise damaged_backup() from error
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != MANIFEST_FORMAT
        or not isinstance(files, dict)
        or set(files) != {DATABASE_FILE_NAME, KEYRING_FILE_NAME}
    ):
        raise damaged_backup()
    version = manifest.get("format_version")
    if not isinstance(version, int):
        raise damaged_backup()
    if version > MANIFEST_VERSION:
        raise BackupError(
            _("This backup was made by a newer version of the app. Update the app first.")
        )
    if version < MANIFEST_VERSION:
        raise BackupError(
            _(
                "This backup was made by an older version of the app that did not protect it "
                "against changes, so it cannot be restored. Use a newer backup, or ask the office."
            )
        )
    return manifest


def read_keyring_copy(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The backup's keyring copy (size-bounded; its hash is checked once the manifest is)."""
    try:
        if archive.getinfo(KEYRING_FILE_NAME).file_size > MAX_KEYRING_BYTES:
            raise damaged_backup()
        copy = json.loads(archive.read(KEYRING_FILE_NAME))
    except (KeyError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise damaged_backup() from error
    if not isinstance(copy, dict) or not isinstance(copy.get("officers"), dict):
        raise damaged_backup()
    return copy


def tampered_backup() -> BackupError:
    return BackupError(
        _(
            "This backup has been changed since it was made, so it is not restored. "
            "Use another backup and tell the office."
        )
    )


def check_manifest(manifest: Mapping[str, Any], backup_key: bytes) -> None:
    """Refuse a manifest whose MAC does not hold under ``backup_key``."""
    if not manifest_is_authentic(backup_key, manifest):
        raise tampered_backup()


def _copy_member(archive: zipfile.ZipFile, name: str, target: IO[bytes]) -> str:
    """Copy one member out while hashing it (the ZIP CRC is checked too)."""
    digest = hashlib.sha256()
    with archive.open(name) as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            target.write(chunk)
    return digest.hexdigest()


def extract_checked(
    archive: zipfile.ZipFile, manifest: Mapping[str, Any], name: str, target: Path
) -> None:
    expected = manifest["files"][name]
    with target.open("wb") as handle:
        actual = _copy_member(archive, name, handle)
        handle.flush()
        os.fsync(handle.fileno())
    if actual != expected.get("sha256") or target.stat().st_size != expected.get("size"):
        raise damaged_backup()


def open_archive(backup_file: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(backup_file, "r")
    except (zipfile.BadZipFile, ValueError) as error:
        raise damaged_backup() from error


def read_backup_info(backup_file: Path) -> BackupInfo:
    """What a backup says about itself (nothing is checked beyond the manifest)."""
    try:
        with open_archive(backup_file) as archive:
            manifest = read_manifest(archive)
    except OSError as error:
        raise os_error(error) from error
    return BackupInfo(
        path=backup_file,
        created_at=str(manifest.get("created_at", "")),
        device_name=str(manifest.get("device_name", "")),
        record_count=int(manifest.get("record_count", 0)),
        app_version=str(manifest.get("app_version", "")),
    )


def verify_backup(backup_file: Path, backup_key: bytes | None = None) -> dict[str, Any]:
    """Check every hash in ``backup_file``; with ``backup_key`` first the manifest's MAC, and
    then also open the database and compare its counts with the manifest. Returns the manifest;
    raises BackupError (or OSError) otherwise."""
    with (
        open_archive(backup_file) as archive,
        tempfile.TemporaryDirectory(prefix=".vss-verify-", dir=backup_file.parent) as temp,
    ):
        manifest = read_manifest(archive)
        if backup_key is not None:
            check_manifest(manifest, backup_key)
        try:
            for name in (DATABASE_FILE_NAME, KEYRING_FILE_NAME):
                extract_checked(archive, manifest, name, Path(temp) / name)
        except (zipfile.BadZipFile, KeyError, EOFError) as error:
            raise damaged_backup() from error
        database = Path(temp) / DATABASE_FILE_NAME
        with database.open("rb") as handle:
            if handle.read(16) == SQLITE_PLAIN_HEADER:
                raise damaged_backup()  # an unencrypted database never belongs in a backup
        if backup_key is not None:
            try:
                facts = inspect_database(database, backup_key)
            except database_errors() as error:
                raise damaged_backup() from error
            check_counts(facts, manifest)
    return manifest


def check_counts(facts: DatabaseFacts, manifest: Mapping[str, Any]) -> None:
    if (
        facts.record_count != manifest.get("record_count")
        or facts.version_count != manifest.get("version_count")
        or facts.audit_entries != manifest.get("audit_entries")
    ):
        raise damaged_backup()
