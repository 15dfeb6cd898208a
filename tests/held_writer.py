"""A writer holding the store: another thread in the middle of its write transaction (as a sync,
an import or the deadline facts on a background thread), for tests of what must not wait for it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert

from app.store.db import Store
from app.store.models import Setting

WAIT = 20  # seconds; only reached when the behaviour under test is broken


@contextmanager
def writer_holding(store: Store, key: str, value: Any) -> Iterator[threading.Thread]:
    """Inside the block another thread has written the setting ``key`` in its write transaction
    and holds the transaction open; at the end of the block it commits. Yields that thread: still
    alive while the transaction is held, so a test can show its reads did not wait for it."""
    writing = threading.Event()
    release = threading.Event()

    def writer() -> None:
        with store.transaction() as session:
            session.execute(insert(Setting).values(key=key, value=value))
            writing.set()
            release.wait(WAIT)

    thread = threading.Thread(target=writer, name="held writer")
    thread.start()
    try:
        assert writing.wait(WAIT), "the writer never got into its transaction"
        yield thread
    finally:
        release.set()
        thread.join(WAIT)
    assert not thread.is_alive(), "the writer did not commit"
