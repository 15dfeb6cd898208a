"""Migration 0008 on a store of the previous schema: records survive, the office list's table
and search index appear empty, and a list can be stored and searched right after."""

from __future__ import annotations

import random
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select

from app.core.demo_answers import demo_answers
from app.services import civil_parties, records
from app.services.context import open_app
from app.store.db import MIGRATIONS_DIR, current_revision, head_revision
from app.store.models import ApplicationVersion
from tests.civil_party_data import synthetic_people
from tests.officers import SUPERVISOR, add_officers


def test_a_store_of_schema_0007_gains_the_list_without_losing_records(home: Path) -> None:
    ctx = open_app(home)
    add_officers(ctx, (SUPERVISOR,))
    ctx.officer = SUPERVISOR
    form = records.form_definition("complaint")
    application_id = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, application_id, demo_answers(form, random.Random(3)))
    with ctx.store.transaction() as session:
        before = {(v.id, v.content_sha256) for v in session.scalars(select(ApplicationVersion))}
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = ctx.store.engine
    command.downgrade(config, "0007")
    assert "listed_people" not in inspect(ctx.store.engine).get_table_names()
    ctx.close()

    ctx = open_app(home)
    ctx.officer = SUPERVISOR
    try:
        assert current_revision(ctx.store.engine) == head_revision()
        with ctx.store.transaction() as session:
            after = {(v.id, v.content_sha256) for v in session.scalars(select(ApplicationVersion))}
        assert after == before
        assert civil_parties.list_info(ctx).count == 0
        people = synthetic_people(30)
        person = next(p for p in people if p.protection == "none")
        with ctx.store.transaction() as session:
            civil_parties.store_list(session, [person], {"provinces": [person.province]})
        found = civil_parties.search_people(ctx, person.name_latin)
        assert [row.number for row in found] == [person.number]
    finally:
        ctx.close()
