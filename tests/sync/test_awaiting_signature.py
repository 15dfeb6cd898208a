"""A civil party application whose signature is taken later is not sent to the office until the
signed paper is confirmed; then both versions go (real HTTP on loopback)."""

from __future__ import annotations

import random

from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.services import records, signatures, sync
from app.services.context import AppContext
from app.store.models import AuditEntry
from tests.officers import FIELD_OFFICER, add_officers
from tests.sync.harness import LiveServer, add_records


def test_awaiting_signature_is_held_back_until_the_signed_paper_is_confirmed(
    device: AppContext, server: LiveServer
) -> None:
    add_officers(device, [FIELD_OFFICER])
    device.officer = FIELD_OFFICER
    signed = add_records(device, 2)
    form = records.form_definition("civil_party")
    answers = demo_answers(
        form,
        random.Random(5),
        overrides={"participation": "civil_party", "signature_mark": "to_be_taken"},
    )
    application_id = records.start_application(device, "civil_party")
    records.finalize_application(device, application_id, answers)
    detail = records.get_application(device, application_id, audit=False)
    assert detail.status == records.AWAITING_SIGNATURE

    first = sync.sync_now(device, server.url)
    assert first.error is None, first.error
    assert sorted(server.version_ids()) == sorted(signed)  # the unsigned one stayed home
    assert first.remaining == 0
    assert records.get_application(device, application_id, audit=False).status == (
        records.AWAITING_SIGNATURE
    )

    signatures.confirm_signed_paper(device, application_id, "thumbprint")
    detail = records.get_application(device, application_id, audit=False)
    assert detail.status == "final"
    assert detail.answers["signature_mark"] == "thumbprint"
    assert len(detail.versions) == 2
    with device.store.transaction() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "signature_confirm")
        ).one()
    assert entry.record_id == application_id and entry.officer_id == FIELD_OFFICER.id

    second = sync.sync_now(device, server.url)
    assert second.error is None and second.acknowledged == 2
    assert len(server.version_ids()) == 4
