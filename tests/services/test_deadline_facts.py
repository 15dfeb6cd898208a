"""The deadline count on the derived columns (app.services.deadline_facts) finds exactly what the
count that decoded every record's answers found: drafts (saved or never saved), finals,
corrections, identity-protected records, both forms, several cases, the real day and training
days; a correction moves a record's facts; a store migrated from 0011 (no facts yet) is derived
on its first count, in chunks that can be stopped and resumed; a form read differently is
derived again. Real store files, real migrations."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import and_, event, func, select, text, update

from app.core.court import Court, CourtEvent, EventKind
from app.core.deadlines import RecordFacts, at_risk
from app.core.demo_answers import demo_answers
from app.core.errors import JobCancelled
from app.core.forms.model import Text
from app.core.record_court import is_civil_party, record_case
from app.services import court as court_service
from app.services import deadline_facts, followup, form_catalogue, records
from app.services.context import AppContext
from app.store.db import MIGRATIONS_DIR
from app.store.models import Application, ApplicationVersion, Setting

DAYS = (
    date(2009, 1, 20),  # Case 001 close
    date(2010, 1, 20),  # Case 002 close
    date(2010, 2, 5),  # Case 002 passed
    date(2011, 5, 20),  # Case 003 close
    date(2026, 11, 30),  # the app's day: every case closed
)


def _court_with_protection_deadline() -> Court:
    """The court file's cases, Case 002 with a protective measures deadline too (the file has
    none today; the rule is counted all the same)."""
    court = court_service.court()
    asked_by = CourtEvent(
        EventKind.PROTECTIVE_MEASURES_DEADLINE, date(2010, 1, 28), Text("ក", "a"), "test"
    )
    cases = tuple(
        replace(c, events=tuple(sorted((*c.events, asked_by), key=lambda e: e.day)))
        if c.id == "case_002"
        else c
        for c in court.cases
    )
    return replace(court, cases=cases)


def _old_count(ctx: AppContext, today: date, court: Court) -> list[Any]:
    """What the count found before the derived columns: every record's answers decoded."""
    with ctx.store.transaction() as session:
        rows = session.execute(
            select(Application, ApplicationVersion.answers).outerjoin(
                ApplicationVersion,
                and_(
                    ApplicationVersion.application_id == Application.id,
                    ApplicationVersion.version_no == Application.current_version,
                ),
            )
        ).all()
        facts = []
        for application, version_answers in rows:
            form = form_catalogue.form_definition(application.form_id)
            answers = version_answers or application.draft_answers or {}
            case = record_case(form, answers, court)
            created = application.created_at
            facts.append(
                RecordFacts(
                    application_id=application.id,
                    reference=application.reference,
                    name=" / ".join(n for n in (application.name_km, application.name_latin) if n),
                    status=application.status,
                    case_id=case.id if case else None,
                    civil_party=is_civil_party(form, answers),
                    identity_protected=bool(application.identity_protected),
                    started_on=created.date() if created.date() <= today else None,
                )
            )
    return [
        (r.application_id, r.case.id, str(r.kind), r.due_date, r.days_left)
        for r in at_risk(today, court.cases, facts)
    ]


def _new_count(ctx: AppContext, today: date, court: Court) -> list[Any]:
    return [
        (r.application_id, r.case_id, r.kind, r.due_date, r.days_left)
        for r in followup.records_at_risk(ctx, today, court=court)
    ]


def _store_of_every_kind(ctx: AppContext) -> dict[str, str]:
    made: dict[str, str] = {}
    rng = random.Random(20)
    civil = form_catalogue.form_definition("civil_party")
    complaint = form_catalogue.form_definition("complaint")
    for number, case in enumerate(("case_001", "case_002", "case_003", "unknown") * 2):
        answers = demo_answers(
            civil, rng, overrides={"case_file": case, "protection_requested": number % 3 == 0}
        )
        application_id = records.start_application(ctx, civil.id)
        records.finalize_application(ctx, application_id, answers)
        made[f"civil {case} {number}"] = application_id
    wanted = [("case_002", "civil_party"), ("case_002", "complainant"), ("case_001", "civil_party")]
    for seed in range(200):  # demo answers consistent with each participation, by seed
        if not wanted:
            break
        case, role = wanted[0]
        answers = demo_answers(
            complaint,
            random.Random(seed),
            overrides={"complaint_case": case, "protection_requested": role == "complainant"},
        )
        if answers.get("participation") != role:
            continue
        wanted.pop(0)
        application_id = records.start_application(ctx, complaint.id)
        records.finalize_application(ctx, application_id, answers)
        made[f"complaint {case} {role}"] = application_id
    assert not wanted
    draft = records.start_application(ctx, civil.id)
    records.save_draft(ctx, draft, {"case_file": "case_002", "protection_requested": True})
    made["draft"] = draft
    made["never saved"] = records.start_application(ctx, civil.id)
    records.import_applications(
        ctx, [(civil.id, demo_answers(civil, rng, overrides={"case_file": "case_002"}))]
    )
    return made


@pytest.fixture
def court() -> Court:
    return _court_with_protection_deadline()


