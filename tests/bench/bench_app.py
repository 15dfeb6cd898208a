"""Figures for the desktop app with a large store: search, list paint, wizard, start-up, memory.

The 100,000-record store is built once per run: 2,000 applications go through the real import
(validation, reference numbers, versions, outbox, audit, search index), then their rows are
copied with SQL under new ids, names and references until the count is reached, so search and
listing see realistic, varied data without waiting for 100,000 validations. The copy is a
benchmark fixture only; the app never writes records that way.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from app.core.demo_answers import FAMILY_NAMES, GIVEN_NAMES, demo_answers
from app.core.name_match import name_keys
from app.services import form_catalogue, records, registry
from app.services.accounts import first_run_setup
from app.services.context import AppContext

RECORDS = int(os.environ.get("VSS_BENCH_RECORDS", "100000"))
SEED_RECORDS = 2000
PASSWORD = "bench password 1"
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


def build_store(home: Path, count: int = RECORDS) -> AppContext:
    """A signed-in store holding ``count`` final applications (see the module docstring)."""
    ctx, _code = first_run_setup(home, "bench", "Bench", PASSWORD, "Bench laptop", "km")
    rng = random.Random(7)
    forms = list(form_catalogue.available_forms().values())
    seed = min(SEED_RECORDS, count)
    items = [(f.id, demo_answers(f, rng)) for f in (rng.choice(forms) for _ in range(seed))]
    records.import_applications(ctx, items)
    copies = count - seed
    with ctx.store.transaction() as session:
        sources = session.execute(
            text(
                "SELECT a.id, s.content FROM applications a "
                "JOIN application_search s ON s.application_id = a.id"
            )
        ).all()
        columns = [
            row[1]
            for row in session.execute(text("PRAGMA table_info(applications)"))
            if row[1] not in ("id", "reference", "name_km", "name_latin")
        ]
        column_list = ", ".join(columns)
        for number in range(copies):
            source_id, content = sources[number % len(sources)]
            family_km, family_latin = rng.choice(FAMILY_NAMES)
            given_km, given_latin = rng.choice(GIVEN_NAMES)
            name_km = f"{family_km} {given_km}"
            name_latin = f"{family_latin} {given_latin}"
            new_id = str(uuid.uuid4())
            reference = f"VSS-BNCH-{number:06d}"
            session.execute(
                text(
                    f"INSERT INTO applications (id, reference, name_km, name_latin, {column_list}) "
                    f"SELECT :id, :ref, :km, :latin, {column_list} FROM applications WHERE id = :src"
                ),
                {
                    "id": new_id,
                    "ref": reference,
                    "km": name_km,
                    "latin": name_latin,
                    "src": source_id,
                },
            )
            session.execute(
                text("INSERT INTO application_search(application_id, content) VALUES (:id, :c)"),
                {
                    "id": new_id,
                    "c": f"{name_km} | {name_latin.lower()} | {' '.join(name_keys(name_km, name_latin))} | {_without_reference(content)} | {reference.replace('-', '').lower()}",
                },
            )
    return ctx


def _without_reference(content: str) -> str:
    """The copied index text minus the source's reference (the last part of the document)."""
    parts = content.split(" | ")
    return " | ".join(parts[:-1]) if parts and parts[-1].startswith("vss") else content


def search_latency(ctx: AppContext) -> dict[str, float]:
    """Median ms of a registry search (count + first page, as the list does) vs a LIKE scan."""
    samples: list[float] = []
    for _round in range(5):
        for term in SEARCHES:
            query = registry.RegistryQuery(search=term)
            start = time.perf_counter()
            total = registry.count_registry(ctx, query)  # as the registry list does
            registry.list_registry(ctx, query, 0, 200, total)
            samples.append(time.perf_counter() - start)
    baseline: list[float] = []
    with ctx.store.transaction() as session:
        for _round in range(3):
            for term in SEARCHES:
                start = time.perf_counter()
                session.execute(
                    text("SELECT count(*) FROM application_search WHERE content LIKE :q"),
                    {"q": f"%{term}%"},
                ).scalar()
                baseline.append(time.perf_counter() - start)
    median = _median_ms(samples)
    like = _median_ms(baseline)
    return {
        "search_median_ms": median,
        "search_p95_ms": 1000.0 * sorted(samples)[int(len(samples) * 0.95) - 1],
        "search_like_scan_median_ms": like,
        "search_vs_like_ratio": median / like if like else 0.0,
    }


def _qt() -> object:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.app import create_qt_application

    return create_qt_application()


