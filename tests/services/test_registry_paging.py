"""Keyset paging of the registry (issue 20): page after page lists every visible record exactly
once, in the same order as one sorted listing, whatever the sort and however many rows share a
sort value."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, text, update

from app.core.demo_answers import demo_answers
from app.services import form_catalogue, listing_plan, records, registry
from app.services.context import AppContext
from app.store.models import Application
from tests.officers import FIELD_OFFICER, add_officers


def _import(ctx: AppContext, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    form = form_catalogue.form_definition("complaint")
    records.import_applications(ctx, [(form.id, demo_answers(form, rng)) for _ in range(count)])
    with ctx.store.transaction() as session:
        ids = [row[0] for row in session.execute(text("SELECT id FROM applications"))]
        # Many rows share one change time and one status, as after a bulk import: the cursor
        # must break ties by id, or rows would be skipped or listed twice.
        for number, application_id in enumerate(ids):
            session.execute(
                update(Application)
                .where(Application.id == application_id)
                .values(updated_at=datetime(2026, 1, 1 + number % 3))
            )
    return ids


def _all_pages(ctx: AppContext, query: registry.RegistryQuery, size: int) -> list[str]:
    listed: list[str] = []
    cursor = None
    known = registry.count_registry(ctx, query) if query.search else None
    for _page in range(1000):
        rows, cursor = registry.registry_page(ctx, query, cursor, size, known)
        listed.extend(row.id for row in rows)
        if cursor is None:
            return listed
    raise AssertionError("the pages never ended")


def test_keyset_pages_list_every_record_once_in_sorted_order(ctx: AppContext) -> None:
    ids = _import(ctx, 23, seed=3)
    draft = records.start_application(ctx, "complaint")  # no reference yet: sorts as ""
    for sort in ("updated", "name_km", "name_latin", "reference", "status"):
        for descending in (True, False):
            query = registry.RegistryQuery(sort=sort, descending=descending)
            expected = [row.id for row in registry.list_registry(ctx, query, 0, 1000)]
            assert sorted(expected) == sorted([*ids, draft])
            for size in (1, 4, 7, 24, 50):
                assert _all_pages(ctx, query, size) == expected, (sort, descending, size)


def test_a_search_is_paged_too(ctx: AppContext) -> None:
    _import(ctx, 12, seed=4)
    query = registry.RegistryQuery(search="vss")  # every reference: all rows match
    total = registry.count_registry(ctx, query)
    expected = [row.id for row in registry.list_registry(ctx, query, 0, 1000, total)]
    assert len(expected) == 12
    assert _all_pages(ctx, query, 5) == expected


def test_the_first_page_says_when_there_is_no_more(ctx: AppContext) -> None:
    ids = _import(ctx, 3, seed=5)
    rows, cursor = registry.registry_page(ctx, registry.RegistryQuery(), None, 10)
    assert sorted(row.id for row in rows) == sorted(ids) and cursor is None


def test_a_search_in_one_statement_lists_as_the_count_and_listing_did(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(ctx, 9, seed=6)
    for search in ("vss", "ស", "zzzz"):
        for sort in ("updated", "name_km", "reference"):
            for descending in (True, False):
                query = registry.RegistryQuery(search=search, sort=sort, descending=descending)
                total = registry.count_registry(ctx, query)
                expected = [r.id for r in registry.list_registry(ctx, query, 0, 1000, total)]
                rows, broad = registry.search_registry(ctx, query)
                assert [r.id for r in rows] == expected and not broad, (search, sort)
    monkeypatch.setattr(registry, "SEARCH_SORT_LIMIT", 3)
    broad_query = registry.RegistryQuery(search="vss")
    rows, broad = registry.search_registry(ctx, broad_query)
    assert broad and len(rows) == 4  # the limit + 1: listed in index order, the rest streamed
    rest, _cursor = registry.registry_page(
        ctx, broad_query, registry.RegistryCursor("", "", len(rows)), 100, len(rows)
    )
    assert sorted(r.id for r in rows + rest) == sorted(
        r.id for r in registry.list_registry(ctx, registry.RegistryQuery(), 0, 100)
    )


def test_known_forums_are_found_by_index_seeks_sorted_and_each_once(ctx: AppContext) -> None:
    form = form_catalogue.form_definition("complaint")
    rng = random.Random(8)
    forums = ["វេទិកា បាទី", "Forum A", "វេទិកា បាទី", "Forum A", "Forum B"]
    records.import_applications(
        ctx,
        [(form.id, demo_answers(form, rng, overrides={"intake_forum": f})) for f in forums],
    )
    records.start_application(ctx, "complaint")  # a draft names no forum
    assert registry.known_forums(ctx) == sorted(set(forums))
    # A field officer is offered only the forums of their own records.
    add_officers(ctx, (FIELD_OFFICER,))
    ctx.officer = FIELD_OFFICER
    assert registry.known_forums(ctx) == []
    own = demo_answers(form, rng, overrides={"intake_forum": "Forum C"})
    records.import_applications(ctx, [(form.id, own)])
    assert registry.known_forums(ctx) == ["Forum C"]


def test_every_order_pages_from_its_index_without_sorting_rows(ctx: AppContext) -> None:
    """No page of the listing sorts rows in memory (issue 20): at 100,000 records that sort
    took 0.7-1.9 s per page by Khmer name, reference or status. The plans are read, not timed."""
    _import(ctx, 6, seed=9)

    def two_pages(query: registry.RegistryQuery) -> None:
        _rows, cursor = registry.registry_page(ctx, query, None, 2)
        registry.registry_page(ctx, query, cursor, 2)

    for sort in ("updated", "name_km", "name_latin", "reference", "status"):
        for descending in (True, False):
            query = registry.RegistryQuery(sort=sort, descending=descending)
            pages = plans_of(
                ctx, lambda q=query: two_pages(q), lambda s: s.lstrip().upper().startswith("SELECT")
            )
            assert len(pages) == 2, pages
            for plan in pages:
                assert "TEMP B-TREE" not in plan, (sort, descending, plan)
                assert f"ix_applications_{sort}_order" in plan, (sort, descending, plan)


def _import_with_forums(ctx: AppContext) -> None:
    """Records of two forums in unequal shares, all "final", and one draft."""
    rng = random.Random(10)
    items = []
    for number in range(14):
        form = form_catalogue.form_definition(("complaint", "civil_party")[number % 2])
        forum = "វេទិកា បាទី" if number % 3 else "Forum A"
        items.append((form.id, demo_answers(form, rng, overrides={"intake_forum": forum})))
    records.import_applications(ctx, items)
    with ctx.store.transaction() as session:  # ties on the change time, as after an import
        session.execute(
            update(Application)
            .values(updated_at=datetime(2026, 1, 1))
            .where(Application.forum == "Forum A")
        )
    records.start_application(ctx, "complaint")


FILTERS = (
    {"status": "final"},
    {"status": "draft"},
    {"forum": "Forum A"},
    {"forum": "វេទិកា បាទី", "status": "final"},
    {"forum": "Forum A", "form_id": "civil_party"},
    {"forum": "nowhere"},
)


@pytest.mark.parametrize("bound", [1, 10**9])
def test_filtered_pages_list_every_match_once_in_sorted_order(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, bound: int
) -> None:
    """Read from the order's index (every filter "keeps many") or from the filter's own index
    and sorted (every filter "keeps few"): the same rows as one sorted listing either way."""
    _import_with_forums(ctx)
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: bound)
    village = "01020304"  # a village for the records of one form (demo answers name none)
    with ctx.store.transaction() as session:
        session.execute(
            update(Application)
            .values(village_code=village)
            .where(Application.form_id == "complaint")
        )
    for filters in (
        *FILTERS,
        {"village_code": village},
        {"village_code": village, "status": "final"},
    ):
        for sort in ("updated", "name_km", "reference", "status"):
            for descending in (True, False):
                query = registry.RegistryQuery(sort=sort, descending=descending, **filters)
                expected = [row.id for row in registry.list_registry(ctx, query, 0, 1000)]
                for size in (1, 3, 50):
                    assert _all_pages(ctx, query, size) == expected, (filters, sort, size)
    everything = registry.list_registry(ctx, registry.RegistryQuery(), 0, 1000)
    assert len(everything) == 15
    final = registry.list_registry(ctx, registry.RegistryQuery(status="final"), 0, 1000)
    assert len(final) == 14


def _is_select(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))


def plans_of(
    ctx: AppContext, run: Callable[[], object], keep: Callable[[str], bool] = _is_select
) -> list[str]:
    """The plans (EXPLAIN QUERY PLAN, steps joined by " / ") of the statements ``run``
    executes that ``keep`` keeps (by default every SELECT)."""
    statements: list[tuple[str, Any]] = []

    def seen(_conn, _cursor, statement, parameters, *_args) -> None:  # type: ignore[no-untyped-def]
        if keep(statement):
            statements.append((statement, parameters))

    event.listen(ctx.store.engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(ctx.store.engine, "before_cursor_execute", seen)
    with ctx.store.engine.connect() as connection:
        return [
            " / ".join(
                str(step[3])
                for step in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, values)
            )
            for statement, values in statements
        ]


def _page_plans(ctx: AppContext, query: registry.RegistryQuery) -> list[str]:
    """The plans of the statements that read a first and a second page (not the counts)."""

    def two_pages() -> None:
        _rows, cursor = registry.registry_page(ctx, query, None, 2)
        assert cursor is not None
        registry.registry_page(ctx, query, cursor, 2)

    pages = plans_of(ctx, two_pages, lambda statement: "ORDER BY" in statement)
    assert len(pages) == 2, pages
    return pages


def test_a_filter_keeping_many_records_pages_from_the_order_index(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A status or forum keeping more records than the bound is read from the order's index,
    not sorted whole (at 100,000 records "final" by Khmer name sorted every record: 1.1 s per
    page); one keeping fewer is read from its own index. Plans are read, not timed."""
    _import_with_forums(ctx)
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: 4)
    for filters in ({"status": "final"}, {"forum": "វេទិកា បាទី"}, FILTERS[3]):
        for sort in ("updated", "name_km", "name_latin", "reference", "status"):
            query = registry.RegistryQuery(sort=sort, **filters)
            for plan in _page_plans(ctx, query):
                assert "TEMP B-TREE" not in plan, (filters, sort, plan)
                assert f"ix_applications_{sort}_order" in plan, (filters, sort, plan)
    # "Forum A" keeps 5 records: more than a bound of 4, fewer than one of 6.
    monkeypatch.setattr(listing_plan, "matches_bound", lambda _session, _size: 6)
    for sort in ("updated", "name_km"):
        for filters in ({"forum": "Forum A"}, {"forum": "Forum A", "status": "final"}):
            for plan in _page_plans(ctx, registry.RegistryQuery(sort=sort, **filters)):
                assert "ix_applications_forum" in plan, (sort, plan)


def test_the_bound_grows_with_the_square_root_of_the_records(ctx: AppContext) -> None:
    with ctx.store.reading() as session:
        assert listing_plan.matches_bound(session, 200) == listing_plan.FEWEST_BOUND
    _import(ctx, 30, seed=11)
    with ctx.store.reading() as session:
        assert listing_plan.matches_bound(session, 10**6) == math.isqrt(30 * 10**6)
