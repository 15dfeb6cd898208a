"""Registry search as the list runs it (issue 20): the index is read once, a broad search reads
only the rows of its first page, and what is listed - the first page, then the pages streamed
after it - is what the sorted listing lists, for every bench term (Khmer, Latin, spelling
variants, several words, a reference), in every order, for each role."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import event, text

from app.core.demo_answers import demo_answers
from app.services import form_catalogue, listing_plan, records, registry
from app.services.context import AppContext
from app.services.search_terms import search_alternatives
from tests.bench.bench_app import SEARCHES, add_copies
from tests.officers import FIELD_OFFICER, OTHER_OFFICER, SUPERVISOR, add_officers

TERMS = (*SEARCHES, "VSS-BNCH-000123", "vss", "ស")


def _store(ctx: AppContext) -> None:
    """Records of two field officers, then copies of them with the bench's names (each copy
    keeps its source's officer), as the bench store is made."""
    add_officers(ctx, (FIELD_OFFICER, OTHER_OFFICER))
    rng = random.Random(11)
    forms = list(form_catalogue.available_forms().values())
    for officer in (FIELD_OFFICER, OTHER_OFFICER):
        ctx.officer = officer
        items = [(f.id, demo_answers(f, rng)) for f in (rng.choice(forms) for _ in range(8))]
        records.import_applications(ctx, items)
    ctx.officer = SUPERVISOR
    add_copies(ctx, 240)


def _as_the_list_shows(ctx: AppContext, query: registry.RegistryQuery) -> tuple[list[str], bool]:
    rows, broad = registry.search_registry(ctx, query, page_size=7)
    listed = [row.id for row in rows]
    cursor = registry.RegistryCursor("", "", len(rows)) if broad else None
    known = registry.SEARCH_SORT_LIMIT + 1
    while cursor is not None:
        page, cursor = registry.registry_page(ctx, query, cursor, 9, known)
        listed.extend(row.id for row in page)
    return listed, broad


# A field officer's search is read from their records when they are few, else driven from the
# search index (listing_plan.owner_keeps_few): bound 1, every officer has "many"; 10**9, "few".
BOUNDS = (1, 10**9)


@pytest.mark.parametrize("bound", BOUNDS)
@pytest.mark.parametrize("limit", [registry.SEARCH_SORT_LIMIT, 20])
def test_search_lists_what_the_sorted_listing_lists(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, limit: int, bound: int
) -> None:
    _store(ctx)
    monkeypatch.setattr(registry, "SEARCH_SORT_LIMIT", limit)
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: bound)
    found_any: set[str] = set()
    broad_seen: set[str] = set()
    for officer in (SUPERVISOR, FIELD_OFFICER):
        ctx.officer = officer
        own = {row.id for row in registry.list_registry(ctx, registry.RegistryQuery(), 0, 10_000)}
        for term in TERMS:
            for sort, descending in (("updated", True), ("name_km", False), ("reference", True)):
                query = registry.RegistryQuery(search=term, sort=sort, descending=descending)
                total = registry.count_registry(ctx, query)
                expected = [r.id for r in registry.list_registry(ctx, query, 0, 10_000, total)]
                listed, broad = _as_the_list_shows(ctx, query)
                assert broad == registry.search_is_broad(total), (officer.role, term)
                # Sorted when few; in index order, as the streamed listing, when broad.
                assert listed == expected, (officer.role, term, sort, descending)
                assert len(listed) == len(set(listed))
                assert set(listed) <= own  # a field officer finds only their own records
                if listed:
                    found_any.add(term)
                if broad:
                    broad_seen.add(term)
    assert set(TERMS) - found_any <= {"VSS-BNCH-012345"}, found_any  # not in a store this small
    assert bool(broad_seen) == (limit == 20), broad_seen  # both paths are exercised


