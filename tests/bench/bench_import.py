"""Bulk import (``demo-data``, paper forms typed in later): records per second through the real
``records.import_applications`` into a real SQLCipher store, beside a baseline from the same run.

The baseline is the store's floor for the same amount of data: the same number of rows (the
answers as JSON, and the search text the import makes of them) written with plain
``executemany`` into a scratch table and a scratch trigram index in the same store, in chunks of
the same size, one transaction per chunk.
What the import adds above that is validation, reference numbers, versions and their digests,
the outbox, the audit chain, direct victims and the registry columns. The import runs as the app
runs it (on a machine with two cores, each chunk's records are checked on the second core while
the chunk before is written: app/services/import_checks.py), then again into a new store the
other way (``import_one_core_records_per_s`` or ``import_second_core_records_per_s``), to show
what the second core brings on the machine as loaded at the time. An import of fewer than
``import_checks.WORKER_MIN_CHUNKS`` chunks (``--quick``'s 1,000 records) starts no worker, so
that second run is left out there.

The answers are made beforehand (not timed): ``DISTINCT_ANSWERS`` different demo applications,
cycled up to the count, so a large run does not spend minutes making answers.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.services.context import AppContext

# The app's modules are imported where they are used: the import's worker process (started by
# spawning, which loads the main module again) then starts as in the app, whose main module
# (app.main) is light, even when this file is run as the main module.

RECORDS = 10_000
QUICK_RECORDS = 1_000
DISTINCT_ANSWERS = 1_000
PASSWORD = "bench password 1"


def demo_items(count: int, seed: int = 20) -> list[tuple[str, dict[str, Any]]]:
    """``count`` (form id, answers) pairs as ``demo-data`` makes them (places from the gazetteer)."""
    from app.core.demo_answers import demo_answers
    from app.services import form_catalogue
    from app.services.places import random_place

    rng = random.Random(seed)
    forms = list(form_catalogue.available_forms().values())
    distinct = [
        (form.id, demo_answers(form, rng, pick_place=random_place))
        for form in (rng.choice(forms) for _ in range(min(count, DISTINCT_ANSWERS)))
    ]
    return [distinct[number % len(distinct)] for number in range(count)]


def plain_executemany(ctx: AppContext, items: list[tuple[str, dict[str, Any]]]) -> float:
    """Seconds to write the same number of rows with plain executemany (the baseline)."""
    from sqlalchemy import text

    from app.services import form_catalogue, records
    from app.services.search_index import derived_values

    rows = [
        {"id": f"{number:036d}", "answers": json.dumps(answers, ensure_ascii=False)}
        for number, (_form, answers) in enumerate(items)
    ]
    forms = form_catalogue.available_forms()
    documents = [  # the search text the import writes for the same answers
        {"id": row["id"], "content": derived_values(forms[form_id], None, answers)[1]}
        for row, (form_id, answers) in zip(rows, items, strict=True)
    ]
    with ctx.store.transaction() as session:
        session.execute(text("CREATE TABLE bench_rows (id TEXT PRIMARY KEY, answers TEXT)"))
        session.execute(
            text(
                "CREATE VIRTUAL TABLE bench_search USING fts5("
                "id UNINDEXED, content, tokenize='trigram')"
            )
        )
    start = time.perf_counter()
    for first in range(0, len(rows), records.IMPORT_CHUNK):
        with ctx.store.transaction() as session:
            session.execute(
                text("INSERT INTO bench_rows VALUES (:id, :answers)"),
                rows[first : first + records.IMPORT_CHUNK],
            )
            session.execute(
                text("INSERT INTO bench_search VALUES (:id, :content)"),
                documents[first : first + records.IMPORT_CHUNK],
            )
    return time.perf_counter() - start


def _timed_import(ctx: AppContext, items: list[tuple[str, dict[str, Any]]]) -> tuple[int, float]:
    from app.services import records

    start = time.perf_counter()
    imported = records.import_applications(ctx, items)
    return imported, time.perf_counter() - start


def _import_into_new_store(
    items: list[tuple[str, dict[str, Any]]], second_core: bool
) -> tuple[int, float]:
    from app.services import import_checks
    from app.services.accounts import first_run_setup

    chosen = import_checks.SECOND_CORE
    with tempfile.TemporaryDirectory(prefix="vss-bench-import-") as name:
        ctx, _code = first_run_setup(Path(name), "bench", "Bench", PASSWORD, "Bench", "km")
        try:
            import_checks.SECOND_CORE = second_core
            return _timed_import(ctx, items)
        finally:
            import_checks.SECOND_CORE = chosen
            ctx.close()


def run(count: int = RECORDS, log: Callable[[str], None] = print) -> dict[str, float]:
    """The import as the app runs it, then (on a machine with two cores) the same records into
    a new store with their checks on a second core."""
    from app.services import import_checks, records
    from app.services.accounts import first_run_setup

    os.environ.setdefault("VSS_OUTREACH_FAST_KDF", "0")
    log(f"making {min(count, DISTINCT_ANSWERS)} demo applications…")
    items = demo_items(count)
    with tempfile.TemporaryDirectory(prefix="vss-bench-import-") as name:
        ctx, _code = first_run_setup(Path(name), "bench", "Bench", PASSWORD, "Bench", "km")
        try:
            baseline = plain_executemany(ctx, items)
            log(f"importing {count} records…")
            imported, elapsed = _timed_import(ctx, items)
        finally:
            ctx.close()
    rate = imported / elapsed if elapsed else 0.0
    plain = count / baseline if baseline else 0.0
    results = {
        "import_records": float(imported),
        "import_records_per_s": rate,
        "import_plain_rows_per_s": plain,
        "import_vs_plain_ratio": plain / rate if rate else 0.0,
    }
    worker_from = import_checks.WORKER_MIN_CHUNKS * records.IMPORT_CHUNK - records.IMPORT_CHUNK + 1
    if count < worker_from:
        log(f"{count} records: too few for a worker (from {worker_from}), one core both ways")
    elif import_checks.second_core_available():
        other = not import_checks.SECOND_CORE
        log(
            f"importing {count} records into a new store, {'with' if other else 'without'} a second core…"
        )
        apart, apart_elapsed = _import_into_new_store(items, second_core=other)
        figure = "second_core" if other else "one_core"
        results[f"import_{figure}_records_per_s"] = apart / apart_elapsed
    return results


if __name__ == "__main__":
    import sys

    size = int(sys.argv[1]) if len(sys.argv) > 1 else RECORDS
    for key, value in run(size).items():
        print(f"{key:32s} {value:12.2f}")
