"""Restoring a backup onto a laptop whose data folder holds no working store.

Who may restore is the office's rule at the time of the backup (administrators, or supervisors
too; ``OfficePolicy.supervisors_may_restore``): the backup key is sealed only to them, to the
recovery code and to the office key (:mod:`app.store.backup_keys`). The restorer proves who they
are with the password they had then (or the recovery code, or the office's key folder); the role
is checked again in the backup's own officer list. A refusal is noted in the data folder and
reaches the audit log with the next successful restore or set-up there.

Order, so that nothing is put in place before everything is checked and a kill at any step leaves
either the old data or the restored data (:mod:`app.store.restore_journal`):

1. the manifest's MAC is checked with the backup key (an edited archive with recomputed hashes
   is refused here), then every file's hash, then the database is opened and counted;
2. the database is re-encrypted with a fresh store key (the backup key is not reused, so the
   officers who sign in afterwards cannot open the backup file itself) and a keyring sealing that
   key to every officer in the backup is written, all in a staging folder;
3. the journal is written (the commit point) and the files are switched in; anything that was
   in the folder before (a store without its key file, a cut-off set-up) is moved aside, never
   deleted.

Officers then sign in with the passwords valid when the backup was made; the restore is written
to the audit log at that first sign-in, which also starts a new epoch.
"""

from __future__ import annotations

import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import JobCancelled
from app.i18n import _
from app.services.backup import (
    SQLITE_PLAIN_HEADER,
    BackupError,
    Cancelled,
    Progress,
    check_counts,
    check_manifest,
    damaged_backup,
    database_errors,
    extract_checked,
    inspect_database,
    never_cancelled,
    no_progress,
    open_archive,
    open_encrypted,
    os_error,
    read_keyring_copy,
    read_manifest,
)
from app.services.key_rotation import export_with_new_key
from app.services.security import PermissionDenied
from app.store.backup_keys import (
    NotARestorer,
    open_with_office_key,
    open_with_password,
    open_with_recovery_code,
    restored_keyring,
)
from app.store.keyring import (
    KEYRING_FILE_NAME,
    Keyring,
    KeyringError,
    WrongPassword,
    WrongRecoveryCode,
    keyring_bytes,
    new_database_key,
)
from app.store.location import DATABASE_FILE_NAME
from app.store.restore_journal import (
    JOURNAL_NAME,
    SETUP_MARKER_NAME,
    commit,
    crash_point,
    early_events,
    forget_early_events,
    new_staging,
    note_early_event,
    settle_leftovers,
)
from app.sync.crypto import ServerKeys

_BACKUP_COPY = "backup.db"

# Restore progress, in steps: the key is opened (1), the files extracted and checked (2), the
# database counted (3), re-encrypted (4), the keyring written (5); COMMIT_STEP is the commit
# point, after which a cancel is no longer heard; RESTORE_STEPS when everything is in place.
COMMIT_STEP = 5
RESTORE_STEPS = 6


def restore_cancelled() -> JobCancelled:
    return JobCancelled(
        _("The restore was cancelled before anything was changed. The data folder is as it was.")
    )


@dataclass(frozen=True)
class RestoreCredentials:
    """Who restores: a user name and password from the backup, or the recovery code, or the
    office's key folder (for the office's own restore tool)."""

    username: str = ""
    password: str = field(default="", repr=False)
    recovery_code: str = field(default="", repr=False)
    office_keys: ServerKeys | None = field(default=None, repr=False)

    def who(self) -> str:
        if self.office_keys is not None:
            return "office key"
        if self.recovery_code:
            return "recovery code"
        return self.username.strip().casefold()


class RestoreRefused(PermissionDenied):
    """The restorer's role may not restore this backup (message translated)."""


def _has_working_store(home: Path) -> bool:
    return Keyring.exists(home) and not (home / SETUP_MARKER_NAME).exists()


def _not_allowed() -> RestoreRefused:
    return RestoreRefused(
        _(
            "Your role may not restore this backup. The office decides who may restore: "
            "ask an administrator."
        )
    )


def _refuse(home: Path, credentials: RestoreCredentials, backup: Path, reason: str) -> None:
    note_early_event(
        home,
        {
            "action": "restore_refused",
            "at": time.time(),
            "username": credentials.who(),
            "reason": reason,
            "backup": backup.name,
        },
    )


def _backup_key(
    home: Path, backup: Path, copy: dict[str, Any], credentials: RestoreCredentials
) -> bytes:
    try:
        if credentials.office_keys is not None:
            return open_with_office_key(copy, credentials.office_keys.encryption)
        if credentials.recovery_code:
            return open_with_recovery_code(copy, credentials.recovery_code)
        return open_with_password(
            copy, credentials.username.strip().casefold(), credentials.password
        )
    except NotARestorer as error:
        _refuse(home, credentials, backup, "role")
        raise _not_allowed() from error
    except WrongRecoveryCode as error:
        _refuse(home, credentials, backup, "wrong_recovery_code")
        raise BackupError(_("The recovery code is not right.")) from error
    except WrongPassword as error:
        _refuse(home, credentials, backup, "wrong_password")
        raise BackupError(
            _("Wrong user name or password for this backup (use the password of that time).")
        ) from error
    except KeyringError as error:
        raise damaged_backup() from error


