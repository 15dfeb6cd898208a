"""Two batches on their way at once: a failure of the later one, while the earlier one's receipt
is being applied, loses nothing and stores nothing twice (real HTTP through a proxy that fails the
connections it is told to, real server on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.server.models import Batch, RecordVersion
from app.services import sync
from app.services.context import AppContext
from app.store.models import OutboxItem
from tests.sync.harness import FaultProxy, LiveServer, add_records, outbox_states

RECORDS = 300
BATCHES = "POST /v1/batches"


def _batch_of(device: AppContext) -> dict[str, str | None]:
    with device.store.transaction() as session:
        rows = session.execute(select(OutboxItem.version_id, OutboxItem.batch_id)).tuples()
        return dict(rows.all())


@pytest.mark.parametrize("kind", ["cut", "drop"])
def test_a_failed_later_batch_loses_nothing_while_the_earlier_is_acknowledged(
    device: AppContext, server: LiveServer, kind: str
) -> None:
    version_ids = add_records(device, RECORDS)
    # 1: the first batch alone (20). 2: the second (40), with the third sealed and queued
    # behind it. 3: the third fails, the office having stored it ("drop") or not ("cut"); from
    # then on every request fails until the laptop gives up.
    proxy = FaultProxy(server.port, plan=["pass", "pass", *[kind] * 10]).start()
    try:
        result = sync.sync_now(device, proxy.url)
    finally:
        proxy.stop()
    assert result.error is not None and not result.complete
    assert result.batches_sent == 2 and result.acknowledged == 60
    # The fourth batch was sealed while the third was on its way and held back when the third
    # failed: only requests that went out are counted, and the proxy saw each of them.
    posted = [line for line in proxy.stats.request_lines if line == BATCHES]
    assert len(posted) == result.requests == 2 + 4
    states = outbox_states(device)
    assert sorted(states) == sorted(version_ids)  # every record is still there, in some state
    acknowledged = {v for v, state in states.items() if state == "acknowledged"}
    on_server = set(server.version_ids())
    assert len(acknowledged) == 60 and acknowledged <= on_server
    in_batch = {v for v, state in states.items() if state == "in_batch"}
    assert len({_batch_of(device)[v] for v in in_batch}) == 2  # the third and the fourth
    # What the office holds and the laptop has not heard of is still stored to be sent again.
    assert on_server - acknowledged <= in_batch
    if kind == "cut":
        assert on_server == acknowledged
    else:
        assert len(on_server - acknowledged) >= 40  # the third at least; never acknowledged

    # The next sync resends the stored batches byte for byte and sends the rest.
    final = sync.sync_now(device, server.url)
    assert final.complete, final.error
    assert set(outbox_states(device).values()) == {"acknowledged"}
    with server.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(RecordVersion))
        distinct = session.scalar(select(func.count(func.distinct(RecordVersion.version_id))))
        batch_records = session.scalar(select(func.sum(Batch.record_count)))
    assert stored == distinct == RECORDS
    assert batch_records == RECORDS  # no batch was stored twice
    assert sorted(server.version_ids()) == sorted(version_ids)
    assert not list((device.home / "outbox").glob("*.vsb"))
