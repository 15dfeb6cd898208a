"""Figures for the desktop app with a large store: search, list paint and scrolling, wizard,
start-up (tests/bench/bench_startup.py) and memory, at 100,000 and at 1,000,000 records.

The store is built once per run (tests/bench/bench_store.py: 500 applications through the real
import, the rest copied with SQL; its PASSWORD, RECORDS, build_store and add_copies are named
here too, for the benches that import them from this module). Each figure has a baseline from
the same run (a LIKE scan, an empty table, a plain Qt model, a plain stack, a bare Qt window).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from sqlalchemy import text

from app.services import form_catalogue, registry, word_index
from app.services.accounts import sign_in
from app.services.context import AppContext
from tests.bench.bench_store import PASSWORD, RECORDS, add_copies, build_store

LARGE_RECORDS = int(os.environ.get("VSS_BENCH_LARGE_RECORDS", "1000000"))  # 0: skip
SEARCHES = (
    "ដារ៉ា",  # Khmer given-name substring
    "សុខ ស",  # Khmer across the space
    "ណ្ណា",  # a cluster fragment
    "sok",  # Latin
    "pheap",  # Latin substring
    "ka",  # two characters (LIKE path)
    "ថ្មី",  # village words
    "VSS-BNCH-012345",  # a reference number as typed
    "Sophiep",  # a spelling variant of a name stored as Sopheap / សុភាព (phonetic keys)
    "Srey Mom",  # two words typed for one (ស្រីមុំ, Sreymom)
    "Sokha Chea",  # given name first: every word's key, in any order
)


def _median_ms(samples: list[float]) -> float:
    return 1000.0 * statistics.median(samples)


def _search_as_the_list_does(ctx: AppContext, query: registry.RegistryQuery) -> object:
    one_statement = getattr(registry, "search_registry", None)  # main had none before issue 20
    if one_statement is not None:
        return one_statement(ctx, query)
    total = registry.count_registry(ctx, query)
    return registry.list_registry(ctx, query, 0, 200, total)


def _p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return 1000.0 * ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


@contextmanager
def _word_index_used(used: bool) -> Iterator[None]:
    """Searches with the word index (as the app runs them) or with the trigram index alone (as
    before migration 0013, or while a store's words are still being indexed)."""
    if used:
        yield
        return
    with mock.patch.object(word_index, "words_ready", lambda _session: False):
        yield


FILTER = {"form_id": "complaint"}  # keeps one record in three (the bench's forms are a third)


def search_latency(ctx: AppContext, rounds: int = 5, filtered: bool = False) -> dict[str, float]:
    """A registry search as the list runs it (its number and first page) vs a LIKE scan, and
    vs the same search with the trigram index alone (the word index switched off, in turns);
    ``filtered``: with FILTER, each match joined to its application (search_filtered_*)."""
    samples: list[float] = []
    trigram_only: list[float] = []
    by_term: dict[str, list[float]] = {term: [] for term in SEARCHES}
    for number in range(rounds):
        for term in SEARCHES:
            query = registry.RegistryQuery(search=term, **(FILTER if filtered else {}))
            for words in (True, False) if number % 2 else (False, True):
                with _word_index_used(words):
                    start = time.perf_counter()
                    _search_as_the_list_does(ctx, query)
                    elapsed = time.perf_counter() - start
                if words:
                    by_term[term].append(elapsed)
                    samples.append(elapsed)
                else:
                    trigram_only.append(elapsed)
    median = _median_ms(samples)
    p95, p95_trigram = _p95_ms(samples), _p95_ms(trigram_only)
    figures = {
        "median_ms": median,
        "p95_ms": p95,
        "trigram_only_median_ms": _median_ms(trigram_only),
        "trigram_only_p95_ms": p95_trigram,
        # The p95 is set by the slowest terms: their median, to see which one it is (--store).
        "slowest_term_median_ms": max(_median_ms(times) for times in by_term.values()),
    }
    if filtered:
        return {f"search_filtered_{name}": value for name, value in figures.items()}
    baseline: list[float] = []
    with ctx.store.transaction() as session:
        for term in SEARCHES:
            start = time.perf_counter()
            session.execute(
                text("SELECT count(*) FROM application_search WHERE content LIKE :q"),
                {"q": f"%{term}%"},
            ).scalar()
            baseline.append(time.perf_counter() - start)
    like = _median_ms(baseline)
    return {
        **{f"search_{name}": value for name, value in figures.items()},
        "search_p95_vs_trigram_only_ratio": p95 / p95_trigram if p95_trigram else 0.0,
        "search_like_scan_median_ms": like,
        "search_vs_like_ratio": median / like if like else 0.0,
    }


def search_latency_by_term(ctx: AppContext, rounds: int = 5) -> dict[str, float]:
    """Each bench term's median search time (ms), to find what sets the p95."""
    times: dict[str, list[float]] = {term: [] for term in SEARCHES}
    for _round in range(rounds):
        for term in SEARCHES:
            start = time.perf_counter()
            _search_as_the_list_does(ctx, registry.RegistryQuery(search=term))
            times[term].append(time.perf_counter() - start)
    return {term: _median_ms(samples) for term, samples in times.items()}


def _qt() -> object:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.app import create_qt_application

    return create_qt_application()


def _paint_and_scroll(
    table: object, make: Callable[[], object], pause_ms: int = 15
) -> tuple[float, list[float], int, list[float]]:
    """First paint of a page (``make`` builds it), then 60 page-down steps, each timed on the UI
    thread (the view's scroll, any fetch, the repaint), with ``pause_ms`` between steps as a hand
    on a touchpad leaves (0: none, so work the list does while idle falls inside the next step);
    returns (first paint s, step seconds, rows listed at the end, each step's UI-thread CPU
    seconds: on a machine shared with other work the wall clock mostly measures waiting for a
    core)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    start = time.perf_counter()
    widget = make()
    widget.resize(1200, 800)  # type: ignore[attr-defined]
    widget.show()  # type: ignore[attr-defined]
    widget.grab()  # type: ignore[attr-defined]  # forces a paint of the visible rows
    QApplication.processEvents()
    first = time.perf_counter() - start
    view = table(widget)  # type: ignore[operator]
    bar = view.verticalScrollBar()
    steps: list[float] = []
    cpu: list[float] = []
    for _step in range(60):
        begin = time.perf_counter()
        begin_cpu = time.thread_time()
        bar.setValue(bar.value() + bar.pageStep())
        QApplication.processEvents()
        view.viewport().grab()
        steps.append(time.perf_counter() - begin)
        cpu.append(time.thread_time() - begin_cpu)
        if pause_ms:
            QTest.qWait(pause_ms)
    rows = view.model().rowCount()
    widget.close()  # type: ignore[attr-defined]
    return first, steps, rows, cpu


def _first_paint(make: Callable[[], object]) -> float:
    """Seconds from building a page (``make``) to its visible rows painted."""
    from PySide6.QtWidgets import QApplication

    start = time.perf_counter()
    widget = make()
    widget.resize(1200, 800)  # type: ignore[attr-defined]
    widget.show()  # type: ignore[attr-defined]
    widget.grab()  # type: ignore[attr-defined]
    QApplication.processEvents()
    elapsed = time.perf_counter() - start
    widget.close()  # type: ignore[attr-defined]
    return elapsed


PAINT_SAMPLES = 5


def list_first_paint(ctx: AppContext) -> dict[str, float]:
    """The registry page opened on the store, then scrolled; baseline: a plain QTableView on a
    QStandardItemModel of 2,000 rows in the same run. The first paint is the median of
    PAINT_SAMPLES openings, each beside one of the plain table (one paint alone varied 2x on a
    shared machine); the first opening, with the page's caches cold, is printed apart."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from app.ui.registry import RegistryPage

    _qt()
    form_catalogue.available_forms()  # the main window reads the forms at start, not the list

    def plain() -> QTableView:
        model = QStandardItemModel(2000, 7)
        for row in range(2000):
            for column in range(7):
                model.setItem(row, column, QStandardItem(f"{row}-{column} ស្រី សុខា"))
        view = QTableView()
        view.setModel(model)
        view.setProperty("keep", model)
        return view

    # Qt's table, fonts and style are warm when an officer opens the list from the main window.
    _first_paint(plain)
    firsts: list[float] = []
    base_firsts: list[float] = []
    for _sample in range(PAINT_SAMPLES):
        firsts.append(_first_paint(lambda: RegistryPage(ctx)))
        base_firsts.append(_first_paint(plain))
    _first, steps, rows, cpu = _paint_and_scroll(lambda page: page.table, lambda: RegistryPage(ctx))
    _base_first, base_steps, _rows, base_cpu = _paint_and_scroll(lambda view: view, plain)
    # The registry prepares the next page while idle (app/ui/row_pictures.py): the same steps
    # with no pause between them put that work inside the steps, as a key held down would.
    _f, held, _r, held_cpu = _paint_and_scroll(
        lambda page: page.table, lambda: RegistryPage(ctx), 0
    )
    _f, base_held, _r, base_held_cpu = _paint_and_scroll(lambda view: view, plain, 0)
    first, base_first = statistics.median(firsts), statistics.median(base_firsts)
    step, base_step = _median_ms(steps), _median_ms(base_steps)
    return {
        "list_first_paint_ms": 1000 * first,
        "list_first_paint_cold_ms": 1000 * firsts[0],
        "list_plain_table_paint_ms": 1000 * base_first,
        "list_vs_plain_ratio": first / base_first if base_first else 0.0,
        "list_scroll_step_median_ms": step,
        "list_scroll_step_max_ms": 1000 * max(steps),
        "list_plain_scroll_step_median_ms": base_step,
        "list_scroll_vs_plain_ratio": step / base_step if base_step else 0.0,
        "list_scroll_step_no_pause_median_ms": _median_ms(held),
        "list_plain_scroll_step_no_pause_median_ms": _median_ms(base_held),
        "list_scroll_step_cpu_median_ms": _median_ms(cpu),
        "list_plain_scroll_step_cpu_median_ms": _median_ms(base_cpu),
        "list_scroll_step_no_pause_cpu_median_ms": _median_ms(held_cpu),
        "list_plain_scroll_step_no_pause_cpu_median_ms": _median_ms(base_held_cpu),
        "list_rows_after_60_page_steps": float(rows),
    }


_LIST_MEMORY = """
import resource, sys
from pathlib import Path
from tests.bench import bench_app
bench_app._qt()
if sys.argv[2] == "registry":
    from app.services.accounts import sign_in
    from app.ui.registry import RegistryPage
    ctx = sign_in(Path(sys.argv[1]), "bench", bench_app.PASSWORD)
    bench_app._paint_and_scroll(lambda page: page.table, lambda: RegistryPage(ctx))
    # As the app does before it exits: the model may still be reading the page after the last
    # step, and a QThread destroyed while it runs aborts the process.
    from app.ui.worker import wait_for_running_tasks
    wait_for_running_tasks()
else:
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QTableView
    view = QTableView()
    view.setModel(QStandardItemModel(0, 7, view))
    bench_app._paint_and_scroll(lambda view: view, lambda: view)
# This process's own peak (VmHWM): ru_maxrss keeps the parent's peak across exec on Linux.
status = Path("/proc/self/status")
peak = [line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmHWM")]
print(int(peak[0]) / 1024 if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def list_memory(home: Path) -> dict[str, float]:
    """Peak memory (MB) of a fresh process that signs in, opens the registry and scrolls it as
    list_first_paint does; baseline: the same process with an empty QTableView. (The main
    window's figure also holds the start page, which reads every record's answers.)"""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    figures = {}
    for mode in ("registry", "empty_table"):
        out = subprocess.run(
            [sys.executable, "-c", _LIST_MEMORY, str(home), mode],
            env=env,
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        )
        figures[f"rss_{mode}_mb"] = float(out.stdout.strip().splitlines()[-1])
    return figures


def run(count: int = RECORDS, log: Callable[[str], None] = print) -> dict[str, float]:
    from tests.bench import bench_startup, bench_wizard

    os.environ.setdefault("VSS_OUTREACH_FAST_KDF", "0")
    large = LARGE_RECORDS if count >= RECORDS and count < LARGE_RECORDS else 0
    with tempfile.TemporaryDirectory(prefix="vss-bench-app-") as name:
        folder = Path(name)
        log(f"building a store of {count} records…")
        start = time.perf_counter()
        ctx = build_store(folder / "full", count)
        figures: dict[str, float] = {"build_store_s": time.perf_counter() - start}
        figures.update(search_latency(ctx))
        figures.update(search_latency(ctx, filtered=True))
        figures.update(list_first_paint(ctx))
        figures.update(bench_wizard.wizard_page_switch(ctx))
        figures.update(bench_wizard.wizard_open(ctx))
        ctx.close()
        figures.update(list_memory(folder / "full"))
        figures.update(bench_startup.startup(folder / "full", PASSWORD))
        if large:
            log(f"copying records up to {large}…")
            ctx = sign_in(folder / "full", "bench", PASSWORD)
            start = time.perf_counter()
            add_copies(ctx, large - count)
            elapsed = time.perf_counter() - start
            figures["copy_records_per_s"] = (large - count) / elapsed if elapsed else 0.0
            at_large = {**search_latency(ctx, rounds=3), **list_first_paint(ctx)}
            ctx.close()
            at_large.update(list_memory(folder / "full"))
            at_large.update(bench_startup.main_window_memory(folder / "full", PASSWORD))
            for key, value in at_large.items():
                figures[f"{key}_1m"] = value
            for key in (
                "search_median_ms",
                "search_p95_ms",
                "list_first_paint_ms",
                "list_scroll_step_median_ms",
                "rss_main_window_mb",
                "rss_registry_mb",
            ):
                if figures.get(key):
                    figures[f"{key}_growth_1m_vs_100k"] = at_large[key] / figures[key]
    return figures


def run_on_store(home: Path) -> dict[str, float]:
    """Search and list figures on a store kept from an earlier build (``--store DIR``; build
    one with ``--build DIR``), so a change can be measured again without copying a million
    rows each time."""
    ctx = sign_in(home, "bench", PASSWORD)
    try:
        for term, median in search_latency_by_term(ctx).items():
            print(f"  search {term!r}: median {median:.2f} ms")
        figures = {**search_latency(ctx), **search_latency(ctx, filtered=True)}
        figures.update(list_first_paint(ctx))
    finally:
        ctx.close()
    return {**figures, **list_memory(home)}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="bench_app")
    parser.add_argument("--build", type=Path, help="build a store of VSS_BENCH_RECORDS here")
    parser.add_argument("--store", type=Path, help="measure search and list on this store")
    args = parser.parse_args()
    if args.build:
        build_store(args.build).close()
    figures = run_on_store(args.store) if args.store else {} if args.build else run()
    for key, value in figures.items():
        print(f"{key:40s} {value:12.2f}")
