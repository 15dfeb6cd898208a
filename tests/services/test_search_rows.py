"""Each application has one row of the full-text index, found by key (search_index_rows)
and never by reading the index for its id: finalise, correct, discard, re-index, and migration
0011 on a store of the previous schema. Statements are counted, nothing is timed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, inspect, text

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.services import form_catalogue, records, registry
from app.services.context import AppContext, open_app
from app.services.index_version import rebuild_search_index
from app.store.db import MIGRATIONS_DIR, current_revision, head_revision
from tests.officers import SUPERVISOR, add_officers


def _named(km: str, latin: str, seed: int) -> dict[str, Any]:
    form = form_catalogue.form_definition("complaint")
    name = form.field_with_role(FieldRole.APPLICANT_NAME)
    assert name is not None
    return demo_answers(form, random.Random(seed), overrides={name.id: {"km": km, "latin": latin}})


def _index(ctx: AppContext) -> tuple[list[tuple[int, str]], dict[str, int]]:
    with ctx.store.transaction() as session:
        rows = [
            (int(r[0]), str(r[1]))
            for r in session.execute(text("SELECT rowid, application_id FROM application_search"))
        ]
        keys = dict(
            session.execute(
                text("SELECT application_id, search_rowid FROM search_index_rows")
            ).all()
        )
    return sorted(rows), keys


def _assert_one_row_each(ctx: AppContext, expected_ids: set[str]) -> None:
    rows, keys = _index(ctx)
    assert sorted(application_id for _rowid, application_id in rows) == sorted(expected_ids)
    assert {application_id: rowid for rowid, application_id in rows} == keys


@contextmanager
def _statements(ctx: AppContext) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(ctx.store.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(ctx.store.engine, "before_cursor_execute", note)


def _found(ctx: AppContext, term: str) -> list[str]:
    return [r.id for r in registry.list_registry(ctx, registry.RegistryQuery(search=term), 0, 50)]


def test_finalise_correct_and_discard_keep_one_index_row_found_by_key(ctx: AppContext) -> None:
    first = records.start_application(ctx, "complaint")
    second = records.start_application(ctx, "complaint")
    draft = records.start_application(ctx, "complaint")
    with _statements(ctx) as seen:
        records.finalize_application(ctx, first, _named("សុខ ដារ៉ា", "Sok Dara", 1))
        records.finalize_application(ctx, second, _named("ចាន់ សុផល", "Chan Sophal", 2))
        records.save_draft(ctx, draft, _named("កែវ មាលា", "Keo Mealea", 3))
        _assert_one_row_each(ctx, {first, second, draft})
        records.correct_application(ctx, first, _named("ហេង វណ្ណា", "Heng Vanna", 1), "name")
        records.correct_application(ctx, first, _named("ហេង វណ្ណី", "Heng Vanny", 1), "again")
        _assert_one_row_each(ctx, {first, second, draft})
        records.discard_draft(ctx, draft)
    _assert_one_row_each(ctx, {first, second})
    assert _found(ctx, "Heng Vanny") == [first]
    assert _found(ctx, "Sok Dara") == []  # the corrected-away name is no longer indexed
    assert _found(ctx, "Keo Mealea") == []  # nor the discarded draft's
    assert _found(ctx, "ចាន់ សុផល") == [second]
    writes = [s for s in seen if s.startswith("DELETE FROM application_search ")]
    assert writes and all(s.endswith("WHERE rowid = ?") for s in writes), writes
    assert not [s for s in seen if "application_search WHERE application_id" in s]


def test_a_rebuilt_index_has_one_row_per_application(ctx: AppContext) -> None:
    ids = []
    for seed in range(4):
        application_id = records.start_application(ctx, "complaint")
        records.finalize_application(ctx, application_id, _named("សុខ ដារ៉ា", "Sok Dara", seed))
        ids.append(application_id)
    assert rebuild_search_index(ctx.store) == 4
    assert rebuild_search_index(ctx.store) == 4
    _assert_one_row_each(ctx, set(ids))
    assert sorted(_found(ctx, "Sok Dara")) == sorted(ids)


def test_a_store_of_schema_0010_gains_the_keys_of_its_index(home: Path) -> None:
    ctx = open_app(home)
    add_officers(ctx, (SUPERVISOR,))
    ctx.officer = SUPERVISOR
    ids = []
    for seed, (km, latin) in enumerate((("សុខ ដារ៉ា", "Sok Dara"), ("ចាន់ សុផល", "Chan Sophal"))):
        application_id = records.start_application(ctx, "complaint")
        records.finalize_application(ctx, application_id, _named(km, latin, seed))
        ids.append(application_id)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = ctx.store.engine
    command.downgrade(config, "0010")
    assert "search_index_rows" not in inspect(ctx.store.engine).get_table_names()
    ctx.close()

    ctx = open_app(home)
    ctx.officer = SUPERVISOR
    try:
        assert current_revision(ctx.store.engine) == head_revision()
        _assert_one_row_each(ctx, set(ids))
        records.correct_application(ctx, ids[0], _named("ហេង វណ្ណា", "Heng Vanna", 0), "name")
        _assert_one_row_each(ctx, set(ids))
        assert _found(ctx, "Heng Vanna") == [ids[0]]
        assert _found(ctx, "Sok Dara") == []
    finally:
        ctx.close()


def test_imported_records_are_keyed_too_and_a_later_correction_replaces_their_row(
    ctx: AppContext,
) -> None:
    first = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, first, _named("សុខ ដារ៉ា", "Sok Dara", 9))
    records.import_applications(
        ctx,
        [("complaint", _named("ចាន់ សុផល", "Chan Sophal", 10))]
        + [("complaint", _named("កែវ មាលា", "Keo Mealea", seed)) for seed in range(11, 14)],
    )
    with ctx.store.transaction() as session:
        ids = set(session.scalars(text("SELECT id FROM applications")).all())
    _assert_one_row_each(ctx, ids)
    [imported] = _found(ctx, "Chan Sophal")
    records.correct_application(ctx, imported, _named("ហេង វណ្ណា", "Heng Vanna", 10), "name")
    _assert_one_row_each(ctx, ids)
    assert _found(ctx, "Chan Sophal") == []
    assert _found(ctx, "Heng Vanna") == [imported]
