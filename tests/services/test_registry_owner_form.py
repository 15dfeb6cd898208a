"""The registry's form filter and a field officer's own records (migration 0015, issue 20): pages
list every match once, in order, whether read from the filter's index (few matches) or from the
order's index (many); the plan chosen is read from EXPLAIN QUERY PLAN, never timed. Before the
migration neither filter had an index: a rare form, or an officer with few records on a shared
laptop, read every record for the first page, the header's count and each search."""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select, text, update

from app.core.demo_answers import demo_answers
from app.services import access, form_catalogue, listing_plan, records, registry, statement_memo
from app.services.context import AppContext
from app.store.models import Application
from tests.officers import FIELD_OFFICER, OTHER_OFFICER, SUPERVISOR, add_officers
from tests.services.test_registry_paging import _all_pages, _page_plans, plans_of

FORMS = ("complaint", "civil_party")


def _store(ctx: AppContext) -> None:
    """Records of two field officers and a supervisor, in two forms, many sharing a change time
    (as after an import: the cursor breaks ties by id), one forum for some; a draft each."""
    add_officers(ctx, (FIELD_OFFICER, OTHER_OFFICER))
    rng = random.Random(15)
    for officer, count in ((FIELD_OFFICER, 9), (OTHER_OFFICER, 5), (SUPERVISOR, 6)):
        ctx.officer = officer
        items = []
        for number in range(count):
            form = form_catalogue.form_definition(FORMS[number % 3 == 0])
            forum = "Forum A" if number % 2 else "វេទិកា បាទី"
            items.append((form.id, demo_answers(form, rng, overrides={"intake_forum": forum})))
        records.import_applications(ctx, items)
        records.start_application(ctx, "complaint")
    ctx.officer = SUPERVISOR
    with ctx.store.transaction() as session:
        session.execute(update(Application).values(updated_at=datetime(2026, 1, 1)))


def _ids(ctx: AppContext, where: str, **values: Any) -> set[str]:
    """The oracle: ids read with plain SQL, not through the registry's statements."""
    with ctx.store.reading() as session:
        found = session.execute(text(f"SELECT id FROM applications WHERE {where}"), values)
        return {row[0] for row in found}


CASES = (
    (SUPERVISOR, {"form_id": "civil_party"}, "form_id = :form_id"),
    (
        SUPERVISOR,
        {"form_id": "complaint", "forum": "Forum A"},
        "form_id = :form_id AND forum = :forum",
    ),
    (FIELD_OFFICER, {}, "created_by = :owner"),
    (FIELD_OFFICER, {"form_id": "civil_party"}, "created_by = :owner AND form_id = :form_id"),
    (FIELD_OFFICER, {"status": "draft"}, "created_by = :owner AND status = :status"),
    (OTHER_OFFICER, {"forum": "Forum A"}, "created_by = :owner AND forum = :forum"),
)


@pytest.mark.parametrize("bound", [1, 10**9])
def test_pages_list_every_match_once_in_order_under_either_plan(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, bound: int
) -> None:
    """bound 1: every filter "keeps many" (the order's index); 10**9: "keeps few" (the form's or
    the owner's index, then sorted). The same rows as one sorted listing, and the oracle's."""
    _store(ctx)
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: bound)
    for officer, filters, where in CASES:
        ctx.officer = officer
        oracle = _ids(ctx, where, owner=officer.id, **filters)
        assert oracle
        for sort in ("updated", "name_km", "reference", "status"):
            for descending in (True, False):
                query = registry.RegistryQuery(sort=sort, descending=descending, **filters)
                expected = [row.id for row in registry.list_registry(ctx, query, 0, 1000)]
                assert set(expected) == oracle and len(expected) == len(oracle)
                assert registry.count_registry(ctx, query) == len(oracle)
                for size in (1, 4, 50):
                    assert _all_pages(ctx, query, size) == expected, (filters, sort, size)


