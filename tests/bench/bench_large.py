"""How each registry figure grows from one kept store to a larger one (issue 20: the 1,000,000-
record points for search, list first paint and scroll step, memory, beside 100,000).

    VSS_BENCH_RECORDS=1000000 python -m tests.bench.bench_app --build /tmp/store1m   # once
    python -m tests.bench.bench_large /tmp/store100k /tmp/store1m

Each store is measured in turn with bench_app's figures (search, list paint and scroll, memory
of a process listing the registry), the listing's pages (the first page, a page filtered by a
status and by a forum, the header's count) and the main window's memory, each with its baseline
from the same run (a LIKE scan, a plain Qt table, an empty table, a plain read of 200 rows in
table order, a bare Qt window). The last column is each figure at the larger store divided by
the same at the smaller: a figure that does not grow with the records stays near 1.0 (as its
baseline should), one that reads every record grows with their number (10 from 100k to 1M).
The stores are read, not changed, apart from the main window's sign-in (audit entries).
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from app.services import registry
from app.services.accounts import sign_in
from app.services.context import AppContext
from app.services.security import Role
from tests.bench import bench_app, bench_startup

ROUNDS = 5


def _median_ms(run: Callable[[], object], rounds: int = ROUNDS) -> float:
    samples = []
    for _round in range(rounds):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(samples)


def listing_pages(ctx: AppContext) -> dict[str, float]:
    """The listing's first page as the list reads it on the UI thread (unfiltered, by a status
    every bench record has, by the first forum), the next page, and the header's count (on the
    list's thread); baseline: 200 rows read in table order, no index, no sort."""
    with ctx.store.reading() as session:
        connection = session.connection()
        plain = _median_ms(
            lambda: connection.exec_driver_sql(
                "SELECT id, reference, name_km, name_latin, form_id, status, court_status, "
                "updated_at, identity_protected FROM applications LIMIT 200"
            ).all()
        )
    forum = (registry.known_forums(ctx) or [None])[0]
    queries = {
        "list_page": registry.RegistryQuery(),
        "list_page_status_by_name": registry.RegistryQuery(status="final", sort="name_km"),
        "list_page_forum": registry.RegistryQuery(forum=forum),
    }
    figures = {"list_plain_page_ms": plain}
    for name, query in queries.items():
        figures[f"{name}_ms"] = _median_ms(
            lambda q=query: registry.registry_page(ctx, q, None, 200)
        )
        _rows, cursor = registry.registry_page(ctx, query, None, 200)
        figures[f"{name}_next_ms"] = _median_ms(
            lambda q=query, c=cursor: registry.registry_page(ctx, q, c, 200)
        )
    figures["list_count_ms"] = _median_ms(
        lambda: registry.count_registry(ctx, registry.RegistryQuery()), 3
    )
    return figures


# A form id no record of the bench stores has: a rare form at its rarest (a form the bench's
# records all share would be read from the order's index anyway).
RARE_FORM = "bench_rare_form"
# A field officer on a shared laptop who made none of its records (the bench stores' records are
# all the administrator's): seen as such in memory only, nothing is written.
OFFICER_WITH_NONE = "bench-officer-with-no-records"


def _as_field_officer(ctx: AppContext, officer_id: str) -> AppContext:
    assert ctx.officer is not None
    officer = dataclasses.replace(ctx.officer, id=officer_id, role=Role.FIELD_OFFICER)
    return dataclasses.replace(ctx, officer=officer)


