"""Follow-up on a real store: the at-risk list follows the deadlines file; intake warnings."""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update

from app.core.deadlines import deadlines_path
from app.core.demo_answers import demo_answers
from app.i18n import set_language
from app.services import followup, form_catalogue, records
from app.services.context import AppContext
from app.store.models import Application


def _final(ctx: AppContext, form_id: str, seed: int) -> tuple[str, str]:
    form = form_catalogue.form_definition(form_id)
    application_id = records.start_application(ctx, form.id)
    answers = demo_answers(form, random.Random(seed), overrides={"protection_requested": False})
    return application_id, records.finalize_application(ctx, application_id, answers)


def _deadlines(tmp_path: Path, notified: str | None = None, protective: str | None = None) -> Path:
    copy = tmp_path / "deadlines.yaml"
    shutil.copy(deadlines_path(), copy)
    text = copy.read_text(encoding="utf-8")
    if notified:
        text = text.replace(
            "investigation_end_notified: null", f"investigation_end_notified: {notified}"
        )
    if protective:
        text = text.replace(
            "protective_measures_deadline: null", f"protective_measures_deadline: {protective}"
        )
    copy.write_text(text, encoding="utf-8")
    return copy


def test_editing_the_deadlines_file_changes_the_at_risk_list(
    ctx: AppContext, tmp_path: Path
) -> None:
    first, reference = _final(ctx, "civil_party", 1)
    sent, _ = _final(ctx, "civil_party", 2)
    with ctx.store.transaction() as session:
        session.execute(update(Application).where(Application.id == sent).values(status="synced"))
    today = date(2027, 6, 1)
    copy = _deadlines(tmp_path)
    assert followup.records_at_risk(ctx, today, deadlines_file=copy) == []

    copy = _deadlines(tmp_path, notified="2027-05-25")
    risks = followup.records_at_risk(ctx, today, deadlines_file=copy)
    assert [(r.application_id, r.reference, r.due_date, r.days_left) for r in risks] == [
        (first, reference, date(2027, 6, 9), 8)
    ]
    assert "២៣bis" in risks[0].deadline_name and risks[0].kind == "civil_party"
    # Further away than the warning period: not listed.
    assert followup.records_at_risk(ctx, date(2027, 1, 1), deadlines_file=copy) == []


def test_rejected_complaints_get_thirty_days_from_when_the_status_arrived(
    ctx: AppContext, tmp_path: Path
) -> None:
    application_id, _ = _final(ctx, "complaint", 3)
    copy = _deadlines(tmp_path)
    assert followup.records_at_risk(ctx, date(2027, 5, 1), deadlines_file=copy) == []
    with ctx.store.transaction() as session:
        session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values(status="acknowledged", court_status="rejected")
        )
    # The first list after the status came in notes the day; later lists count from it.
    assert followup.records_at_risk(ctx, date(2027, 5, 2), warn_days=0, deadlines_file=copy) == []
    (risk,) = followup.records_at_risk(ctx, date(2027, 5, 20), deadlines_file=copy)
    assert (risk.application_id, risk.due_date, risk.days_left) == (
        application_id,
        date(2027, 6, 1),
        12,
    )


def test_a_broken_file_gives_a_translated_error_naming_the_line(
    ctx: AppContext, tmp_path: Path
) -> None:
    copy = _deadlines(tmp_path, notified="2027-02-30")
    with pytest.raises(followup.DeadlinesError) as failure:
        followup.records_at_risk(ctx, date(2027, 3, 1), deadlines_file=copy)
    assert "deadlines.yaml, line" in str(failure.value)


def test_intake_warns_when_the_civil_party_deadline_has_passed(tmp_path: Path) -> None:
    set_language("en")
    form = form_catalogue.form_definition("civil_party")
    answers = demo_answers(form, random.Random(4), overrides={"protection_requested": False})
    copy = _deadlines(tmp_path, notified="2027-05-25")
    (warning,) = followup.intake_deadline_warning(
        form, answers, date(2027, 6, 20), deadlines_file=copy
    )
    assert "passed" in warning and "2027" in warning
    assert (
        followup.intake_deadline_warning(form, answers, date(2027, 1, 1), deadlines_file=copy) == []
    )
    set_language("km")
    (khmer,) = followup.intake_deadline_warning(
        form, answers, date(2027, 6, 20), deadlines_file=copy
    )
    assert "២០២៧" in khmer
