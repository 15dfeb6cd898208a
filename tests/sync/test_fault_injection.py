"""Sync through a proxy that cuts uploads and drops replies after the server committed.

The device keeps calling ``sync_now`` until nothing is left. At every step no record may be marked
acknowledged that the office lacks; at the end every record is stored exactly once.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.server.models import Batch, RecordVersion
from app.services import sync
from app.services.context import AppContext
from tests.sync.harness import FaultProxy, LiveServer, add_records, outbox_states

RECORDS = 2000


def test_faulty_link_loses_nothing_and_duplicates_nothing(
    device: AppContext, server: LiveServer
) -> None:
    version_ids = add_records(device, RECORDS)
    proxy = FaultProxy(server.port, cut=0.3, drop=0.3, seed=11).start()
    try:
        rounds = 0
        while True:
            rounds += 1
            assert rounds < 300, "sync never finished"
            result = sync.sync_now(device, proxy.url)
            on_server = set(server.version_ids())
            acknowledged = {
                v for v, state in outbox_states(device).items() if state == "acknowledged"
            }
            assert acknowledged <= on_server, "a record is acknowledged that the office lacks"
            if result.complete:
                break
    finally:
        proxy.stop()
    assert proxy.stats.cut_uploads > 5 and proxy.stats.dropped_replies > 5
    states = outbox_states(device)
    assert set(states.values()) == {"acknowledged"}
    assert len(states) == RECORDS
    with server.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(RecordVersion))
        distinct = session.scalar(select(func.count(func.distinct(RecordVersion.version_id))))
        batches = session.scalar(select(func.count()).select_from(Batch))
    assert stored == distinct == RECORDS
    assert sorted(server.version_ids()) == sorted(version_ids)
    assert batches is not None and batches >= 5
    assert not list((device.home / "outbox").glob("*.vsb"))
