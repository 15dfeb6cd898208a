"""Resends, concurrent resends, conflicts and refused batches, over real HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from app.server.models import Batch, Conflict, RecordVersion, StatusUpdate
from app.server.service import revoke_device, set_status
from app.services import sync, sync_enrolment, sync_outbox
from app.services.audit import verify_audit_chain
from app.services.context import AppContext
from app.store.models import Application, ApplicationVersion, AuditEntry, OutboxItem
from app.sync.batch import seal_batch, verify_receipt
from app.sync.crypto import ServerKeys
from app.sync.format import record_digest
from tests.sync.harness import LiveServer, add_records, outbox_states


def _post(server: LiveServer, data: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        server.url + "/v1/batches", data=data, method="POST",
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _count(server: LiveServer, model: Any) -> int:
    with server.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _only_batch(device: AppContext) -> bytes:
    assert sync_outbox.build_pending_batches(device, 500) == 1
    (batch,) = sync_outbox.stored_batches(device)
    return batch.path.read_bytes()


def test_status_updates_reach_the_device_and_sync_is_audited(
    device: AppContext, server: LiveServer
) -> None:
    add_records(device, 3)
    result = sync.sync_now(device, server.url)
    assert result.complete and result.status_updates == 3
    with device.store.transaction() as session:
        applications = session.scalars(select(Application)).all()
        assert {a.status for a in applications} == {"synced"}
        assert {a.court_status for a in applications} == {"received"}
        reference = applications[0].reference
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "sync" in actions
    assert verify_audit_chain(device).intact
    assert reference is not None
    set_status(server.sessions, reference, "admitted")
    again = sync.sync_now(device, server.url)
    assert again.complete and again.status_updates == 1 and again.requests == 0
    with device.store.transaction() as session:
        court = session.scalars(
            select(Application.court_status).where(Application.reference == reference)
        ).one()
    assert court == "admitted"
    # the device's audit log travelled with the records
    with server.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StatusUpdate)) == 4


def test_a_resent_batch_is_a_no_op_with_the_same_receipt(
    device: AppContext, server: LiveServer
) -> None:
    version_ids = add_records(device, 30)
    sealed = _only_batch(device)
    first_status, first = _post(server, sealed)
    second_status, second = _post(server, sealed)
    assert first_status == second_status == 200
    assert first == second
    assert sorted(first["body"]["stored"]) == sorted(version_ids)
    assert _count(server, RecordVersion) == 30 and _count(server, Batch) == 1
    # the device never heard the first reply: it resends the same bytes and is acknowledged
    result = sync.sync_now(device, server.url)
    assert result.complete and result.acknowledged == 30 and result.requests == 1
    assert _count(server, RecordVersion) == 30


def test_concurrent_resends_store_once(device: AppContext, server: LiveServer) -> None:
    add_records(device, 200)
    sealed = _only_batch(device)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _n: _post(server, sealed), range(8)))
    assert {status for status, _body in answers} == {200}
    assert all(body == answers[0][1] for _status, body in answers)
    assert _count(server, RecordVersion) == 200 and _count(server, Batch) == 1


def test_two_batches_racing_with_the_same_records_store_each_record_once(
    device: AppContext, server: LiveServer, server_keys: ServerKeys
) -> None:
    add_records(device, 150)
    sealed = _only_batch(device)
    content_records = _device_records(device)
    other = seal_batch(
        batch_id=str(uuid.uuid4()), device_id=device.device_id, created_at="2025-03-01T10:00:00",
        records=content_records, audit=[], server_public=server_keys.public.encryption,
        device_key=sync_enrolment.device_keys(device),
    )  # fmt: skip
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda data: _post(server, data), [sealed, other, sealed, other]))
    assert {status for status, _body in answers} == {200}
    stored = [set(body["body"]["stored"]) for _status, body in answers[:2]]
    assert stored[0].isdisjoint(stored[1]) and len(stored[0] | stored[1]) == 150
    assert _count(server, RecordVersion) == 150 and _count(server, Batch) == 2


def _device_records(device: AppContext) -> list[dict[str, Any]]:
    from app.services.records import version_payload

    with device.store.transaction() as session:
        return [
            {**version_payload(application, version), "content_sha256": version.content_sha256}
            for version, application in session.execute(
                select(ApplicationVersion, Application).join(
                    Application, Application.id == ApplicationVersion.application_id
                )
            ).tuples()
        ]


def test_same_id_other_content_is_quarantined_and_does_not_block_the_queue(
    device: AppContext, server: LiveServer
) -> None:
    version_ids = add_records(device, 10)
    assert sync.sync_now(device, server.url).complete
    # a restored or buggy laptop offers version 0 again with other content, plus new records
    with device.store.transaction() as session:
        version = session.get(ApplicationVersion, version_ids[0])
        assert version is not None
        application = session.get(Application, version.application_id)
        assert application is not None
        version.answers = {**version.answers, "birth_year": 1901}
        from app.services.records import version_payload

        version.content_sha256 = record_digest(version_payload(application, version))
        item = session.get(OutboxItem, version_ids[0])
        assert item is not None
        item.state, item.batch_id = "pending", None
        # and one record whose digest does not match its content
        broken = session.get(ApplicationVersion, version_ids[1])
        assert broken is not None
        broken.content_sha256 = "0" * 64
        item = session.get(OutboxItem, version_ids[1])
        assert item is not None
        item.state, item.batch_id = "pending", None
    new_ids = add_records(device, 5, start=100)
    result = sync.sync_now(device, server.url)
    assert result.error is None and result.remaining == 0
    assert result.quarantined == 2 and result.acknowledged == 5
    states = outbox_states(device)
    assert states[version_ids[0]] == "quarantined" and states[version_ids[1]] == "quarantined"
    assert all(states[v] == "acknowledged" for v in new_ids)
    with device.store.transaction() as session:
        errors = {
            item.version_id: item.last_error
            for item in session.scalars(select(OutboxItem).where(OutboxItem.state == "quarantined"))
        }
    assert errors[version_ids[0]] is not None and errors[version_ids[0]].startswith("409")
    assert errors[version_ids[1]] is not None and errors[version_ids[1]].startswith("422")
    # the office kept its first content and set the offending copies aside
    with server.sessions() as session:
        kept = session.scalars(
            select(RecordVersion).where(RecordVersion.version_id == version_ids[0])
        ).one()
        assert kept.payload["answers"]["birth_year"] != 1901
        assert session.scalar(select(func.count()).select_from(Conflict)) == 2
    assert _count(server, RecordVersion) == 15


def test_refused_batches_apply_nothing(
    device: AppContext, server: LiveServer, server_keys: ServerKeys
) -> None:
    add_records(device, 20)
    sealed = _only_batch(device)
    flipped = sealed[:-200] + bytes([sealed[-200] ^ 0xFF]) + sealed[-199:]
    assert _post(server, sealed[:-100]) == (400, {"error": "truncated", "message": "batch has "
        f"{len(sealed) - 100} of {len(sealed)} bytes"})  # fmt: skip
    assert _post(server, flipped)[1]["error"] == "bad_signature"
    assert _post(server, b"not a batch at all")[1]["error"] == "corrupt"
    assert _post(server, b"")[1]["error"] == "truncated"
    # replay: the same batch id with other bytes
    (batch,) = sync_outbox.stored_batches(device)
    assert _post(server, sealed)[0] == 200
    replay = seal_batch(
        batch_id=batch.batch_id, device_id=device.device_id, created_at="2025-03-01T10:00:00",
        records=[], audit=[], server_public=server_keys.public.encryption,
        device_key=sync_enrolment.device_keys(device),
    )  # fmt: skip
    status, body = _post(server, replay)
    assert (status, body["error"]) == (409, "replay")
    assert _count(server, RecordVersion) == 20 and _count(server, Batch) == 1


def test_a_revoked_device_is_refused_and_keeps_its_records(
    device: AppContext, server: LiveServer
) -> None:
    version_ids = add_records(device, 12)
    revoke_device(server.sessions, device.device_id)
    result = sync.sync_now(device, server.url)
    assert result.error is not None and not result.complete
    assert result.acknowledged == 0 and result.remaining == 12
    assert _count(server, RecordVersion) == 0
    assert set(outbox_states(device).values()) == {"in_batch"}
    assert sorted(outbox_states(device)) == sorted(version_ids)


def test_an_unenrolled_device_says_so(home: Any, server: LiveServer) -> None:
    from app.services.context import open_app
    from tests.officers import FIELD_OFFICER

    ctx = open_app(home)
    ctx.officer = FIELD_OFFICER
    try:
        add_records(ctx, 1)
        result = sync.sync_now(ctx, server.url)
        assert result.error is not None and result.remaining == 1
    finally:
        ctx.close()


def test_a_damaged_stored_batch_is_rebuilt_from_its_rows(
    device: AppContext, server: LiveServer, server_keys: ServerKeys
) -> None:
    add_records(device, 8)
    sync_outbox.build_pending_batches(device, 500)
    (batch,) = sync_outbox.stored_batches(device)
    batch.path.write_bytes(batch.path.read_bytes()[:-10])
    result = sync.sync_now(device, server.url)
    assert result.complete and result.acknowledged == 8
    assert _count(server, RecordVersion) == 8
    assert not batch.path.exists()


def test_a_forged_receipt_acknowledges_nothing(device: AppContext, server: LiveServer) -> None:
    add_records(device, 4)
    sealed = _only_batch(device)
    status, receipt = _post(server, sealed)
    assert status == 200
    forged = {**receipt, "body": {**receipt["body"], "stored": ["someone-else"]}}
    keys = sync_enrolment.server_public_keys(device)
    assert keys is not None
    from app.sync.batch import BatchError

    try:
        verify_receipt(keys.signing, forged)
    except BatchError as error:
        assert error.code == "bad_receipt"
    else:
        raise AssertionError("a forged receipt verified")
