"""Migration 0004 on a store made by the previous schema: every record, version, outbox row and
search entry survives; the earlier-number column starts empty and links new follow-up contacts."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select

from app.core.demo_answers import demo_answers
from app.services import records, registry
from app.services.context import open_app
from app.services.prior_contacts import linked_contacts
from app.store.db import MIGRATIONS_DIR, current_revision, head_revision
from app.store.models import ApplicationVersion, OutboxItem
from tests.officers import SUPERVISOR, add_officers


def _snapshot(ctx: Any) -> dict[str, Any]:
    with ctx.store.transaction() as session:
        versions = {
            v.id: (v.application_id, v.answers, v.content_sha256)
            for v in session.scalars(select(ApplicationVersion))
        }
        outbox = sorted(session.scalars(select(OutboxItem.version_id)))
    return {"versions": versions, "outbox": outbox}


def test_a_store_of_the_previous_schema_migrates_without_loss(home: Path) -> None:
    ctx = open_app(home)
    add_officers(ctx, (SUPERVISOR,))
    ctx.officer = SUPERVISOR
    ids = []
    for seed, form_id in enumerate(("complaint", "civil_party", "complaint")):
        form = records.form_definition(form_id)
        answers = demo_answers(
            form,
            random.Random(seed),
            overrides={"applicant_name": {"km": "ចាន់ ធី", "latin": "Chan Thy"}},
        )
        application_id = records.start_application(ctx, form_id)
        records.finalize_application(ctx, application_id, answers)
        ids.append(application_id)
    draft = records.start_application(ctx, "complaint")
    records.save_draft(ctx, draft, {"applicant_name": {"km": "ស៊ុន ណា", "latin": "Sun Na"}})
    before = _snapshot(ctx)
    references = {i: records.get_application(ctx, i, audit=False).reference for i in ids}
    path = ctx.store.path
    engine = ctx.store.engine
    # Back to the schema before 0004: the store the previous release left on the laptop.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.downgrade(config, "0003")
    assert current_revision(engine) == "0003"
    assert "prior_reference_key" not in {
        c["name"] for c in inspect(engine).get_columns("applications")
    }
    ctx.close()

    ctx = open_app(home)
    ctx.officer = SUPERVISOR  # the same supervisor signs in again
    try:
        assert ctx.store.path == path
        assert current_revision(ctx.store.engine) == head_revision()
        assert ctx.store.pre_migration_backup is not None  # a copy was taken before migrating
        assert _snapshot(ctx) == before
        assert (
            records.get_application(ctx, draft, audit=False).answers["applicant_name"]["latin"]
            == "Sun Na"
        )
        found = registry.list_registry(ctx, registry.RegistryQuery(search="Chan Thy"), 0, 50)
        assert {row.id for row in found} == set(ids)

        # A follow-up naming an old record's reference joins its history.
        form = records.form_definition("follow_up")
        contact = records.start_application(ctx, "follow_up")
        records.finalize_application(
            ctx,
            contact,
            demo_answers(
                form,
                random.Random(9),
                overrides={
                    "prior_number_kind": "app_reference",
                    "prior_reference": references[ids[1]],
                },
            ),
        )
        assert [c.application_id for c in linked_contacts(ctx, ids[1])] == [contact]
        assert linked_contacts(ctx, ids[0]) == []
    finally:
        ctx.close()
