"""Rotating the database key when an officer is switched off or a compromise is suspected.

A switched-off officer may have copied ``keyring.json`` (or the whole data folder) while they
still had access; their old password opens that copy and yields the database key. So the key is
replaced: the store is exported into a new file encrypted with a new random key
(``sqlcipher_export``), the new key is sealed to every remaining officer (no passwords needed, see
:mod:`app.store.officer_keys`), and the new file takes the old one's place. The old key then opens
nothing on this laptop.

Steps, each safe to be cut off:

1. export into ``<db>.rekey`` (a leftover is removed at the next sign-in);
2. the keyring gets a *pending* section with the new key sealed to each officer;
3. the new file replaces the old (``os.replace``);
4. the pending section becomes the current one.

A sign-in after a cut between 2 and 4 finds out which key opens the store and finishes or
abandons the rotation (:func:`settle_rotation`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.durable import fsync_file, fsync_folder
from app.core.errors import JobCancelled
from app.i18n import _
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.security import Action, authorize
from app.store.db import Store
from app.store.keyring import Keyring, KeyringError, new_database_key
from app.store.location import database_path

REKEY_SUFFIX = ".rekey"
Progress = Callable[[int, int], None]
# SQLite virtual-machine steps between two progress reports (and cancel checks) while a copy
# runs: often enough that a small store is still interrupted midway, rarely enough to cost
# nothing measurable (one stat() of the target per report).
PROGRESS_EVERY_OPS = 1_000


class RotationError(Exception):
    """The key could not be rotated (message translated); the store is unchanged."""


@dataclass(frozen=True)
class RotationResult:
    seconds: float
    needs_new_password: list[str]  # officers with old-format entries: give them a new password
    recovery_followed: bool  # False: make a new recovery code (the old one stopped working)


def _sqlcipher() -> Any:
    import sqlcipher3.dbapi2 as sqlcipher

    return sqlcipher


def key_opens(path: Path, key: bytes) -> bool:
    """Whether ``key`` opens the SQLCipher file at ``path``."""
    sqlcipher = _sqlcipher()
    connection = sqlcipher.connect(str(path))
    try:
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError:
        return False
    finally:
        connection.close()


def export_with_new_key(
    source: Path,
    old_key: bytes,
    target: Path,
    new_key: bytes,
    progress: Progress | None = None,
    checkpoint: bool = True,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Copy the store into ``target`` encrypted with ``new_key``; progress in bytes written.

    The copy is one read transaction, so it is consistent even while the app has the store open
    (a backup passes ``checkpoint=False`` and leaves the store's write-ahead log alone). When
    ``cancelled`` turns true, SQLite's progress handler interrupts the copy, the partial target
    is removed and JobCancelled is raised."""
    sqlcipher = _sqlcipher()
    interrupted = False
    target.unlink(missing_ok=True)
    total = max(1, source.stat().st_size)
    connection = sqlcipher.connect(str(source), isolation_level=None)
    try:
        connection.execute(f"PRAGMA key = \"x'{old_key.hex()}'\"")
        if checkpoint:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute(
            f"ATTACH DATABASE ? AS rekeyed KEY \"x'{new_key.hex()}'\"", (str(target),)
        )
        if progress is not None:
            progress(0, total)
        if progress is not None or cancelled is not None:
            reported = [0]

            def report() -> int:
                nonlocal interrupted
                if cancelled is not None and cancelled():
                    interrupted = True
                    return 1  # non-zero: SQLite stops the statement ("interrupted")
                if progress is not None:
                    written = min(target.stat().st_size if target.exists() else 0, total)
                    if written != reported[0]:  # the file grows in bursts: no repeats
                        reported[0] = written
                        progress(written, total)
                return 0

            connection.set_progress_handler(report, PROGRESS_EVERY_OPS)
        connection.execute("BEGIN")
        try:
            connection.execute("SELECT sqlcipher_export('rekeyed')")
        except sqlcipher.OperationalError:
            if not interrupted:
                raise
        if interrupted:
            if connection.in_transaction:  # SQLite may already have rolled it back
                connection.execute("ROLLBACK")
        else:
            connection.execute("COMMIT")
        connection.set_progress_handler(None, 0)
        connection.execute("DETACH DATABASE rekeyed")
    finally:
        connection.close()
        if interrupted:
            for suffix in ("", "-journal", "-wal", "-shm"):
                target.with_name(target.name + suffix).unlink(missing_ok=True)
    if interrupted:
        raise JobCancelled(_("Cancelled. Nothing was saved."))
    fsync_file(target)
    if progress is not None:
        progress(total, total)


def rotate_database_key(
    ctx: AppContext, reason: str, progress: Progress | None = None
) -> RotationResult:
    """Give the store a new key and seal it to the remaining officers; administrators only.

    ``ctx`` stays signed in: its store is reopened with the new key.
    """
    authorize(ctx, Action.ROTATE_KEY)
    old_key = ctx.db_key
    if not isinstance(old_key, bytes):
        raise RotationError(_("Please sign in again first."))
    started = time.perf_counter()
    db = database_path(ctx.home)
    temp = db.with_name(db.name + REKEY_SUFFIX)
    new_key = new_database_key()
    try:
        keyring = Keyring.load(ctx.home)
        ctx.store.close()
        export_with_new_key(db, old_key, temp, new_key, progress)
        unreachable = keyring.begin_rotation(old_key, new_key)
        for suffix in ("-wal", "-shm"):  # empty after the checkpoint; they belong to the old key
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        os.replace(temp, db)
        fsync_folder(db.parent)
        followed = keyring.finish_rotation()
    except (OSError, KeyringError, _sqlcipher().DatabaseError) as error:
        temp.unlink(missing_ok=True)
        ctx.store = Store(db, new_key if key_opens(db, new_key) else old_key)
        raise RotationError(
            _("The key could not be changed: {problem}").format(problem=str(error))
        ) from error
    ctx.store = Store(db, new_key)
    ctx.db_key = new_key
    with ctx.store.transaction() as session:  # also re-keys the audit checkpoint
        record_audit(
            session,
            ctx,
            AuditAction.ACCOUNT_CHANGE,
            details={
                "change": "rotate_database_key",
                "reason": reason,
                "needs_new_password": unreachable,
            },
        )
    return RotationResult(time.perf_counter() - started, unreachable, followed)


def settle_rotation(
    home: Path, keyring: Keyring, username: str, password: str, key: bytes
) -> bytes:
    """At sign-in: finish or abandon a rotation that was cut off; returns the key that opens the
    store now."""
    db = database_path(home)
    (db.with_name(db.name + REKEY_SUFFIX)).unlink(missing_ok=True)
    if not keyring.rotation_pending():
        return key
    if not db.exists() or key_opens(db, key):
        keyring.abandon_rotation()  # cut before the new file took the old one's place
        return key
    new_key = keyring.unwrap_rotation(username, password)
    keyring.finish_rotation()
    return new_key