def rare_pages(ctx: AppContext) -> dict[str, float]:
    """The first page and count of filters that keep few records or none (a rare form; a field
    officer's own records when they made none of the store's) and of a field officer who made
    them all (the order's index, as for every record), and a field officer's searches (their
    number and first page, as the list runs them, over the bench terms). Cold statements would
    scan the table where no index serves: the medians are of warm runs, as listing_pages'."""
    assert ctx.officer is not None
    few = _as_field_officer(ctx, OFFICER_WITH_NONE)
    every = _as_field_officer(ctx, ctx.officer.id)
    cases = {
        "rare_form": (ctx, registry.RegistryQuery(form_id=RARE_FORM)),
        "rare_form_by_name": (ctx, registry.RegistryQuery(form_id=RARE_FORM, sort="name_km")),
        "own_records_none": (few, registry.RegistryQuery()),
        "own_records_none_by_name": (few, registry.RegistryQuery(sort="name_km")),
        "own_records_all": (every, registry.RegistryQuery()),
        "own_records_all_form": (every, registry.RegistryQuery(**bench_app.FILTER)),
    }
    figures: dict[str, float] = {}
    for name, (officer_ctx, query) in cases.items():
        figures[f"list_page_{name}_ms"] = _median_ms(
            lambda c=officer_ctx, q=query: registry.registry_page(c, q, None, 200), 3
        )
        figures[f"list_count_{name}_ms"] = _median_ms(
            lambda c=officer_ctx, q=query: registry.count_registry(c, q), 3
        )
    for name, officer_ctx in (("none", few), ("all", every)):
        samples = []
        for term in bench_app.SEARCHES:
            query = registry.RegistryQuery(search=term)
            samples.append(
                _median_ms(lambda c=officer_ctx, q=query: registry.search_registry(c, q), 3)
            )
        figures[f"search_own_records_{name}_median_ms"] = statistics.median(samples)
        figures[f"search_own_records_{name}_max_ms"] = max(samples)
    return figures


def measure(home: Path) -> dict[str, float]:
    ctx = sign_in(home, "bench", bench_app.PASSWORD)
    try:
        figures = {
            **bench_app.search_latency(ctx, rounds=3),
            **bench_app.list_first_paint(ctx),
            **listing_pages(ctx),
            **rare_pages(ctx),
        }
    finally:
        ctx.close()
    figures.update(bench_app.list_memory(home))
    figures.update(bench_startup.main_window_memory(home, bench_app.PASSWORD))
    bare = [sys.executable, "-c", bench_startup.BARE_WINDOW]
    env = bench_startup._environment(None)
    figures["rss_bare_window_mb"] = statistics.median(
        bench_startup._measure(bare, env)[1] for _run in range(3)
    )
    return figures


BASELINES = {
    "search_median_ms": "search_like_scan_median_ms",
    "search_p95_ms": "search_like_scan_median_ms",
    "list_first_paint_ms": "list_plain_table_paint_ms",
    "list_scroll_step_median_ms": "list_plain_scroll_step_median_ms",
    "list_scroll_step_cpu_median_ms": "list_plain_scroll_step_cpu_median_ms",
    "rss_registry_mb": "rss_empty_table_mb",
    "rss_main_window_mb": "rss_bare_window_mb",
    "list_page_ms": "list_plain_page_ms",
    "list_page_next_ms": "list_plain_page_ms",
    "list_page_status_by_name_ms": "list_plain_page_ms",
    "list_page_status_by_name_next_ms": "list_plain_page_ms",
    "list_page_forum_ms": "list_plain_page_ms",
    "list_page_forum_next_ms": "list_plain_page_ms",
    "list_count_ms": "list_plain_page_ms",
    **{
        f"list_{kind}_{name}_ms": "list_plain_page_ms"
        for kind in ("page", "count")
        for name in (
            "rare_form",
            "rare_form_by_name",
            "own_records_none",
            "own_records_none_by_name",
            "own_records_all",
            "own_records_all_form",
        )
    },
    **{
        f"search_own_records_{name}_{kind}_ms": "search_like_scan_median_ms"
        for name in ("none", "all")
        for kind in ("median", "max")
    },
}


def main(homes: list[Path]) -> None:
    results = []
    for home in homes:
        print(f"[bench_large] measuring {home}…", file=sys.stderr, flush=True)
        results.append(measure(home))
    small, large = results[0], results[-1]
    names = [str(home) for home in homes]
    print(f"{'figure':44s} " + " ".join(f"{name[-14:]:>14s}" for name in names) + "   growth")
    for key in small:
        values = " ".join(f"{figures.get(key, 0.0):14.2f}" for figures in results)
        growth = large.get(key, 0.0) / small[key] if small[key] else 0.0
        print(f"{key:44s} {values} {growth:8.2f}  {BASELINES.get(key, '')}")


if __name__ == "__main__":
    main([Path(argument) for argument in sys.argv[1:]])
