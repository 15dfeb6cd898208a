"""Migration 0015 on a real store with records: a store of schema 0014 gains the form's and the
owner's indexes when the app opens it (copied aside first), keeps every row, lists the same
pages, and reads a field officer's few records from the new index; it downgrades to 0014."""

from __future__ import annotations

import random
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from app.core.demo_answers import demo_answers
from app.services import form_catalogue, records, registry
from app.services.context import AppContext, open_app
from app.store.db import MIGRATIONS_DIR, current_revision, head_revision
from tests.officers import FIELD_OFFICER, SUPERVISOR, add_officers
from tests.services.test_registry_paging import _page_plans

NEW_INDEXES = {"ix_applications_form_id", "ix_applications_created_by_forum"}


def _config(ctx: AppContext) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = ctx.store.engine
    return config


def _indexes(ctx: AppContext) -> set[str]:
    with ctx.store.reading() as session:
        found = session.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'applications'"
            )
        )
        return {row[0] for row in found}


def _everything(ctx: AppContext) -> list[tuple[object, ...]]:
    with ctx.store.reading() as session:
        return [
            tuple(row) for row in session.execute(text("SELECT * FROM applications ORDER BY id"))
        ]


def _pages(ctx: AppContext) -> dict[str, list[str]]:
    listed = {}
    for officer in (SUPERVISOR, FIELD_OFFICER):
        ctx.officer = officer
        for form in (None, "civil_party"):
            query = registry.RegistryQuery(form_id=form, sort="name_km")
            rows, _cursor = registry.registry_page(ctx, query, None, 100)
            listed[f"{officer.id} {form}"] = [row.id for row in rows]
    return listed


def test_a_store_of_schema_0014_gains_the_indexes_and_keeps_every_record(home: Path) -> None:
    ctx = open_app(home)
    add_officers(ctx, (SUPERVISOR, FIELD_OFFICER))
    rng = random.Random(21)
    for officer, count in ((SUPERVISOR, 12), (FIELD_OFFICER, 5)):
        ctx.officer = officer
        items = []
        for number in range(count):
            form = form_catalogue.form_definition(("complaint", "civil_party")[number % 2])
            items.append((form.id, demo_answers(form, rng)))
        records.import_applications(ctx, items)
    command.downgrade(_config(ctx), "0014")
    assert current_revision(ctx.store.engine) == "0014"
    assert not NEW_INDEXES & _indexes(ctx)
    before, pages = _everything(ctx), _pages(ctx)
    assert len(before) == 17 and pages[f"{FIELD_OFFICER.id} None"]
    ctx.officer = FIELD_OFFICER  # without the owner's index: every record read in turn
    assert all("created_by" not in plan for plan in _page_plans(ctx, registry.RegistryQuery()))
    ctx.close()

    ctx = open_app(home)  # what the app does at start: copy aside, then migrate
    try:
        assert ctx.store.pre_migration_backup is not None
        assert ctx.store.pre_migration_backup.name.startswith("pre-migration-0014-")
        assert current_revision(ctx.store.engine) == head_revision() == "0015"
        assert _indexes(ctx) >= NEW_INDEXES
        assert _everything(ctx) == before and _pages(ctx) == pages
        ctx.officer = FIELD_OFFICER
        for plan in _page_plans(ctx, registry.RegistryQuery()):
            assert "ix_applications_created_by_forum" in plan, plan
        command.downgrade(_config(ctx), "0014")
        assert not NEW_INDEXES & _indexes(ctx)
        assert _everything(ctx) == before and _pages(ctx) == pages
    finally:
        ctx.close()