def test_a_search_reads_the_index_once_and_a_broad_one_only_its_first_page(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(ctx)
    monkeypatch.setattr(registry, "SEARCH_SORT_LIMIT", 20)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(ctx.store.engine, "before_cursor_execute", seen)
    try:
        rows, broad = registry.search_registry(
            ctx, registry.RegistryQuery(search="vss"), page_size=5
        )
    finally:
        event.remove(ctx.store.engine, "before_cursor_execute", seen)
    assert broad and len(rows) == 5
    assert len(statements) == 2, statements  # the index once (the ids), then the 5 rows
    assert sum("MATCH" in s or "LIKE" in s for s in statements) == 1


def test_a_match_is_joined_to_its_application_through_the_rowid_index(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filtered search (or a field officer's, with many records) takes each match's id from
    search_index_rows' rowid index (migration 0014), not from the search text's row, still
    driven from the full-text index (so LIMIT stops early); a broad search joins only its first
    page's rows. (An officer with few records: test_registry_owner_form.)"""
    _store(ctx)
    monkeypatch.setattr(registry, "SEARCH_SORT_LIMIT", 20)
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: 1)
    run: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            run.append((statement, parameters))

    searches = (
        (SUPERVISOR, registry.RegistryQuery(search="pheap", form_id="complaint")),
        (SUPERVISOR, registry.RegistryQuery(search="Sokha Chea", status="final")),
        (FIELD_OFFICER, registry.RegistryQuery(search="Srey Mom")),
        (SUPERVISOR, registry.RegistryQuery(search="vss")),
    )
    for officer, query in searches:
        ctx.officer = officer
        run.clear()
        event.listen(ctx.store.engine, "before_cursor_execute", seen)
        try:
            registry.search_registry(ctx, query, page_size=5)
        finally:
            event.remove(ctx.store.engine, "before_cursor_execute", seen)
        joined = [(s, p) for s, p in run if "JOIN" in s]
        assert joined, query
        with ctx.store.reading() as session:
            cursor = session.connection().connection.driver_connection.cursor()
            for statement, parameters in joined:
                plan = [
                    row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                ]
                assert any("ix_search_index_rows_rowid" in step for step in plan), (query, plan)
                if "MATCH" in statement:
                    assert plan[0].startswith("SCAN") and "VIRTUAL TABLE" in plan[0], plan


@pytest.mark.parametrize("bound", BOUNDS)
def test_a_broad_search_lists_its_matches_in_the_full_text_index_order(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, bound: int
) -> None:
    """What a broad search lists (its first page, then the pages streamed) is every match in
    the trigram index's own rowid order, less the records the officer may not see or the
    filter leaves out: worked out here from the search texts themselves (a match holds every
    part of one alternative) and a listing without search, not through the search's joins."""
    _store(ctx)
    monkeypatch.setattr(registry, "SEARCH_SORT_LIMIT", 20)
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: bound)
    with ctx.store.reading() as session:
        index = session.execute(
            text("SELECT rowid, application_id, content FROM application_search ORDER BY rowid")
        ).all()
    searches = (
        (SUPERVISOR, {}),
        (SUPERVISOR, {"form_id": "complaint"}),
        (SUPERVISOR, {"status": "final"}),
        (FIELD_OFFICER, {}),
        (FIELD_OFFICER, {"form_id": "follow_up"}),
    )
    broad_seen = 0
    for officer, filters in searches:
        ctx.officer = officer
        kept = {
            row.id
            for row in registry.list_registry(ctx, registry.RegistryQuery(**filters), 0, 10_000)
        }
        for term in ("vss", "sok", "Sokha Chea", "Srey Mom", "ស"):
            alternatives = search_alternatives(term)
            assert alternatives is not None
            expected = [
                key
                for _rowid, key, content in index
                if key in kept and any(all(p in content for p in parts) for parts in alternatives)
            ]
            query = registry.RegistryQuery(search=term, **filters)
            listed, broad = _as_the_list_shows(ctx, query)
            if broad:
                broad_seen += 1
                assert listed == expected, (officer.role, filters, term)
            else:
                assert sorted(listed) == sorted(expected), (officer.role, filters, term)
    assert broad_seen >= 5