def list_first_paint(ctx: AppContext) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication, QTableView

    from app.ui.registry import RegistryPage

    _qt()
    start = time.perf_counter()
    page = RegistryPage(ctx)
    page.resize(1200, 800)
    page.show()
    page.grab()  # forces a paint of the visible rows
    QApplication.processEvents()
    elapsed = time.perf_counter() - start
    scroll: list[float] = []
    bar = page.table.verticalScrollBar()
    for step in range(20):
        begin = time.perf_counter()
        bar.setValue(bar.maximum() * step // 20)
        QApplication.processEvents()
        page.table.viewport().grab()
        scroll.append(time.perf_counter() - begin)
    page.close()
    start = time.perf_counter()
    empty = QTableView()
    empty.resize(1200, 800)
    empty.show()
    empty.grab()
    QApplication.processEvents()
    baseline = time.perf_counter() - start
    empty.close()
    return {
        "list_first_paint_ms": 1000 * elapsed,
        "list_empty_table_paint_ms": 1000 * baseline,
        "list_scroll_step_median_ms": _median_ms(scroll),
        "list_vs_empty_ratio": elapsed / baseline if baseline else 0.0,
    }


def wizard_page_switch(ctx: AppContext) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget

    from app.ui.wizard.wizard import IntakeWizard

    _qt()
    application_id = records.start_application(ctx, "civil_party")
    wizard = IntakeWizard(ctx, application_id)
    wizard.resize(1100, 800)
    wizard.show()
    QApplication.processEvents()
    samples: list[float] = []
    for _round in range(3):
        for index in wizard._visible_page_indexes():
            start = time.perf_counter()
            wizard.show_page(index)
            wizard.grab()
            samples.append(time.perf_counter() - start)
    wizard.close()
    stack = QStackedWidget()
    for number in range(10):
        stack.addWidget(QLabel(f"page {number}"))
    stack.resize(1100, 800)
    stack.show()
    baseline: list[float] = []
    for number in range(30):
        start = time.perf_counter()
        stack.setCurrentIndex(number % 10)
        stack.grab()
        baseline.append(time.perf_counter() - start)
    median = _median_ms(samples)
    base = _median_ms(baseline)
    return {
        "wizard_page_switch_median_ms": median,
        "wizard_plain_stack_switch_ms": base,
        "wizard_vs_plain_ratio": median / base if base else 0.0,
    }


def _child_run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=300)
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak_kb, before) / 1024.0


def startup(home: Path, empty_home: Path) -> dict[str, float]:
    """Cold start to the first painted main window (sign-in included), and its memory."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "VSS_OUTREACH_PASSWORD": PASSWORD,
    }
    minimal = (
        "from PySide6.QtWidgets import QApplication, QWidget;"
        "from PySide6.QtCore import QTimer;"
        "a = QApplication([]); w = QWidget(); w.show();"
        "QTimer.singleShot(300, a.quit); a.exec()"
    )
    baseline, baseline_rss = _measure_isolated([sys.executable, "-c", minimal], env)
    app = [sys.executable, "-m", "app.main", "--user", "bench", "--quit-after-start"]
    # Each child is measured on its own (RUSAGE_CHILDREN keeps the peak of all children).
    cold_empty, rss_empty = _measure_isolated([*app, "--home", str(empty_home)], env)
    cold_full, rss_full = _measure_isolated([*app, "--home", str(home)], env)
    return {
        "cold_start_s": cold_empty,
        "cold_start_100k_s": cold_full,
        "minimal_qt_window_s": baseline,
        "cold_start_vs_minimal_ratio": cold_empty / baseline if baseline else 0.0,
        "rss_after_start_mb": rss_empty,
        "rss_with_100k_mb": rss_full,
        "rss_minimal_qt_mb": baseline_rss,
    }


def _measure_isolated(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    code = (
        "import resource, subprocess, sys, time, json;"
        "s = time.perf_counter();"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True);"
        "e = time.perf_counter() - s;"
        "print(json.dumps([e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, check=True, capture_output=True, text=True
    )
    import json

    elapsed, rss = json.loads(out.stdout.strip().splitlines()[-1])
    return float(elapsed), float(rss)


def run(count: int = RECORDS, log: Callable[[str], None] = print) -> dict[str, float]:
    os.environ.setdefault("VSS_OUTREACH_FAST_KDF", "0")
    with tempfile.TemporaryDirectory(prefix="vss-bench-app-") as name:
        folder = Path(name)
        log(f"building a store of {count} records…")
        start = time.perf_counter()
        ctx = build_store(folder / "full", count)
        figures: dict[str, float] = {"build_store_s": time.perf_counter() - start}
        start = time.perf_counter()
        seed_ctx = build_store(folder / "seed-only", 200)
        figures["import_200_records_s"] = time.perf_counter() - start
        seed_ctx.close()
        figures.update(search_latency(ctx))
        figures.update(list_first_paint(ctx))
        figures.update(wizard_page_switch(ctx))
        ctx.close()
        empty, _code = first_run_setup(folder / "empty", "bench", "Bench", PASSWORD, "B", "km")
        empty.close()
        figures.update(startup(folder / "full", folder / "empty"))
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:40s} {value:12.2f}")
