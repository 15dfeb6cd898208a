"""Sealing takes the oldest sendable rows a page at a time: rows held back for their signed paper
never fill a batch or stop the rows behind them (a real SQLCipher store, no server needed)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from app.services import records, sync_enrolment
from app.services.context import open_app
from app.services.sync_outbox import build_one_batch, stored_batches
from app.store.models import Application, ApplicationVersion, OutboxItem
from app.sync.batch import KnownDevice, open_batch
from app.sync.crypto import ServerKeys, verify_key_from_b64
from tests.officers import as_administrator
from tests.sync.harness import add_records


def test_held_back_rows_neither_fill_a_batch_nor_block_the_rest(home: Path) -> None:
    keys = ServerKeys.generate()
    ctx = as_administrator(open_app(home))
    try:
        request = sync_enrolment.enrolment_request(ctx)
        device = KnownDevice(verify_key_from_b64(request["signing_public"]))
        sync_enrolment.install_enrolment(ctx, {"device_id": ctx.device_id, **keys.public.to_json()})
        version_ids = add_records(ctx, 30)
        in_order = sorted(version_ids)  # one creation time for all: the version id breaks ties
        held = set(in_order[:12])  # more than two whole batches' worth, all at the front
        with ctx.store.transaction() as session:
            session.execute(
                update(Application)
                .where(
                    Application.id.in_(
                        select(ApplicationVersion.application_id).where(
                            ApplicationVersion.id.in_(held)
                        )
                    )
                )
                .values(status=records.AWAITING_SIGNATURE)
            )
        sealed: list[str] = []
        while (batch := build_one_batch(ctx, keys.public, 5)) is not None:
            assert batch.records <= 5
            content = open_batch(batch.path.read_bytes(), keys.encryption, lambda _id: device)
            sealed.extend(record["version_id"] for record in content.records)
        assert sealed == [v for v in in_order if v not in held]  # oldest first, none twice
        assert len(stored_batches(ctx)) == 4
        with ctx.store.transaction() as session:
            states = dict(
                session.execute(select(OutboxItem.version_id, OutboxItem.state)).tuples().all()
            )
        assert {v for v, state in states.items() if state == "pending"} == held
    finally:
        ctx.close()
