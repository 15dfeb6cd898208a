"""Backups of this laptop's data, and restoring one onto a fresh data folder.

A backup is one file, ``vss-backup-<device>-<YYYYmmdd-HHMMSS>.vssbak``: a ZIP archive (stored, not
compressed) holding

* ``vss-outreach.db``: a consistent snapshot of the database taken with ``VACUUM INTO`` inside
  SQLCipher, so it is still encrypted with the same key (nothing readable leaves the store);
* ``keyring.json``: the keyring, so the officers' passwords and the recovery code open the copy;
* ``manifest.json``: SHA-256 and size of both, app version, schema revision, counts, time.

The archive is written under a temporary name, read back and checked (hashes, opened with the key,
records counted) and only then renamed into place, so a full disk or a crash never leaves a file
that looks like a backup but is not one. Restoring checks every hash before anything is put into
the data folder and refuses a folder that already holds data.
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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import app
from app.core.errors import UserFacingError
from app.i18n import _
from app.services.accounts import (
    AccountError,
    begin_setup,
    discard_incomplete_setup,
    finish_setup,
    setup_incomplete,
)
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.security import Role, require_role
from app.services.settings import load_settings
from app.store.db import current_revision
from app.store.keyring import KEYRING_FILE_NAME, Keyring, KeyringError, keyring_path
from app.store.location import DATABASE_FILE_NAME, database_path

BACKUP_SUFFIX = ".vssbak"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "vss-outreach-backup"
MANIFEST_VERSION = 1
_CHUNK = 1024 * 1024
_SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"


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


def _database_errors() -> tuple[type[BaseException], ...]:
    return (sqlite3.Error, _sqlcipher().Error)


def _os_error(error: OSError) -> BackupError:
    if error.errno == errno.ENOSPC:
        return BackupError(
            _("There is not enough free space on the disk. Free some space or use another drive.")
        )
    return BackupError(
        _("The backup could not be written or read: {problem}").format(
            problem=error.strerror or str(error)
        )
    )


def _damaged() -> BackupError:
    return BackupError(_("This backup file is damaged or is not a VSS Outreach backup."))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    directory = os.open(path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _safe_device_name(name: str, fallback: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:40]
    return cleaned or fallback[:8]


@dataclass(frozen=True)
class _DatabaseFacts:
    record_count: int
    version_count: int
    audit_entries: int


def _open_encrypted(path: Path, db_key: bytes) -> Any:
    connection = _sqlcipher().connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
    return connection


def _inspect_database(path: Path, db_key: bytes, settle: bool = False) -> _DatabaseFacts:
    """Open ``path`` with the key, check it and count what it holds (raises on any problem)."""
    connection = _open_encrypted(path, db_key)
    try:
        if settle:  # a snapshot is one self-contained file: no -wal/-shm beside it
            connection.execute("PRAGMA journal_mode=DELETE")
        check = connection.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {check}")

        def count(table: str) -> int:
            return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        return _DatabaseFacts(
            count("applications"), count("application_versions"), count("audit_log")
        )
    finally:
        connection.close()


def _snapshot(ctx: AppContext, target: Path) -> None:
    """A consistent, still-encrypted copy of the open store (VACUUM INTO in one read snapshot)."""
    raw = ctx.store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM INTO ?", (str(target),))
        cursor.close()
    finally:
        raw.close()


def _unique_name(folder: Path, stem: str) -> Path:
    candidate = folder / f"{stem}{BACKUP_SUFFIX}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{BACKUP_SUFFIX}"
        number += 1
    return candidate


def create_backup(ctx: AppContext, folder: Path) -> Path:
    """Write a verified backup file into ``folder``; supervisors and administrators only."""
    require_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)
    db_key = ctx.db_key
    if not isinstance(db_key, bytes):
        raise BackupError(_("Please sign in again before making a backup."))
    if not Keyring.exists(ctx.home):
        raise BackupError(_("This computer has no key file, so no backup can be made."))
    settings = load_settings(ctx)
    device = _safe_device_name(settings.device_name, ctx.device_id)
    now = datetime.now(UTC)
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    work: Path | None = None
    part: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        final = _unique_name(folder, f"vss-backup-{device}-{stamp}")
        part = final.with_name(final.name + ".part")
        work = Path(tempfile.mkdtemp(prefix=".vss-backup-", dir=folder))
        snapshot = work / DATABASE_FILE_NAME
        _snapshot(ctx, snapshot)
        facts = _inspect_database(snapshot, db_key, settle=True)
        keyring_copy = work / KEYRING_FILE_NAME
        shutil.copyfile(keyring_path(ctx.home), keyring_copy)
        revision = current_revision(ctx.store.engine)
        manifest = {
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
            "files": {
                name: {"sha256": _sha256_of(work / name), "size": (work / name).stat().st_size}
                for name in (DATABASE_FILE_NAME, KEYRING_FILE_NAME)
            },
        }
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=1, sort_keys=True))
            archive.write(snapshot, DATABASE_FILE_NAME)
            archive.write(keyring_copy, KEYRING_FILE_NAME)
        _fsync_file(part)
        verify_backup(part, db_key)
        os.replace(part, final)
        part = None
        _fsync_dir(folder)
    except OSError as error:
        raise _os_error(error) from error
    except _database_errors() as error:
        if "full" in str(error).lower():
            raise _os_error(OSError(errno.ENOSPC, str(error))) from error
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
            },
        )
    return final


# --- reading and checking -----------------------------------------------------------------------


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST_NAME))
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise _damaged() from error
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != MANIFEST_FORMAT
        or not isinstance(files, dict)
        or set(files) != {DATABASE_FILE_NAME, KEYRING_FILE_NAME}
    ):
        raise _damaged()
    if int(manifest.get("format_version", 0)) > MANIFEST_VERSION:
        raise BackupError(
            _("This backup was made by a newer version of the app. Update the app first.")
        )
    return manifest


def _copy_member(archive: zipfile.ZipFile, name: str, target: IO[bytes]) -> str:
    """Copy one member out while hashing it (the ZIP CRC is checked too)."""
    digest = hashlib.sha256()
    with archive.open(name) as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            target.write(chunk)
    return digest.hexdigest()


def _extract_checked(
    archive: zipfile.ZipFile, manifest: Mapping[str, Any], name: str, target: Path
) -> None:
    expected = manifest["files"][name]
    with target.open("wb") as handle:
        actual = _copy_member(archive, name, handle)
        handle.flush()
        os.fsync(handle.fileno())
    if actual != expected.get("sha256") or target.stat().st_size != expected.get("size"):
        raise _damaged()


def _open_archive(backup_file: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(backup_file, "r")
    except (zipfile.BadZipFile, ValueError) as error:
        raise _damaged() from error


def read_backup_info(backup_file: Path) -> BackupInfo:
    """What a backup says about itself (nothing is checked beyond the manifest)."""
    try:
        with _open_archive(backup_file) as archive:
            manifest = _read_manifest(archive)
    except OSError as error:
        raise _os_error(error) from error
    return BackupInfo(
        path=backup_file,
        created_at=str(manifest.get("created_at", "")),
        device_name=str(manifest.get("device_name", "")),
        record_count=int(manifest.get("record_count", 0)),
        app_version=str(manifest.get("app_version", "")),
    )


def verify_backup(backup_file: Path, db_key: bytes | None = None) -> dict[str, Any]:
    """Check every hash in ``backup_file``; with ``db_key`` also open the database and compare its
    counts with the manifest. Returns the manifest; raises BackupError (or OSError) otherwise."""
    with (
        _open_archive(backup_file) as archive,
        tempfile.TemporaryDirectory(prefix=".vss-verify-", dir=backup_file.parent) as temp,
    ):
        manifest = _read_manifest(archive)
        try:
            for name in (DATABASE_FILE_NAME, KEYRING_FILE_NAME):
                _extract_checked(archive, manifest, name, Path(temp) / name)
        except (zipfile.BadZipFile, KeyError, EOFError) as error:
            raise _damaged() from error
        database = Path(temp) / DATABASE_FILE_NAME
        with database.open("rb") as handle:
            if handle.read(16) == _SQLITE_PLAIN_HEADER:
                raise _damaged()  # an unencrypted database never belongs in a backup
        if db_key is not None:
            try:
                facts = _inspect_database(database, db_key)
            except _database_errors() as error:
                raise BackupError(
                    _("The backup cannot be opened with this computer's key.")
                ) from error
            if (
                facts.record_count != manifest.get("record_count")
                or facts.version_count != manifest.get("version_count")
                or facts.audit_entries != manifest.get("audit_entries")
            ):
                raise _damaged()
    return manifest


# --- restoring ----------------------------------------------------------------------------------


def _has_data(home: Path) -> bool:
    db = database_path(home)
    return Keyring.exists(home) or any(
        db.with_name(db.name + suffix).exists() for suffix in ("", "-wal", "-shm", "-journal")
    )


def restore_backup(backup_file: Path, home: Path) -> None:
    """Put the data of ``backup_file`` into the empty data folder ``home``.

    Officers then sign in with the passwords (or the recovery code) valid when the backup was
    made; the restore is written to the audit log at that first sign-in.
    """
    if _has_data(home) and not setup_incomplete(home):
        raise BackupError(
            _(
                "This computer already has data. A backup can only be restored into an empty data folder."
            )
        )
    try:
        archive = _open_archive(backup_file)
    except OSError as error:
        raise _os_error(error) from error
    started = False
    try:
        with archive:
            manifest = _read_manifest(archive)
            begin_setup(home)
            started = True
            staging = Path(tempfile.mkdtemp(prefix=".vss-restore-", dir=home))
            try:
                for name in (DATABASE_FILE_NAME, KEYRING_FILE_NAME):
                    _extract_checked(archive, manifest, name, staging / name)
                with (staging / DATABASE_FILE_NAME).open("rb") as handle:
                    if handle.read(16) == _SQLITE_PLAIN_HEADER:
                        raise _damaged()
                os.replace(staging / DATABASE_FILE_NAME, database_path(home))
                # The keyring goes in last; the set-up marker is removed only after it.
                os.replace(staging / KEYRING_FILE_NAME, keyring_path(home))
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        Keyring.load(home).note_event(
            "restore",
            {
                "backup": backup_file.name,
                "backup_created_at": manifest.get("created_at"),
                "backup_device": manifest.get("device_name"),
            },
        )
        _fsync_dir(home)
        finish_setup(home)
    except (zipfile.BadZipFile, KeyError, EOFError, KeyringError) as error:
        if started:
            discard_incomplete_setup(home)
        raise _damaged() from error
    except OSError as error:
        if started:
            discard_incomplete_setup(home)
        raise _os_error(error) from error
    except AccountError as error:
        raise BackupError(str(error)) from error
    except BaseException:
        if started:
            discard_incomplete_setup(home)
        raise
