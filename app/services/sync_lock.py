"""One sync at a time per laptop, across processes (the window and ``vss-outreach sync``).

A second sync waits up to :data:`WAIT_SECONDS` for the first to finish, then is told one is
running (before, two syncs wrote the store at once and one crashed with "database is locked").
The lock is an OS file lock on ``home/sync.lock``: it is released when the process ends, however
it ends.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.i18n import _

LOCK_FILE = "sync.lock"
WAIT_SECONDS = 10.0


class SyncBusy(Exception):
    """Another sync holds the lock; the message is translated."""


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def sync_lock(home: Path, wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the laptop's sync lock, waiting up to ``wait_seconds``; else :class:`SyncBusy`."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        deadline = time.monotonic() + wait_seconds
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise SyncBusy(
                    _("Another sync is running on this laptop. Try again when it has finished.")
                )
            time.sleep(0.2)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
