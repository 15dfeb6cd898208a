"""Opening the device database: pragmas for durability, migrations with a backup first.

A saved record must survive a power cut on a battery-powered laptop, so the store runs in WAL mode
with ``synchronous=FULL``. When a key is given the file is an SQLCipher database (the whole file,
including the full-text index, is encrypted); without a key it is plain SQLite (tests of layers
that do not care, and tools).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, inspect, text
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from app.store.location import backups_dir

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
AUDIT_KEY_INFO = "audit_key"


class StoreError(Exception):
    """The store cannot be opened (wrong key, not a database, disk problem)."""


def _dbapi_module(key: bytes | None) -> Any:
    if key is None:
        return sqlite3
    import sqlcipher3.dbapi2 as sqlcipher  # imported lazily: plain stores need no native module

    return sqlcipher


PAGE_CACHE_KIB = 32 * 1024

# Execution option of the connections Store.reading hands out: their transactions read only.
READ_ONLY_OPTION = "vss_read_only"


def reading_engine(engine: Engine) -> Engine:
    """``engine``'s connections for transactions that only read (deferred BEGIN: see below)."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def create_store_engine(path: Path, key: bytes | None = None) -> Engine:
    """An engine on ``path``; with ``key`` (32 random bytes) the file is SQLCipher-encrypted."""
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        module=_dbapi_module(key),
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the DB-API module so SQLAlchemy's BEGIN is the only one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if key is not None:
            cursor.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Each page read from disk is decrypted (SQLCipher): SQLite's default 2 MB cache made a
        # registry search decrypt the same index pages again each time. 32 MB per connection,
        # filled only as pages are read, halved the search's CPU time at 100,000 records.
        cursor.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A transaction that may write takes the write lock when it starts (IMMEDIATE): in WAL
        # mode a deferred one that read, then found another connection had committed, could
        # not write at all ("database is locked" at once, busy_timeout not consulted), so an
        # officer's save failed whenever a background job (sync, an import, the deadline
        # facts) committed during it. Reading transactions (Store.reading) stay deferred and
        # never wait for a writer.
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _upgrade_to_head(engine: Engine) -> None:
    # Alembic is imported only when a migration is due: it costs about a second at start-up.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database (None for a new, empty file)."""
    with reading_engine(engine).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"^down_revision\s*(?::[^=]*)?=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE
)


def head_revision() -> str | None:
    """The newest migration: the one no other migration names as its down_revision."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None and down.group(1):
            parents.add(down.group(1))
    heads = sorted(revisions - parents)
    if len(heads) > 1:
        raise StoreError(f"several migration heads: {', '.join(heads)}")
    return heads[0] if heads else None


def migrate(engine: Engine, db_path: Path) -> Path | None:
    """Bring the schema to the newest revision; copy the database aside first if it had data.

    Returns the path of the pre-migration copy, if one was taken.
    """
    try:
        revision = current_revision(engine)
    except Exception as error:  # wrong key or not a database: the file is unreadable
        raise StoreError(str(error)) from error
    head = head_revision()
    if revision == head:
        return None
    backup: Path | None = None
    if revision is not None and db_path.exists():
        # Not in a write transaction: SQLite refuses a checkpoint inside one.
        with reading_engine(engine).connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = backups_dir(db_path.parent) / f"pre-migration-{revision}-{stamp}.db"
        # Under a temporary name until complete: a kill leaves a ``.part`` that the next start
        # removes, never a copy that looks whole.
        part = backup.with_name(backup.name + ".part")
        shutil.copy2(db_path, part)
        os.replace(part, backup)
    _upgrade_to_head(engine)
    return backup


def insert_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts of column values, all with the same keys) into ``model``'s table
    with one prepared Core INSERT: no ORM unit of work, one statement for many rows."""
    if rows:
        session.execute(insert(model.__table__), rows)


_WROTE = "vss_wrote"  # Session.info flag: this transaction changed something


def _note_flush(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


def _note_statement(state: ORMExecuteState) -> None:
    if not state.is_select:  # UPDATE/DELETE statements and SQL text (the search index)
        state.session.info[_WROTE] = True


def _refuse_write(_session: Session, _context: Any) -> None:
    raise StoreError("a reading transaction tried to write")


def _refuse_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise StoreError("a reading transaction tried to write")


def audit_key_for(db_key: bytes) -> bytes:
    """The key of the audit checkpoint's HMAC: derived from the database key, so it is held only
    by an app that unwrapped that key, and it changes when the database key is rotated."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"vss-outreach audit checkpoint"
    ).derive(db_key)


class Store:
    """An open, migrated device database and its session factory.

    Sessions carry the audit key in ``session.info[AUDIT_KEY_INFO]`` (encrypted stores only).
    """

    def __init__(self, path: Path, key: bytes | None = None) -> None:
        self.path = path
        self.engine = create_store_engine(path, key)
        self.pre_migration_backup = migrate(self.engine, path)
        info = {AUDIT_KEY_INFO: audit_key_for(key)} if key is not None else {}
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info=info)
        event.listen(self.sessions, "after_flush", _note_flush)
        event.listen(self.sessions, "do_orm_execute", _note_statement)
        self.readers = sessionmaker(
            reading_engine(self.engine),
            expire_on_commit=False,
            info=dict(info),
        )
        event.listen(self.readers, "after_flush", _refuse_write)
        event.listen(self.readers, "do_orm_execute", _refuse_statement)
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after each committed transaction that changed data (in the thread
        that wrote); returns the function that stops it. The screens refresh from this instead
        of polling the database."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session
        if session.info.get(_WROTE):
            for listener in list(self._listeners):
                listener()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads: it never waits for a writer (WAL: it reads the last
        committed state) and holds no lock a writer waits for. Writing in it is a programming
        error (StoreError); use ``transaction`` for anything that may write."""
        # Ended by a commit, not a rollback: a rollback would expire the rows read (they are
        # used after the block), and committing a transaction that wrote nothing changes nothing.
        with self.readers.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
