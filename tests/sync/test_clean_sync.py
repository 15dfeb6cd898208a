"""Clean sync over real HTTP on loopback, against SQLite and PostgreSQL."""

from __future__ import annotations

from app.services import sync, sync_enrolment
from app.services.context import AppContext
from tests.sync.harness import LiveServer, add_records, outbox_states


def test_clean_sync_stores_every_record_once_and_acknowledges(
    device: AppContext, server: LiveServer
) -> None:
    version_ids = add_records(device, 75)
    seen: list[tuple[int, int]] = []
    result = sync.sync_now(
        device, server.url, progress=lambda done, total: seen.append((done, total))
    )
    assert result.error is None, result.error
    assert result.complete
    assert result.acknowledged == 75
    # adaptive size: 20, 40, then the last 15
    assert result.batches_sent == 3
    assert sorted(server.version_ids()) == sorted(version_ids)
    assert set(outbox_states(device).values()) == {"acknowledged"}
    assert seen[0] == (0, 75) and seen[-1] == (75, 75)


def test_cancelling_sends_nothing_more(device: AppContext, server: LiveServer) -> None:
    add_records(device, 30)
    calls: list[int] = []

    def cancel_after_first_batch() -> bool:
        calls.append(1)
        return len(calls) > 1

    result = sync.sync_now(device, server.url, cancelled=cancel_after_first_batch)
    assert result.cancelled and not result.complete
    assert result.acknowledged == 20 and result.remaining == 10
    assert len(server.version_ids()) == 20
    assert sync.sync_now(device, server.url).complete


def test_sealing_to_the_wrong_server_key_is_refused_without_looping(
    device: AppContext, server: LiveServer
) -> None:
    from app.sync.crypto import ServerKeys

    version_ids = add_records(device, 5)
    other = ServerKeys.generate().public
    sync_enrolment.install_enrolment(
        device, {"device_id": device.device_id, **other.to_json()}, other.fingerprint()
    )
    result = sync.sync_now(device, server.url)
    assert result.error is not None and result.requests == 1
    assert server.version_ids() == []
    assert set(outbox_states(device).values()) == {"pending"}
    assert sorted(outbox_states(device)) == sorted(version_ids)


def test_an_unreachable_office_keeps_everything_waiting(device: AppContext) -> None:
    add_records(device, 3)
    assert not sync.server_reachable("http://127.0.0.1:9", timeout=1)
    result = sync.sync_now(device, "http://127.0.0.1:9")
    assert result.error is not None and result.remaining == 3 and result.acknowledged == 0
    assert set(outbox_states(device).values()) == {"in_batch"}
