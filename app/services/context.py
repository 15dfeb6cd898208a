"""The running app's context: the open store, this device, and who is signed in.

Services are plain synchronous functions that take an :class:`AppContext`; the UI calls them (off
its thread for long work) and never touches the store directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.core.private_file import remove_unfinished_files
from app.services.index_version import ensure_search_index_current
from app.store.db import Store
from app.store.location import data_dir, database_path
from app.store.models import Application, OutboxItem, Setting

DEVICE_ID_KEY = "device_id"
DEVICE_NAME_KEY = "device_name"


@dataclass(frozen=True)
class SignedInOfficer:
    id: str
    username: str
    display_name: str
    role: str


@dataclass
class AppContext:
    home: Path
    store: Store
    device_id: str
    officer: SignedInOfficer | None = None
    # The unwrapped database key while an officer is signed in (needed to add officers, reset
    # passwords and write backups); None for a store opened without the keyring.
    db_key: bytes | None = field(default=None, repr=False)
    # Locked by idle time or by hand: every service refuses record work until unlock.
    locked: bool = False
    # After the recovery code was used: its replacement, shown once by the sign-in screen.
    new_recovery_code: str | None = field(default=None, repr=False)
    # Messages for the officer right after signing in (a waiting administrator's reset).
    notices: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.store.close()


def get_setting(ctx: AppContext, key: str, default: Any = None) -> Any:
    # Reading transactions, here and in the status counts below: the UI thread reads them at
    # start, every idle-lock check and after every write, and a writing transaction (BEGIN
    # IMMEDIATE) waited there for a sync or an import holding the store's write lock.
    with ctx.store.reading() as session:
        row = session.get(Setting, key)
        return default if row is None else row.value


def set_setting(ctx: AppContext, key: str, value: Any) -> None:
    with ctx.store.transaction() as session:
        session.merge(Setting(key=key, value=value))


def _ensure_device_id(store: Store) -> str:
    with store.transaction() as session:
        row = session.get(Setting, DEVICE_ID_KEY)
        if row is None:
            row = Setting(key=DEVICE_ID_KEY, value=str(uuid.uuid4()))
            session.add(row)
        return str(row.value)


def open_app(home: Path | None = None, key: bytes | None = None) -> AppContext:
    """Open (creating and migrating as needed) the store in ``home`` or the default data dir."""
    home = home or data_dir()
    home.mkdir(parents=True, exist_ok=True)
    # A PDF or export whose writing was cut short (killed app, power cut) leaves no copy behind.
    remove_unfinished_files(home)
    store = Store(database_path(home), key)
    ensure_search_index_current(store)
    return AppContext(home=home, store=store, device_id=_ensure_device_id(store))


def count_applications(ctx: AppContext) -> int:
    with ctx.store.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Application)) or 0)


@dataclass(frozen=True)
class SyncSummary:
    pending: int
    quarantined: int
    last_sync_at: str | None


def sync_summary(ctx: AppContext) -> SyncSummary:
    with ctx.store.reading() as session:
        counts: dict[str, int] = {
            state: int(count)
            for state, count in session.execute(
                select(OutboxItem.state, func.count()).group_by(OutboxItem.state)
            ).tuples()
        }
        last = session.get(Setting, "last_sync_at")
    return SyncSummary(
        pending=int(counts.get("pending", 0)) + int(counts.get("in_batch", 0)),
        quarantined=int(counts.get("quarantined", 0)),
        last_sync_at=None if last is None else str(last.value),
    )
