"""Follow-up on a real store: only a record's own case deadlines apply, as true on the app's day;
Rule 53(6) is never counted down; intake notes for closed cases and close deadlines."""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update

from app.core import clock
from app.core.demo_answers import demo_answers
from app.core.resources import RESOURCE_ROOT_ENV, resource_root
from app.i18n import set_language
from app.services import followup, form_catalogue, records
from app.services.context import AppContext
from app.store.models import Application

DAY_2010 = date(2010, 1, 20)  # Case 002 accepts civil parties until 29 January 2010
# The day the tests run, as the app counts it: records made now are started on it (their UTC
# stamps read as the laptop's day), so asking as of a fixed earlier day would count them as on a
# training day in the past.
TODAY = clock.today()


def _final(ctx: AppContext, form_id: str, seed: int, **overrides: object) -> tuple[str, str]:
    form = form_catalogue.form_definition(form_id)
    application_id = records.start_application(ctx, form.id)
    answers = demo_answers(
        form, random.Random(seed), overrides={"protection_requested": False, **overrides}
    )
    return application_id, records.finalize_application(ctx, application_id, answers)


def test_only_the_records_own_case_deadline_applies(ctx: AppContext) -> None:
    first, reference = _final(ctx, "civil_party", 1, case_file="case_002")
    _final(ctx, "civil_party", 2, case_file="case_003")  # due 8 June 2011: not yet close
    _final(ctx, "civil_party", 3, case_file="unknown")  # no case: no case deadline
    sent, _ = _final(ctx, "civil_party", 4, case_file="case_002")
    with ctx.store.transaction() as session:
        session.execute(update(Application).where(Application.id == sent).values(status="synced"))

    risks = followup.records_at_risk(ctx, DAY_2010)
    assert [(r.application_id, r.reference, r.due_date, r.days_left) for r in risks] == [
        (first, reference, date(2010, 1, 29), 9)
    ]
    assert risks[0].kind == "civil_party" and risks[0].case_id == "case_002"
    # Each deadline is shown with its rule and its source.
    assert "Rule 23bis(2)" in risks[0].deadline_name
    assert "eccc.gov.kh/km/topic/1266" in risks[0].deadline_name
    # Case 003's deadline (18 May 2011 plus three weeks) comes into the window later.
    late = followup.records_at_risk(ctx, date(2011, 5, 20))
    assert {(r.case_id, r.due_date) for r in late} >= {("case_003", date(2011, 6, 8))}
    # Run as of today (2026): the deadlines passed before the records were taken: no risk.
    assert followup.records_at_risk(ctx, TODAY) == []


def test_a_rejected_complaint_is_never_counted_down(ctx: AppContext) -> None:
    application_id, _ = _final(ctx, "complaint", 3, complaint_case="case_002")
    with ctx.store.transaction() as session:
        session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values(status="acknowledged", court_status="rejected")
        )
    # Rule 53(6) obliges the Co-Prosecutors to notify; it gives the complainant no window.
    for day in (DAY_2010, date(2010, 2, 10), TODAY):
        assert followup.records_at_risk(ctx, day, warn_days=10_000) == []


def test_a_broken_court_file_gives_a_translated_error_naming_the_line(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "resources"
    shutil.copytree(resource_root() / "forms", root / "forms")
    (root / "assets").mkdir(parents=True)
    text = (resource_root() / "assets" / "court.yaml").read_text(encoding="utf-8")
    (root / "assets" / "court.yaml").write_text(
        text.replace("date: 2010-01-14", "date: 2010-02-30"), encoding="utf-8"
    )
    monkeypatch.setenv(RESOURCE_ROOT_ENV, str(root))
    with pytest.raises(followup.DeadlinesError) as failure:
        followup.records_at_risk(ctx, DAY_2010)
    assert "court.yaml, line" in str(failure.value)


def test_intake_notes_follow_the_case_and_the_day() -> None:
    set_language("en")
    form = form_catalogue.form_definition("civil_party")
    answers = demo_answers(
        form,
        random.Random(4),
        overrides={"protection_requested": False, "case_file": "case_002"},
    )
    (close,) = followup.intake_deadline_warning(form, answers, DAY_2010)
    assert "in 9 days" in close and "Rule 23bis(2)" in close
    (closed_then,) = followup.intake_deadline_warning(form, answers, date(2010, 2, 1))
    assert "does not accept civil party applications" in closed_then
    assert "for the record and the archive" in closed_then
    (closed_now,) = followup.intake_deadline_warning(form, answers, TODAY)
    assert "22 September 2022" in closed_now and "for the record and the archive" in closed_now

    unknown = {**answers, "case_file": "unknown"}
    (none_accepting,) = followup.intake_deadline_warning(form, unknown, TODAY)
    assert "No case accepts civil party applications" in none_accepting
    assert followup.intake_deadline_warning(form, unknown, DAY_2010) == []

    complaint = form_catalogue.form_definition("complaint")
    complaint_answers = demo_answers(
        complaint,
        random.Random(5),
        overrides={"protection_requested": False, "participation": "complainant"},
    )
    (phase_note,) = followup.intake_deadline_warning(complaint, complaint_answers, TODAY)
    assert "cannot start a prosecution" in phase_note
    set_language("km")
    (khmer,) = followup.intake_deadline_warning(form, answers, DAY_2010)
    assert "២០១០" in khmer
