"""The "received" status of each new record travels in its batch's receipt, for laptops that say
they apply it; laptops from before still fetch it with status requests, and a record sent again
in a new batch (its first receipt lost) gets it with the new receipt. Over real HTTP, on SQLite
and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.server.models import Batch, StatusDelivery
from app.server.service import ingest_batch
from app.services import sync, sync_outbox
from app.services.context import AppContext
from app.store.models import Application
from app.sync.batch import KnownDevice, Receipt, open_batch, seal_batch, verify_receipt
from app.sync.crypto import ServerKeys, sign_document
from tests.sync.harness import LiveServer, add_records, outbox_states


def _court_statuses(device: AppContext) -> list[str | None]:
    with device.store.transaction() as session:
        return list(session.scalars(select(Application.court_status)))


def _open_deliveries(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(StatusDelivery)
            .where(StatusDelivery.acknowledged_at.is_(None))
        )
        or 0
    )


def _status_answers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Collects the number of updates in each status answer the laptop receives."""
    counts: list[int] = []
    real = sync.apply_status_updates

    def counting(session: Session, updates: Any, today: Any) -> tuple[int, list[int]]:
        counts.append(len(updates) if isinstance(updates, list) else -1)
        return real(session, updates, today)

    monkeypatch.setattr(sync, "apply_status_updates", counting)
    return counts


def test_received_comes_with_the_receipt_and_no_status_round_is_needed(
    device: AppContext, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = _status_answers(monkeypatch)
    add_records(device, 45)  # batches of 20 and 25: two receipts
    result = sync.sync_now(device, server.url)
    assert result.complete and result.acknowledged == 45 and result.requests == 2
    assert result.status_updates == 45
    assert _court_statuses(device) == ["received"] * 45
    assert answers == [0]  # one status request, answered with nothing left to deliver
    with server.sessions() as session:
        assert _open_deliveries(session) == 0
        receipts = session.scalars(select(Batch.receipt)).all()
        delivered = session.scalars(select(StatusDelivery.id)).all()
    carried = [item["seq"] for receipt in receipts for item in receipt["body"]["statuses"]]
    assert sorted(carried) == sorted(delivered) and len(set(carried)) == 45


def test_a_laptop_from_before_still_fetches_received_with_status_requests(
    device: AppContext, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = _status_answers(monkeypatch)
    monkeypatch.setattr(
        sync_outbox,
        "seal_batch",
        lambda **kwargs: seal_batch(**{**kwargs, "receipt_statuses": False}),
    )
    add_records(device, 3)
    result = sync.sync_now(device, server.url)
    assert result.complete and result.status_updates == 3
    assert _court_statuses(device) == ["received"] * 3
    assert answers == [3, 0]  # delivered by a status request, acknowledged by the next
    with server.sessions() as session:
        assert _open_deliveries(session) == 0
        assert all("statuses" not in r["body"] for r in session.scalars(select(Batch.receipt)))


def test_a_record_sealed_again_after_its_receipt_was_lost_gets_received_again(
    device: AppContext, server: LiveServer, server_keys: ServerKeys
) -> None:
    add_records(device, 4)
    assert sync_outbox.build_pending_batches(device, 500) == 1
    (first,) = sync_outbox.stored_batches(device)
    # The office stores the batch and marks its statuses delivered; the receipt never arrives.
    ingest_batch(server.sessions, server_keys, first.path.read_bytes())
    with server.sessions() as session:
        assert _open_deliveries(session) == 0
    first.path.write_bytes(b"damaged on the laptop's disk")  # so its rows are sealed again
    result = sync.sync_now(device, server.url)
    assert result.complete and result.acknowledged == 4 and result.batches_sent == 1
    assert _court_statuses(device) == ["received"] * 4
    assert set(outbox_states(device).values()) == {"acknowledged"}
    with server.sessions() as session:
        second = session.scalars(select(Batch).where(Batch.batch_id != first.batch_id)).one()
        assert len(second.receipt["body"]["duplicates"]) == 4
        assert len(second.receipt["body"]["statuses"]) == 4


def test_a_batch_says_it_takes_statuses_and_receipts_without_any_are_as_before(
    server_keys: ServerKeys,
) -> None:
    device_key = Ed25519PrivateKey.generate()
    known = KnownDevice(device_key.public_key())
    for takes in (True, False):
        sealed = seal_batch(
            batch_id="b-1",
            device_id="d-1",
            created_at="2026-01-01T00:00:00",
            records=[],
            audit=[],
            server_public=server_keys.encryption.public_key(),
            device_key=device_key,
            receipt_statuses=takes,
        )
        assert (
            open_batch(sealed, server_keys.encryption, lambda _id: known).receipt_statuses is takes
        )
    plain = Receipt("b-1", "ab" * 32, "d-1", stored=["v1"])
    assert "statuses" not in plain.to_json()
    item = {"seq": 7, "application_id": "a-1", "reference": "R-1", "status": "received"}
    carrying = Receipt("b-1", "ab" * 32, "d-1", stored=["v1"], statuses=[item])
    signed = carrying.sign(server_keys.signing)
    assert verify_receipt(server_keys.signing.public_key(), signed).statuses == [item]
    for bad in ({"seq": 7}, [1, 2]):
        body = {**carrying.to_json(), "statuses": bad}
        with pytest.raises(Exception, match="bad_receipt"):
            verify_receipt(
                server_keys.signing.public_key(), sign_document(server_keys.signing, body)
            )