def test_the_count_on_derived_columns_is_the_count_on_answers(
    ctx: AppContext, court: Court
) -> None:
    made = _store_of_every_kind(ctx)
    found = set()
    for day in DAYS:
        new = _new_count(ctx, day, court)
        assert new == _old_count(ctx, day, court), day
        found |= {(row[0], row[2]) for row in new}
    # The days chosen find records of each kind (so the comparison says something).
    assert {
        (made["draft"], "civil_party"),
        (made["draft"], "protective_measures"),
        (made["complaint case_002 civil_party"], "civil_party"),
        (made["complaint case_002 complainant"], "protective_measures"),
        (made["civil case_001 0"], "civil_party"),
    } <= found
    assert not {row for row in found if row[0] == made["never saved"]}
    # Records sent to the office no longer count; neither do they here.
    with ctx.store.transaction() as session:
        session.execute(
            update(Application)
            .where(Application.reference.is_not(None))
            .values(status="synced")
            .execution_options(synchronize_session=False)
        )
    for day in DAYS:
        assert _new_count(ctx, day, court) == _old_count(ctx, day, court), day


def test_a_correction_moves_the_records_facts(ctx: AppContext, court: Court) -> None:
    form = form_catalogue.form_definition("civil_party")
    answers = demo_answers(form, random.Random(3), overrides={"case_file": "case_002"})
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, answers)
    day = date(2010, 1, 20)
    assert [r[0] for r in _new_count(ctx, day, court)] == [application_id]
    records.correct_application(ctx, application_id, {**answers, "case_file": "unknown"}, "case")
    with ctx.store.transaction() as session:
        assert session.execute(
            select(Application.court_case, Application.civil_party).where(
                Application.id == application_id
            )
        ).one() == ("unknown", True)
    assert _new_count(ctx, day, court) == [] == _old_count(ctx, day, court)


def _config(ctx: AppContext) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = ctx.store.engine
    return config


def _missing(ctx: AppContext) -> int:
    with ctx.store.transaction() as session:
        return int(
            session.scalar(select(func.count()).where(Application.civil_party.is_(None))) or 0
        )


def test_a_store_from_0011_is_derived_on_its_first_count(
    ctx: AppContext, court: Court, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_of_every_kind(ctx)
    form = form_catalogue.form_definition("civil_party")
    records.import_applications(
        ctx,
        [
            (form.id, demo_answers(form, random.Random(n), overrides={"case_file": "case_002"}))
            for n in range(12)
        ],
    )
    expected = {day: _old_count(ctx, day, court) for day in DAYS}
    command.downgrade(_config(ctx), "0011")
    command.upgrade(_config(ctx), "0012")
    total = _missing(ctx)
    assert total >= 25  # the migration cannot read forms: every row waits for its facts

    monkeypatch.setattr(deadline_facts, "CHUNK", 10)
    looks: list[int] = []

    def stop_at_the_second_chunk() -> bool:
        looks.append(1)
        return len(looks) >= 2

    with pytest.raises(JobCancelled):
        followup.records_at_risk(ctx, DAYS[1], court=court, cancelled=stop_at_the_second_chunk)
    assert _missing(ctx) == total - 10  # the first chunk is kept
    for day in DAYS:
        assert _new_count(ctx, day, court) == expected[day], day
    assert _missing(ctx) == 0


def test_a_form_read_differently_is_derived_again(ctx: AppContext, court: Court) -> None:
    _store_of_every_kind(ctx)
    _new_count(ctx, DAYS[1], court)  # remembers how each form is read
    with ctx.store.transaction() as session:
        row = session.get(Setting, deadline_facts.FINGERPRINTS_SETTING)
        assert row is not None and set(row.value) >= {"civil_party", "complaint"}
        # As if an older release had read the complaint form another way, and left wrong facts.
        session.merge(Setting(key=row.key, value={**row.value, "complaint": "older"}))
        session.execute(
            text("UPDATE applications SET civil_party = 0, court_case = NULL WHERE form_id = :f"),
            {"f": "complaint"},
        )
    for day in DAYS:
        assert _new_count(ctx, day, court) == _old_count(ctx, day, court), day
    assert _missing(ctx) == 0


def test_the_rows_to_derive_are_read_from_their_partial_index(ctx: AppContext) -> None:
    """Only the rows still to derive are read (ix_applications_facts_missing: none once done),
    not every record of the forms from the form's own index (migration 0015), at each start."""
    statements: list[tuple[str, Any]] = []

    def seen(_conn, _cursor, statement, parameters, *_args) -> None:  # type: ignore[no-untyped-def]
        if "civil_party IS NULL" in statement and statement.lstrip().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(ctx.store.engine, "before_cursor_execute", seen)
    try:
        deadline_facts.derive_missing_facts(ctx.store)
    finally:
        event.remove(ctx.store.engine, "before_cursor_execute", seen)
    assert statements
    with ctx.store.engine.connect() as connection:
        for statement, parameters in statements:
            plan = [
                str(step[3])
                for step in connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, parameters
                )
            ]
            assert "ix_applications_facts_missing" in plan[0], plan
