"""Two threads using the store at once (the officer on the UI thread, a sync, an import or the
deadline facts on a background one): a save is never refused because another transaction
committed during it, and a reading transaction never waits for a writer."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from app.store.db import Store, StoreError
from app.store.models import Setting
from tests.held_writer import WAIT, writer_holding


@pytest.fixture(params=["plain", "encrypted"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    key = os.urandom(32) if request.param == "encrypted" else None
    opened = Store(tmp_path / "store.db", key)
    request.addfinalizer(opened.close)
    return opened


def _keys(store: Store) -> set[str]:
    with store.reading() as session:
        return set(session.scalars(select(Setting.key)))


def test_a_save_that_read_first_is_kept_when_another_commits_during_it(store: Store) -> None:
    """The officer's transaction reads, a background job commits, the officer's transaction
    writes: with deferred transactions SQLite refused the write at once ("database is
    locked"); now the background job waits for the save, and both are kept."""
    read = threading.Event()
    failures: list[BaseException] = []

    def background_job() -> None:
        read.wait(WAIT)
        try:
            with store.transaction() as session:
                session.execute(insert(Setting).values(key="background", value=1))
        except BaseException as error:  # reported by the assertion below
            failures.append(error)

    job = threading.Thread(target=background_job)
    job.start()
    with store.transaction() as session:
        session.scalar(select(func.count()).select_from(Setting))
        read.set()
        job.join(0.5)  # the job runs now, while this transaction is open
        session.execute(insert(Setting).values(key="officer", value=2))
    job.join(WAIT)
    assert not job.is_alive()
    assert failures == []
    assert {"officer", "background"} <= _keys(store)


def test_reading_does_not_wait_for_an_open_writer(store: Store) -> None:
    """While a writer holds its transaction open, a reading transaction sees the last
    committed state straight away (not the writer's uncommitted row)."""
    with store.transaction() as session:
        session.execute(insert(Setting).values(key="committed", value=1))
    with writer_holding(store, "uncommitted", 2) as writer:
        seen = _keys(store)  # would wait for the writer (then fail the test's join) if it waited
        assert writer.is_alive()  # the writer still holds its transaction
    assert "committed" in seen and "uncommitted" not in seen
    assert "uncommitted" in _keys(store)


def test_writing_in_a_reading_transaction_is_refused(store: Store) -> None:
    with pytest.raises(StoreError), store.reading() as session:
        session.execute(insert(Setting).values(key="sneaked", value=1))
    with pytest.raises(StoreError), store.reading() as session:
        session.add(Setting(key="sneaked", value=1))
        session.flush()
    assert "sneaked" not in _keys(store)
