"""The office's list on the laptop: search by a Latin spelling in a synthetic list of 10,000 people
(target < 50 ms), beside a LIKE on the same trigram index (FTS5 answers it from the index) as the baseline; and the time to store a
list (once per list received, in the sync job).

    python3 -m tests.bench.bench_civil_parties
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from app.services import civil_parties
from app.services.context import AppContext, open_app
from tests.civil_party_data import synthetic_people
from tests.officers import FIELD_OFFICER, add_officers

PEOPLE = 10_000
# Latin spellings of Khmer-only names, and a number typed differently.
SEARCHES = ("Sophiep Heng", "Sreymom", "Dara", "Vutthy", "Chan Thy", "d22/1 00042")


def _median_ms(samples: list[float]) -> float:
    return 1000.0 * statistics.median(samples)


def run(count: int = PEOPLE) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        ctx: AppContext = open_app(Path(folder) / "home")
        try:
            add_officers(ctx, (FIELD_OFFICER,))
            ctx.officer = FIELD_OFFICER
            people = [p for p in (q.for_laptop() for q in synthetic_people(count)) if p]
            start = time.perf_counter()
            with ctx.store.transaction() as session:
                civil_parties.store_list(session, people, {"provinces": ["03", "12"]})
            stored_s = time.perf_counter() - start
            samples: list[float] = []
            for _round in range(5):
                for term in SEARCHES:
                    start = time.perf_counter()
                    civil_parties.search_people(ctx, term)
                    samples.append(time.perf_counter() - start)
            baseline: list[float] = []
            with ctx.store.transaction() as session:
                for _round in range(3):
                    for term in SEARCHES:
                        start = time.perf_counter()
                        session.execute(
                            text("SELECT count(*) FROM listed_people_search WHERE content LIKE :q"),
                            {"q": f"%{term.lower()}%"},
                        ).scalar()
                        baseline.append(time.perf_counter() - start)
        finally:
            ctx.close()
    median, like = _median_ms(samples), _median_ms(baseline)
    return {
        "list_people": float(len(people)),
        "list_search_median_ms": median,
        "list_search_p95_ms": 1000.0 * sorted(samples)[int(len(samples) * 0.95) - 1],
        "list_like_on_the_index_median_ms": like,
        "list_search_vs_like_ratio": median / like if like else 0.0,
        "list_store_s": stored_s,
    }


if __name__ == "__main__":
    for key, value in run(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE).items():
        print(f"{key:36s} {value:10.2f}")