def _restorer_role_allowed(database: Path, key: bytes, username: str, roles: list[str]) -> bool:
    connection = open_encrypted(database, key)
    try:
        row = connection.execute(
            "SELECT role, active FROM officers WHERE username = ?", (username,)
        ).fetchone()
    finally:
        connection.close()
    return row is not None and bool(row[1]) and str(row[0]) in roles


def _prepare(
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    copy: dict[str, Any],
    backup_key: bytes,
    staging: Path,
    restorer: str | None,
    step: Callable[[int], None],
    cancelled: Cancelled,
) -> None:
    """Everything checked and made ready in ``staging``; NotARestorer when ``restorer`` (an
    officer; None for the recovery code or the office key) may not restore by the backup's own
    officer list and rule. ``step(n)`` is called as each step begins (it raises JobCancelled
    when the officer cancelled)."""
    for name in (DATABASE_FILE_NAME, KEYRING_FILE_NAME):
        target = staging / (_BACKUP_COPY if name == DATABASE_FILE_NAME else "backup-keyring.json")
        extract_checked(archive, manifest, name, target)
    copied = staging / _BACKUP_COPY
    with copied.open("rb") as handle:
        if handle.read(16) == SQLITE_PLAIN_HEADER:
            raise damaged_backup()
    crash_point("restore:extracted")
    step(2)
    check_counts(inspect_database(copied, backup_key), manifest)
    roles = [str(role) for role in manifest.get("restore_roles") or []]
    if restorer is not None and not _restorer_role_allowed(copied, backup_key, restorer, roles):
        raise NotARestorer(f"{restorer!r} may not restore")
    store_key = new_database_key()
    step(3)
    export_with_new_key(
        copied, backup_key, staging / DATABASE_FILE_NAME, store_key, cancelled=cancelled
    )
    copied.unlink()
    (staging / "backup-keyring.json").unlink()
    crash_point("restore:rekeyed")
    step(4)
    keyring = restored_keyring(copy, store_key)
    (staging / KEYRING_FILE_NAME).write_bytes(keyring_bytes(keyring))
    crash_point("restore:prepared")


def restore_backup(
    backup_file: Path,
    home: Path,
    credentials: RestoreCredentials,
    progress: Progress = no_progress,
    cancelled: Cancelled = never_cancelled,
) -> None:
    """Put the data of ``backup_file`` into ``home``, which must hold no working store.

    ``progress(step, RESTORE_STEPS)`` follows the steps. Until the commit point (COMMIT_STEP) a
    true ``cancelled()`` stops the restore with JobCancelled, the staging folder is removed and
    ``home`` is left as it was; from the commit point on the restore always finishes."""

    def step(number: int) -> None:
        if cancelled():
            raise restore_cancelled()
        progress(number, RESTORE_STEPS)

    step(0)
    settle_leftovers(home)
    if _has_working_store(home):
        raise BackupError(
            _(
                "This computer already has data. A backup can only be restored into an empty data folder."
            )
        )
    try:
        archive = open_archive(backup_file)
    except OSError as error:
        raise os_error(error) from error
    staging: Path | None = None
    try:
        with archive:
            manifest = read_manifest(archive)
            copy = read_keyring_copy(archive)
            backup_key = _backup_key(home, backup_file, copy, credentials)
            check_manifest(manifest, backup_key)  # before anything is written
            step(1)
            staging = new_staging(home)
            by_officer = credentials.office_keys is None and not credentials.recovery_code
            try:
                _prepare(
                    archive,
                    manifest,
                    copy,
                    backup_key,
                    staging,
                    credentials.who() if by_officer else None,
                    step,
                    cancelled,
                )
            except NotARestorer as error:
                _refuse(home, credentials, backup_file, "role")
                raise _not_allowed() from error
            except JobCancelled as cancel:
                raise restore_cancelled() from cancel
        keyring = Keyring.load(staging)
        for event in early_events(home):
            keyring.note_event(str(event.pop("action")), event)
        keyring.note_event(
            "restore",
            {
                "backup": backup_file.name,
                "backup_created_at": manifest.get("created_at"),
                "backup_device": manifest.get("device_name"),
                "restored_by": credentials.who(),
            },
        )
        step(COMMIT_STEP)  # the last moment a cancel is heard
        commit(home, staging)
        staging = None
        forget_early_events(home)
        progress(RESTORE_STEPS, RESTORE_STEPS)
    except (zipfile.BadZipFile, KeyError, EOFError) as error:
        raise damaged_backup() from error
    except OSError as error:
        raise os_error(error) from error
    except database_errors() as error:
        raise damaged_backup() from error
    finally:
        if staging is not None and not (home / JOURNAL_NAME).exists():
            shutil.rmtree(staging, ignore_errors=True)
