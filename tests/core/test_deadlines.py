"""Deadlines tied to a record's own case (court.yaml); Rule 53(6) is a notice, not a deadline."""

from __future__ import annotations

from datetime import date

from app.core.court import load_court
from app.core.deadlines import (
    DEADLINE_RULES,
    NOT_PURSUED_NOTICE,
    DeadlineKind,
    RecordFacts,
    at_risk,
    intake_deadlines,
)


def _record(case_id: str | None, **changes: object) -> RecordFacts:
    values: dict[str, object] = {
        "application_id": "a1",
        "reference": "VSS-0000-0001-X",
        "name": "Sok",
        "status": "final",
        "case_id": case_id,
        "civil_party": True,
    }
    values.update(changes)
    return RecordFacts(**values)  # type: ignore[arg-type]


def test_only_the_named_case_counts() -> None:
    court = load_court()
    day = date(2010, 1, 20)
    (risk,) = at_risk(day, court.cases, [_record("case_002")])
    assert (risk.case.id, risk.kind, risk.due_date, risk.days_left) == (
        "case_002",
        DeadlineKind.CIVIL_PARTY,
        date(2010, 1, 29),
        9,
    )
    assert at_risk(day, court.cases, [_record(None)]) == []
    assert at_risk(day, court.cases, [_record("case_004")]) == []  # deadline not in the data
    assert at_risk(day, court.cases, [_record("case_002", civil_party=False)]) == []
    assert at_risk(day, court.cases, [_record("case_002", status="synced")]) == []
    # A deadline that had passed before the record was started is not a risk.
    assert at_risk(date(2026, 11, 30), court.cases, [_record("case_002")])[0].days_left < 0
    started = _record("case_002", started_on=date(2026, 11, 30))
    assert at_risk(date(2026, 11, 30), court.cases, [started]) == []


def test_case_003_grace_and_case_001_pre_2010_rule() -> None:
    court = load_court()
    (risk,) = at_risk(date(2011, 6, 1), court.cases, [_record("case_003")])
    assert risk.due_date == date(2011, 6, 8)
    (old,) = at_risk(date(2009, 1, 20), court.cases, [_record("case_001")])
    assert old.due_date == date(2009, 2, 2)


def test_intake_deadlines_of_the_case_only() -> None:
    case = load_court().case("case_002")
    found = intake_deadlines(date(2010, 2, 14), case, civil_party=True, protection=False)
    assert [(f.kind, f.days_left) for f in found] == [(DeadlineKind.CIVIL_PARTY, -16)]
    assert intake_deadlines(date(2010, 2, 14), case, civil_party=False, protection=True) == []
    assert intake_deadlines(date(2010, 2, 14), None, civil_party=True, protection=True) == []


def test_every_deadline_has_its_rule_and_source_and_53_6_is_a_notice() -> None:
    for rule in DEADLINE_RULES.values():
        assert rule.rule.startswith("Internal Rule") and "eccc.gov.kh" in rule.source
    assert NOT_PURSUED_NOTICE.rule == "Internal Rule 53(6)"
    assert "not a deadline for the complainant" in NOT_PURSUED_NOTICE.name.en
    assert set(DeadlineKind) == {DeadlineKind.CIVIL_PARTY, DeadlineKind.PROTECTIVE_MEASURES}
