"""Switching the data folder over to restored files so that a kill at any moment leaves either the
old data or the restored data, never a folder that is "not set up".

A restore prepares everything in a staging folder inside the data folder (``.restore-staging-*``:
the database and its keyring, checked). Then it writes a small journal; that write is the commit
point. From then on the switch is rolled forward, step by step, by whoever gets there first: the
restore itself or the next start of the app (:func:`settle_leftovers`):

1. the old store files (database, ``-wal``/``-shm``/``-journal``, keyring), if any, are moved into
   ``set-aside-<time>/`` (never deleted: they may hold records);
2. the restored database takes its place; 3. the restored keyring takes its place;
4. the journal and the staging folder are removed.

Every step is an ``os.replace`` within one folder and is skipped once done, so repeating the roll
after a kill is safe. A staging folder without a journal is a restore killed before its commit
point: it is removed and the old data was never touched.

``VSS_OUTREACH_TEST_KILL_AT`` names a step at which the process kills itself; only tests set it,
to check that every step can be cut off.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from app.core.durable import fsync_folder
from app.store.keyring import KEYRING_FILE_NAME, write_atomically
from app.store.location import DATABASE_FILE_NAME

JOURNAL_NAME = ".restore-journal.json"
STAGING_PREFIX = ".restore-staging-"
SET_ASIDE_PREFIX = "set-aside-"
SETUP_MARKER_NAME = ".setup-incomplete"
KILL_ENV = "VSS_OUTREACH_TEST_KILL_AT"
EARLY_EVENTS_NAME = ".events-before-setup.json"
MAX_EARLY_EVENTS = 200
_STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def crash_point(step: str) -> None:
    """Kill this process here when a test asks for it (``VSS_OUTREACH_TEST_KILL_AT=step``)."""
    if os.environ.get(KILL_ENV) == step:
        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)


def new_staging(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=home))


def commit(home: Path, staging: Path) -> None:
    """Commit a prepared restore (``staging`` holds the database and keyring) and switch over."""
    for name in (DATABASE_FILE_NAME, KEYRING_FILE_NAME):
        with (staging / name).open("rb+") as handle:
            os.fsync(handle.fileno())
    fsync_folder(staging)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    journal = {"staging": staging.name, "set_aside": f"{SET_ASIDE_PREFIX}{stamp}"}
    write_atomically(home / JOURNAL_NAME, json.dumps(journal).encode("ascii"))
    crash_point("restore:committed")
    roll_forward(home)


def _set_aside(path: Path, aside: Path) -> None:
    if path.exists():
        aside.mkdir(exist_ok=True)
        os.replace(path, aside / path.name)


def roll_forward(home: Path) -> None:
    """Finish the switch the journal describes (each step is skipped once done)."""
    journal_path = home / JOURNAL_NAME
    journal = json.loads(journal_path.read_text(encoding="ascii"))
    staging = home / str(journal["staging"])
    aside = home / str(journal["set_aside"])
    if staging.parent != home or aside.parent != home:
        raise ValueError("restore journal names a folder outside the data folder")
    database = home / DATABASE_FILE_NAME
    if (staging / DATABASE_FILE_NAME).exists():
        for suffix in _STORE_SUFFIXES:
            _set_aside(database.with_name(database.name + suffix), aside)
            crash_point(f"restore:set-aside{suffix}")
        os.replace(staging / DATABASE_FILE_NAME, database)
        crash_point("restore:database")
    keyring = home / KEYRING_FILE_NAME
    if (staging / KEYRING_FILE_NAME).exists():
        _set_aside(keyring, aside)
        crash_point("restore:old-keyring")
        os.replace(staging / KEYRING_FILE_NAME, keyring)
        crash_point("restore:keyring")
    _set_aside(home / SETUP_MARKER_NAME, aside)
    fsync_folder(home)
    journal_path.unlink()
    shutil.rmtree(staging, ignore_errors=True)


def settle_leftovers(home: Path) -> None:
    """At start: finish a restore that passed its commit point, remove the staging folder of one
    killed before it, and remove half-written pre-migration copies."""
    if not home.is_dir():
        return
    if (home / JOURNAL_NAME).exists():
        try:
            roll_forward(home)
        except (OSError, ValueError, KeyError):
            # A disk error midway: the journal stays, and the next start tries again. The
            # staging folder it names must not be removed below.
            return
    if (home / KEYRING_FILE_NAME).exists() and not (home / SETUP_MARKER_NAME).exists():
        forget_early_events(home)  # a finished restore or set-up already took them over
    for leftover in home.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    backups = home / "backups"
    if backups.is_dir():
        for part in backups.glob("*.part"):
            part.unlink(missing_ok=True)


def set_aside(home: Path, paths: list[Path]) -> Path:
    """Move ``paths`` (files in ``home``) into a new ``set-aside-<time>`` folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = home / f"{SET_ASIDE_PREFIX}{stamp}"
    number = 2
    while aside.exists():
        aside = home / f"{SET_ASIDE_PREFIX}{stamp}-{number}"
        number += 1
    for path in paths:
        _set_aside(path, aside)
    fsync_folder(home)
    return aside


def note_early_event(home: Path, event: dict[str, object]) -> None:
    """Note an event (a refused restore) in a folder that has no keyring yet; the restore or
    set-up that finally succeeds hands it on to the audit log. Repeats are folded into a count."""
    path = home / EARLY_EVENTS_NAME
    events = _early_events(path)
    last = events[-1] if events else None
    same = {k: v for k, v in event.items() if k != "at"}
    if (
        isinstance(last, dict)
        and {k: v for k, v in last.items() if k not in ("at", "count", "last_at")} == same
    ):
        last["count"] = int(str(last.get("count", 1))) + 1
        last["last_at"] = event.get("at")
    else:
        events.append(event)
    home.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(events[-MAX_EARLY_EVENTS:]).encode("ascii"))


def _early_events(path: Path) -> list[dict[str, object]]:
    try:
        events = json.loads(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return []
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


def early_events(home: Path) -> list[dict[str, object]]:
    return _early_events(home / EARLY_EVENTS_NAME)


def forget_early_events(home: Path) -> None:
    (home / EARLY_EVENTS_NAME).unlink(missing_ok=True)


def set_aside_folders(home: Path) -> list[Path]:
    """Old data moved aside by restores (kept until the office says it can go)."""
    return sorted(home.glob(f"{SET_ASIDE_PREFIX}*")) if home.is_dir() else []