def test_a_rare_form_and_an_officers_few_records_are_read_from_their_index(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few matches: the page is read from the form's or the owner's index (before migration 0015
    from the order's, every record checked in turn); the header's count from the same index;
    many: from the order's index, nothing sorted (the filter's term written "+")."""
    _store(ctx)
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: 10**9)
    for officer, filters, index in (
        (SUPERVISOR, {"form_id": "civil_party"}, "ix_applications_form_id"),
        (FIELD_OFFICER, {}, "ix_applications_created_by_forum"),
    ):
        ctx.officer = officer
        for sort in ("updated", "name_km"):
            for plan in _page_plans(ctx, registry.RegistryQuery(sort=sort, **filters)):
                assert index in plan, (filters, sort, plan)
        counts = plans_of(
            ctx, lambda f=filters: registry.count_registry(ctx, registry.RegistryQuery(**f))
        )
        assert len(counts) == 1 and f"COVERING INDEX {index}" in counts[0], counts
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: 1)
    for officer, filters in ((SUPERVISOR, {"form_id": "civil_party"}), (FIELD_OFFICER, {})):
        ctx.officer = officer
        for sort in ("updated", "name_km", "reference"):
            for plan in _page_plans(ctx, registry.RegistryQuery(sort=sort, **filters)):
                assert "TEMP B-TREE" not in plan, (filters, sort, plan)
                assert f"ix_applications_{sort}_order" in plan, (filters, sort, plan)


def test_a_field_officers_forums_are_seeks_in_the_owners_index(ctx: AppContext) -> None:
    _store(ctx)
    ctx.officer = FIELD_OFFICER
    plans = plans_of(ctx, lambda: registry.known_forums(ctx))
    assert registry.known_forums(ctx) == sorted({"Forum A", "វេទិកា បាទី"})
    assert len(plans) == 1
    assert plans[0].count("COVERING INDEX ix_applications_created_by_forum (created_by=?") == 2


def test_a_search_of_an_officer_with_few_records_starts_from_them(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A field officer with few records: a search reads their records from the owner's index and
    checks each against the search index's matches (it read and joined every match of the store
    before: 0.3-0.9 s at 100,000 records for an officer with none); the rows it shows are then
    read by id, the owner checked on each row, not read from the owner's index. The lists
    themselves are compared with an oracle in test_registry_search, under both plans."""
    _store(ctx)
    ctx.officer = FIELD_OFFICER
    found_any = False
    for query in (
        registry.RegistryQuery(search="vss"),
        registry.RegistryQuery(search="ស", form_id="civil_party"),
        registry.RegistryQuery(search="Sokha Chea"),
    ):
        rows, _broad = registry.search_registry(ctx, query)
        plans = plans_of(ctx, lambda q=query: registry.search_registry(ctx, q))
        searched = [plan for plan in plans if "SCAN application_search" in plan]
        assert len(searched) == 1, plans
        steps = searched[0].split(" / ")
        assert steps[0].startswith("SEARCH applications USING INDEX ix_applications_created_by")
        assert "LIST SUBQUERY" in searched[0], steps  # the matches as one set, not per record
        shown = [plan for plan in plans if "SCAN anon_1 VIRTUAL TABLE" in plan]  # json_each
        assert len(shown) == (1 if rows else 0), "\n".join(plans)
        for plan in shown:
            assert "ix_applications_created_by" not in plan, plan
        found_any |= bool(rows)
    assert found_any
    # An officer with many records: driven from the search index (test_registry_search).
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: 1)
    plans = plans_of(
        ctx, lambda: registry.search_registry(ctx, registry.RegistryQuery(search="vss"))
    )
    searched = [plan for plan in plans if "SCAN application_search" in plan]
    assert searched and all(plan.startswith("SCAN application_search") for plan in searched)


def test_a_search_statement_is_built_once_per_shape_and_run_with_its_own_values(
    ctx: AppContext,
) -> None:
    """Filtered searches reuse the statement of their shape (statement_memo: building and keying
    it cost ~1.5 ms a search); what each lists is still its own term's, filter's and officer's
    matches (the oracle: the sorted listing, which builds its statement each time)."""
    _store(ctx)
    searches = [
        (officer, registry.RegistryQuery(search=term, **filters))
        for officer in (SUPERVISOR, FIELD_OFFICER, OTHER_OFFICER)
        for filters in ({"form_id": "civil_party"}, {"form_id": "complaint"}, {"status": "final"})
        for term in ("vss", "sok", "ស", "Sokha Chea", "nothing at all")
    ]
    for _round in range(2):
        for officer, query in searches:
            ctx.officer = officer
            rows, broad = registry.search_registry(ctx, query)
            expected = registry.list_registry(ctx, query, 0, 1000)
            assert not broad and rows == expected, (officer.id, query)
        if _round == 0:
            shapes = len(statement_memo._BUILT)
    assert len(statement_memo._BUILT) == shapes  # the second round built none


def test_other_reads_of_a_field_officers_records_keep_their_plans(ctx: AppContext) -> None:
    """visible_applications checks the owner on each row read ("+created_by"): a read by another
    key (a commune's people, drafts, rows by id) keeps the plan it had before the owner's index,
    instead of SQLite reading all of the officer's records (on a laptop of one officer, every
    record) to find them (the rows of a search by id: 1.8 s at 100,000 records)."""
    _store(ctx)
    ctx.officer = FIELD_OFFICER
    with ctx.store.reading() as session:
        some = list(session.scalars(text("SELECT id FROM applications LIMIT 3")))
    by_ids = select(registry.WANTED_IDS.c.value)
    values = {"ids": json.dumps(some), "owner": FIELD_OFFICER.id}
    for statement, index in (
        (select(Application.id).where(Application.commune_code == "0102"), "commune_code"),
        (select(Application.id).where(Application.status == "draft"), "status"),
        (select(Application.name_km).where(Application.id.in_(by_ids)), "autoindex"),
    ):
        visible = access.visible_applications(statement, ctx)
        with ctx.store.reading() as session:
            plain = statement.where(text("created_by = :owner"))
            assert session.execute(visible, values).all() == session.execute(plain, values).all()
        plans = plans_of(ctx, lambda v=visible: _read(ctx, v, values))
        assert len(plans) == 1 and index in plans[0], plans
        assert "created_by" not in plans[0], plans


def _read(ctx: AppContext, statement: Any, values: dict[str, Any]) -> None:
    with ctx.store.reading() as session:
        session.execute(statement, values).all()


def test_an_officers_records_are_counted_once_until_one_is_added(ctx: AppContext) -> None:
    """The plan's count of an officer's records (up to the bound) is kept until a record is
    added (a new largest rowid): it is not read again for each page and each search."""
    _store(ctx)
    ctx.officer = FIELD_OFFICER

    def counts() -> int:
        plans = plans_of(
            ctx, lambda: registry.registry_page(ctx, registry.RegistryQuery(), None, 3)
        )
        plans += plans_of(
            ctx, lambda: registry.search_registry(ctx, registry.RegistryQuery(search="vss"))
        )
        return sum("CO-ROUTINE" in plan and "created_by" in plan for plan in plans)

    counts()
    assert counts() == 0
    records.start_application(ctx, "complaint")
    assert counts() == 1  # counted again once, then kept
    assert counts() == 0
    assert len(registry.registry_page(ctx, registry.RegistryQuery(), None, 100)[0]) == 11
