"""Deadlines as data: loading with clear errors, due dates, and the at-risk rules."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from app.core.deadlines import (
    Case,
    DeadlineFileError,
    DeadlineKind,
    RecordFacts,
    at_risk,
    deadlines_path,
    intake_deadlines,
    load_deadlines,
    parse_deadlines,
)
from app.core.forms import Text

CASE = """\
cases:
  - id: case_a
    name: {km: សំណុំរឿង ក, en: Case A}
    applies_to: [civil_party, complaint]
    investigation_end_notified: 2027-03-01
    protective_measures_deadline: 2027-02-10
"""


def _record(**changes: object) -> RecordFacts:
    values: dict[str, object] = {
        "application_id": "a1",
        "reference": "VSS-AAAA-0001-X",
        "name": "សុខ ដារ៉ា",
        "form_id": "civil_party",
        "status": "final",
    }
    values.update(changes)
    return RecordFacts(**values)  # type: ignore[arg-type]


def test_the_bundled_file_is_valid() -> None:
    cases = load_deadlines()
    assert cases and all(isinstance(case.name, Text) for case in cases)
    assert deadlines_path().name == "deadlines.yaml"


def test_civil_party_deadline_is_fifteen_days_after_the_notice() -> None:
    (case,) = parse_deadlines(CASE)
    assert case.civil_party_deadline == date(2027, 3, 16)
    assert case.complaint_not_pursued_notice_days == 30


def test_at_risk_lists_near_and_passed_deadlines_most_urgent_first() -> None:
    (case,) = parse_deadlines(CASE)
    records = [
        _record(),
        _record(application_id="a2", identity_protected=True),
        _record(application_id="a3", status="synced"),  # reached the office: safe
        _record(application_id="a4", form_id="other_form"),  # not of this case
    ]
    risks = at_risk(date(2027, 3, 1), [case], records, warn_days=30)
    assert [(r.application_id, r.kind, r.days_left) for r in risks] == [
        ("a2", DeadlineKind.PROTECTIVE_MEASURES, -19),
        ("a1", DeadlineKind.CIVIL_PARTY, 15),
        ("a2", DeadlineKind.CIVIL_PARTY, 15),
    ]
    assert at_risk(date(2027, 1, 1), [case], records, warn_days=30) == []


def test_complaint_not_pursued_counts_from_the_notice() -> None:
    (case,) = parse_deadlines(CASE.replace("investigation_end_notified: 2027-03-01", ""))
    rejected = _record(
        form_id="complaint",
        status="acknowledged",
        court_status="rejected",
        status_noticed_on=date(2027, 5, 1),
    )
    (risk,) = at_risk(date(2027, 5, 20), [case], [rejected])
    assert (risk.kind, risk.due_date, risk.days_left) == (
        DeadlineKind.COMPLAINT_NOT_PURSUED,
        date(2027, 5, 31),
        11,
    )


def test_intake_warns_for_civil_party_only_when_wanted() -> None:
    (case,) = parse_deadlines(CASE)
    after = date(2027, 4, 1)
    found = intake_deadlines(after, [case], "complaint", civil_party=True, protection=False)
    assert [(f.kind, f.days_left) for f in found] == [(DeadlineKind.CIVIL_PARTY, -16)]
    assert intake_deadlines(after, [case], "complaint", civil_party=False, protection=False) == []


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("cases:\n  - id: Bad Id\n    name: {km: ក, en: A}\n    applies_to: [x]\n", 2, "'id'"),
        (CASE.replace("2027-03-01", "1 March 2027"), 2, "YYYY-MM-DD"),
        (CASE.replace("en: Case A", "en: ''"), 3, "'en'"),
        (CASE + "    colour: red\n", 2, "colour"),
        (CASE + CASE.replace("cases:\n", ""), 7, "used twice"),
        ("cases:\n  - id: x\n    name: {km: ក, en: A}\n    applies_to: []\n", 2, "applies_to"),
        ("cases: [\n", 2, "not valid YAML"),
        ("deadlines: []\n", 1, "'cases:'"),
    ],
)
def test_mistakes_name_the_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(DeadlineFileError) as failure:
        parse_deadlines(text, Path("/somewhere/deadlines.yaml"))
    message = str(failure.value)
    assert message.startswith(f"deadlines.yaml, line {line}:"), message
    assert words in message


def test_an_edited_copy_changes_the_result_without_code(tmp_path: Path) -> None:
    copy = tmp_path / "deadlines.yaml"
    shutil.copy(deadlines_path(), copy)
    record = _record(form_id=load_deadlines(copy)[0].applies_to[0])
    today = date(2027, 6, 1)
    before = at_risk(today, load_deadlines(copy), [record])
    text = copy.read_text(encoding="utf-8")
    copy.write_text(
        text.replace("investigation_end_notified: null", "investigation_end_notified: 2027-05-25"),
        encoding="utf-8",
    )
    after = at_risk(today, load_deadlines(copy), [record])
    assert before == []
    assert [(r.kind, r.due_date) for r in after] == [(DeadlineKind.CIVIL_PARTY, date(2027, 6, 9))]
    assert isinstance(after[0].case, Case)
