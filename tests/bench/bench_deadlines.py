"""The deadline count (records close to a court deadline: the start page's tile and the Follow-up
page) at 100,000 records, beside a plain ``SELECT count(*)`` of the applications in the same run.

The store is bench_app's (500 applications through the real import, the rest copied with SQL),
and each copy is given the answers (a version) and the derived columns of one imported record
(``give_answers``): bench_app's copies have none, and a count that reads answers would skip them.
The count is timed as the app's day (2026: every case closed, every deadline long passed) and as
a training day in January 2010 (Case 002's civil party deadline close: many records at risk);
then the first count on a store whose deadline facts are not derived yet (just migrated from
0011: every row derived once), and, as the "before" of the same run, the count as it was until
migration 0012 (every visible record's answers decoded, then the same rules), once.

    python3 -m tests.bench.bench_deadlines             # build a store, print the figures
    python3 -m tests.bench.bench_deadlines --build DIR # keep a store to measure again
    python3 -m tests.bench.bench_deadlines --store DIR
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import and_, select, text

from app.core.deadlines import RecordFacts, at_risk
from app.core.record_court import is_civil_party, record_case
from app.services import access, followup, form_catalogue
from app.services import court as court_service
from app.services.accounts import sign_in
from app.services.context import AppContext
from app.store.models import Application, ApplicationVersion
from tests.bench.bench_app import PASSWORD, RECORDS, build_store

TRAINING_DAY = date(2010, 1, 20)  # Case 002 accepts civil parties until 29 January 2010
TODAY = date(2026, 11, 30)
ROUNDS = 3


def _median_ms(samples: list[float]) -> float:
    return 1000.0 * statistics.median(samples)


def _timed(call: Callable[[], object], rounds: int = ROUNDS) -> tuple[float, object]:
    samples: list[float] = []
    result: object = None
    for _round in range(rounds):
        start = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - start)
    return _median_ms(samples), result


def give_answers(ctx: AppContext) -> None:
    """Each copied application without a version gets the current version's answers and every
    derived column (all but the id, reference, names and change time, as bench_app copies them)
    of one imported application, chosen by rowid."""
    with ctx.store.transaction() as session:
        session.execute(
            text(
                "CREATE TEMP TABLE bench_seeds AS SELECT row_number() OVER (ORDER BY a.id) - 1 "
                "AS k, a.id, v.answers, v.form_version FROM applications a "
                "JOIN application_versions v ON v.application_id = a.id "
                "AND v.version_no = a.current_version WHERE a.reference NOT LIKE 'VSS-BNCH-%'"
            )
        )
        seeds = int(session.scalar(text("SELECT count(*) FROM bench_seeds")) or 1)
        session.execute(
            text(
                "CREATE TEMP TABLE bench_pairs AS SELECT a.id AS copy_id, s.id AS seed_id, "
                "s.answers, s.form_version FROM applications a "
                "JOIN bench_seeds s ON s.k = a.rowid % :seeds "
                "WHERE a.reference LIKE 'VSS-BNCH-%' AND NOT EXISTS (SELECT 1 FROM "
                "application_versions v WHERE v.application_id = a.id)"
            ),
            {"seeds": seeds},
        )
        session.execute(
            text(
                "INSERT INTO application_versions (id, application_id, version_no, form_version, "
                "answers, reason, created_by, created_at, content_sha256) "
                "SELECT lower(hex(randomblob(16))), copy_id, 1, form_version, answers, NULL, "
                "NULL, '2026-11-30 08:00:00.000000', '' FROM bench_pairs"
            )
        )
        columns = [
            row[1]
            for row in session.execute(text("PRAGMA table_info(applications)"))
            if row[1] not in ("id", "reference", "name_km", "name_latin", "updated_at")
        ]
        assigned = ", ".join(f"{name} = src.{name}" for name in columns)
        session.execute(
            text(
                f"UPDATE applications SET {assigned} FROM bench_pairs p "
                "JOIN applications src ON src.id = p.seed_id WHERE applications.id = p.copy_id"
            )
        )
        session.execute(text("DROP TABLE bench_pairs"))
        session.execute(text("DROP TABLE bench_seeds"))


def deadline_figures(ctx: AppContext) -> dict[str, float]:
    def plain_count() -> object:
        with ctx.store.transaction() as session:
            return session.scalar(text("SELECT count(*) FROM applications"))

    baseline, _count = _timed(plain_count, rounds=5)
    today_ms, today = _timed(lambda: followup.records_at_risk(ctx, TODAY))
    training_ms, training = _timed(lambda: followup.records_at_risk(ctx, TRAINING_DAY))
    assert isinstance(today, list) and isinstance(training, list)
    before_ms, before = _timed(lambda: count_decoding_answers(ctx, TODAY), rounds=1)
    assert before == len(today)
    with ctx.store.transaction() as session:  # as just after migration 0012
        session.execute(text("UPDATE applications SET civil_party = NULL"))
    derive_ms, derived = _timed(lambda: followup.records_at_risk(ctx, TODAY), rounds=1)
    assert derived == today
    return {
        "deadline_plain_count_ms": baseline,
        "deadline_count_ms": today_ms,
        "deadline_count_training_day_ms": training_ms,
        "deadline_count_training_day_records": float(len(training)),
        "deadline_count_vs_plain_ratio": today_ms / baseline if baseline else 0.0,
        "deadline_count_before_0012_ms": before_ms,
        "deadline_count_before_vs_after_ratio": before_ms / today_ms if today_ms else 0.0,
        "deadline_first_count_deriving_all_ms": derive_ms,
    }


def count_decoding_answers(ctx: AppContext, today: date) -> int:
    """The count as it was before migration 0012 (the "before" of this run): every visible
    record read with its answers, decoded, its case and role found, then the same rules."""
    court = court_service.court()
    with ctx.store.transaction() as session:
        followup.note_status_changes(session, today)
    statement = access.visible_applications(
        select(Application, ApplicationVersion.answers).outerjoin(
            ApplicationVersion,
            and_(
                ApplicationVersion.application_id == Application.id,
                ApplicationVersion.version_no == Application.current_version,
            ),
        ),
        ctx,
    )
    facts = []
    with ctx.store.transaction() as session:
        for application, version_answers in session.execute(statement):
            form = form_catalogue.form_definition(application.form_id)
            answers = version_answers or application.draft_answers or {}
            case = record_case(form, answers, court)
            created = application.created_at.date()
            facts.append(
                RecordFacts(
                    application.id,
                    application.reference,
                    application.name_km,
                    application.status,
                    case.id if case else None,
                    is_civil_party(form, answers),
                    bool(application.identity_protected),
                    created if created <= today else None,
                )
            )
    return len(at_risk(today, court.cases, facts))


def run(count: int = RECORDS) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="vss-bench-deadlines-") as name:
        ctx = build_store(Path(name) / "home", count)
        give_answers(ctx)
        try:
            return deadline_figures(ctx)
        finally:
            ctx.close()


def run_on_store(home: Path) -> dict[str, float]:
    ctx = sign_in(home, "bench", PASSWORD)
    try:
        return deadline_figures(ctx)
    finally:
        ctx.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="bench_deadlines")
    parser.add_argument("--build", type=Path, help="build a store of VSS_BENCH_RECORDS here")
    parser.add_argument("--store", type=Path, help="measure on this store")
    args = parser.parse_args()
    if args.build:
        built = build_store(args.build)
        give_answers(built)
        built.close()
    figures = run_on_store(args.store) if args.store else {} if args.build else run()
    for key, value in figures.items():
        print(f"{key:46s} {value:12.2f}")
