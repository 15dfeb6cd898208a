"""The court as data: ``assets/court.yaml`` and "what is true on date D?"."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.court import (
    CaseState,
    CourtDataError,
    court_on,
    load_court,
    parse_court,
)

TODAY_2026 = date(2026, 11, 30)


def test_bundled_file_loads_and_every_fact_has_a_source() -> None:
    court = load_court()
    assert court.residual_functions_until == date(2027, 12, 31)
    assert {c.id for c in court.cases} == {
        "case_001",
        "case_002",
        "case_003",
        "case_004",
        "case_004_1",
        "case_004_2",
    }
    for case in court.cases:
        assert case.charged, case.id
        for event in case.events:
            assert "." in event.source, (case.id, event)  # an address or a rule, never empty
    for phase in court.phases:
        assert phase.source


def test_in_2026_every_case_is_closed_and_nothing_accepts_civil_parties() -> None:
    now = court_on(TODAY_2026)
    assert now.phase.id == "residual"
    assert not now.open_cases
    assert now.any_accepting_civil_parties is False
    assert not now.proceedings_possible
    states = {c.case.id: c.state for c in now.cases}
    assert states == {
        "case_001": CaseState.FINAL,
        "case_002": CaseState.FINAL,
        "case_003": CaseState.TERMINATED,
        "case_004": CaseState.TERMINATED,
        "case_004_1": CaseState.DISMISSED,
        "case_004_2": CaseState.TERMINATED,
    }
    assert "31 December 2027" in court_on(date(2028, 1, 1)).phase.vss.en


def test_on_2010_01_20_case_002_accepts_civil_parties() -> None:
    then = court_on(date(2010, 1, 20))
    assert then.phase.id == "judicial"
    case_002 = then.case("case_002")
    assert case_002 is not None
    assert case_002.state is CaseState.OPEN
    assert case_002.accepts_civil_parties is True
    assert then.any_accepting_civil_parties is True
    assert then.proceedings_possible
    assert then.case("case_001").accepts_civil_parties is False  # type: ignore[union-attr]


def test_historic_civil_party_deadlines() -> None:
    court = load_court()
    case_002 = court.case("case_002")
    assert case_002 is not None and case_002.civil_party_last_day == date(2010, 1, 29)
    assert case_002.accepts_civil_parties_on(date(2010, 1, 29)) is True
    assert case_002.accepts_civil_parties_on(date(2010, 1, 30)) is False
    case_003 = court.case("case_003")
    assert case_003 is not None
    assert case_003.civil_party_deadline is not None
    assert case_003.civil_party_deadline.day == date(2011, 5, 18)
    assert case_003.civil_party_last_day == date(2011, 6, 8)  # three weeks' grace
    assert case_003.accepts_civil_parties_on(date(2011, 6, 8)) is True
    assert case_003.accepts_civil_parties_on(date(2011, 6, 9)) is False
    case_001 = court.case("case_001")
    assert case_001 is not None and case_001.civil_party_last_day == date(2009, 2, 2)
    assert case_001.accepts_civil_parties_on(date(2009, 2, 3)) is False


def test_a_case_without_a_recorded_deadline_is_not_known_until_it_closes() -> None:
    court = load_court()
    case_004 = court.case("case_004")
    assert case_004 is not None
    assert case_004.accepts_civil_parties_on(date(2015, 1, 1)) is None
    assert case_004.accepts_civil_parties_on(date(2021, 12, 28)) is False
    assert case_004.state_on(date(2009, 9, 6)) is CaseState.NOT_OPEN


MINIMAL = """
court:
  name: {km: តុលាការ, en: Court}
  residual_functions_until: 2027-12-31
  residual_source: somewhere.example
phases:
  - {id: judicial, from: null, until: 2022-12-31, name: {km: ក, en: a}, vss: {km: ក, en: a},
     complaints: {km: ក, en: a}, source: s.example}
cases:
  - id: case_x
    name: {km: ក, en: X}
    charged: [{km: ក, en: A}]
    events:
      - {kind: opened, date: 2010-01-01, label: {km: ក, en: a}, source: s.example}
"""


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("source: s.example}\ncases", "}\ncases", "source"),
        ("kind: opened", "kind: reopened", "'kind' must be one of"),
        ("date: 2010-01-01", "date: 2010-02-30", "not a real date"),
        ("charged:", "chargd:", "unknown key"),
        ("id: case_x", "id: Case X", "lower-case"),
        ("en: X}", "en: ''}", "no usable 'en'"),
    ],
)
def test_mistakes_are_reported_with_the_line(old: str, new: str, problem: str) -> None:
    assert old in MINIMAL
    with pytest.raises(CourtDataError) as raised:
        parse_court(MINIMAL.replace(old, new, 1))
    assert problem in str(raised.value)
    assert raised.value.file == "court.yaml"


def test_a_valid_minimal_file_and_a_huge_one() -> None:
    court = parse_court(MINIMAL)
    assert court.cases[0].accepts_civil_parties_on(date(2011, 1, 1)) is None
    with pytest.raises(CourtDataError, match="larger than"):
        parse_court(MINIMAL + "#" * 300_000)
    with pytest.raises(CourtDataError, match="not valid YAML"):
        parse_court("court: [")
