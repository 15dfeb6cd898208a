"""Tests for app.core.jurisdiction: period boundaries, partial overlaps and role notes."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.approx_date import ApproxDate
from app.core.jurisdiction import (
    LEGAL_BASIS,
    PERIOD_END,
    PERIOD_START,
    CrimeAgainstHumanityKind,
    CrimeCategory,
    ScreeningNote,
    screen,
)
from app.core.khmer_text import is_khmer

ANY_CRIME = [CrimeCategory.HOMICIDE]
IN_FROM = date(1977, 1, 1)
IN_TO = date(1977, 2, 1)


def _codes(notes: list[ScreeningNote]) -> list[str]:
    return [note.code for note in notes]


def _date_codes(earliest: date | None, latest: date | None) -> list[str]:
    notes = screen(earliest=earliest, latest=latest, crimes=ANY_CRIME)
    return [code for code in _codes(notes) if code.startswith("date.")]


def test_period_is_the_one_in_article_1() -> None:
    assert date(1975, 4, 17) == PERIOD_START
    assert date(1979, 1, 6) == PERIOD_END


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(1975, 4, 16), ["date.before_period"]),
        (date(1975, 4, 17), []),
        (date(1979, 1, 6), []),
        (date(1979, 1, 7), ["date.after_period"]),
    ],
)
def test_single_day_boundaries(day: date, expected: list[str]) -> None:
    assert _date_codes(day, day) == expected


@pytest.mark.parametrize(
    ("earliest", "latest"),
    [
        (date(1975, 4, 16), date(1975, 4, 17)),
        (date(1979, 1, 6), date(1979, 1, 7)),
        (date(1970, 1, 1), date(1980, 12, 31)),
        (date(1974, 1, 1), date(1975, 12, 31)),  # "in 1974 or 1975"
    ],
)
def test_ranges_straddling_a_boundary_are_partly_inside(earliest: date, latest: date) -> None:
    notes = screen(earliest=earliest, latest=latest, crimes=ANY_CRIME)
    assert _codes(notes) == ["date.partly_inside"]
    assert notes[0].severity == "info"


def test_ranges_entirely_outside_warn() -> None:
    assert _date_codes(date(1970, 3, 18), date(1975, 4, 16)) == ["date.before_period"]
    assert _date_codes(date(1979, 1, 7), date(1989, 12, 31)) == ["date.after_period"]
    warning = screen(earliest=date(1980, 1, 1), latest=date(1980, 6, 1), crimes=ANY_CRIME)[0]
    assert warning.severity == "warning"
    assert "6 January 1979" in warning.message_en
    assert "ECCC Law, Article 1" in warning.message_en
    assert warning.source == "ECCC Law, Article 1"


def test_a_whole_year_inside_gives_no_date_note() -> None:
    assert _date_codes(date(1977, 1, 1), date(1977, 12, 31)) == []


def test_unknown_dates_ask_for_an_estimate() -> None:
    notes = screen(earliest=None, latest=None, crimes=ANY_CRIME)
    assert _codes(notes) == ["date.unknown"]
    assert notes[0].severity == "info"
    assert "estimate" in notes[0].message_en


def test_one_unknown_end() -> None:
    assert _date_codes(None, date(1976, 1, 1)) == ["date.one_end_unknown"]
    assert _date_codes(date(1978, 1, 1), None) == ["date.one_end_unknown"]
    # An open end cannot bring a range back into the period.
    assert _date_codes(None, date(1975, 4, 16)) == ["date.before_period"]
    assert _date_codes(date(1979, 1, 7), None) == ["date.after_period"]


def test_reversed_range_asks_to_check() -> None:
    assert _date_codes(date(1978, 1, 1), date(1976, 1, 1)) == ["date.reversed"]


def test_crime_notes() -> None:
    assert _codes(screen(earliest=IN_FROM, latest=IN_TO)) == ["crime.none"]
    assert _codes(screen(earliest=IN_FROM, latest=IN_TO, crimes=[CrimeCategory.OTHER])) == [
        "crime.other"
    ]
    assert _codes(screen(earliest=IN_FROM, latest=IN_TO, crimes=[CrimeCategory.GENOCIDE])) == [
        "crime.genocide_group"
    ]
    assert screen(earliest=IN_FROM, latest=IN_TO, crimes=[CrimeCategory.FORCED_MARRIAGE]) == []
    only_kind = screen(
        earliest=IN_FROM,
        latest=IN_TO,
        crimes_against_humanity_kinds=[CrimeAgainstHumanityKind.RAPE],
    )
    assert only_kind == []  # a sub-kind implies the category


def test_every_category_has_a_legal_basis() -> None:
    assert set(LEGAL_BASIS) == set(CrimeCategory)
    assert all(basis.startswith("ECCC Law, Article") for basis in LEGAL_BASIS.values())
    assert CrimeCategory("forced_marriage") is CrimeCategory.FORCED_MARRIAGE


def test_no_territorial_note_the_law_does_not_support() -> None:
    notes = screen(earliest=IN_FROM, latest=IN_TO, crimes=ANY_CRIME)
    assert notes == []
    assert all(not note.code.startswith("place.") for note in notes)


def test_about_1974_is_possibly_within_the_period() -> None:
    about_1974 = ApproxDate.parse("about 1974")
    notes = screen(
        earliest=about_1974.earliest(),
        latest=about_1974.latest(),
        crimes=ANY_CRIME,
        approximate=True,
    )
    assert _codes(notes) == ["date.possibly_within"]
    assert "may fall within" in notes[0].message_en
    # Said without "about", 1974 is before the period; "about 1972" is too far to be inside.
    assert _codes(
        screen(earliest=date(1974, 1, 1), latest=date(1974, 12, 31), crimes=ANY_CRIME)
    ) == ["date.before_period"]
    assert _codes(
        screen(
            earliest=date(1972, 1, 1), latest=date(1972, 12, 31), crimes=ANY_CRIME, approximate=True
        )
    ) == ["date.before_period"]
    about_1980 = ApproxDate.parse("about 1979").earliest(), ApproxDate.parse("about 1979").latest()
    assert "date.possibly_within" not in _codes(
        screen(earliest=about_1980[0], latest=about_1980[1], crimes=ANY_CRIME, approximate=True)
    )  # 1979 starts inside the period: partly inside, said as such


def test_persecution_and_rape_are_categories_of_article_5() -> None:
    assert "political, racial or religious" in LEGAL_BASIS[CrimeCategory.PERSECUTION]
    assert "rape" in LEGAL_BASIS[CrimeCategory.RAPE_SEXUAL_VIOLENCE]
    assert "armed conflict" in LEGAL_BASIS[CrimeCategory.DESTRUCTION_CULTURAL_PROPERTY]


def test_civil_party_notes_follow_rule_23bis() -> None:
    no_injury = screen(
        earliest=IN_FROM,
        latest=IN_TO,
        crimes=ANY_CRIME,
        applies_as_civil_party=True,
        claims_direct_injury=False,
    )
    assert _codes(no_injury) == ["civil_party.no_direct_injury", "civil_party.deadline"]
    assert no_injury[0].severity == "warning"
    assert "complaint" in no_injury[0].message_en
    unknown = screen(earliest=IN_FROM, latest=IN_TO, crimes=ANY_CRIME, applies_as_civil_party=True)
    assert _codes(unknown) == ["civil_party.injury_unknown", "civil_party.deadline"]
    injured = screen(
        earliest=IN_FROM,
        latest=IN_TO,
        crimes=ANY_CRIME,
        applies_as_civil_party=True,
        claims_direct_injury=True,
    )
    assert _codes(injured) == ["civil_party.deadline"]
    complainant = screen(
        earliest=IN_FROM,
        latest=IN_TO,
        crimes=ANY_CRIME,
        applies_as_civil_party=False,
        claims_direct_injury=True,
    )
    assert _codes(complainant) == ["complainant.role", "complainant.could_be_civil_party"]


def test_warnings_come_first_and_nothing_rejects() -> None:
    notes = screen(
        earliest=None,
        latest=date(1990, 1, 1),
        crimes=[CrimeCategory.OTHER],
        applies_as_civil_party=True,
        claims_direct_injury=False,
    )
    severities = [note.severity for note in notes]
    assert severities == sorted(severities, key=lambda severity: severity != "warning")
    assert set(severities) <= {"info", "warning"}
    assert "date.one_end_unknown" in _codes(notes)


def test_every_note_is_bilingual_and_sourced() -> None:
    combinations = [
        screen(earliest=None, latest=None),
        screen(earliest=date(1974, 1, 1), latest=date(1976, 1, 1), crimes=[CrimeCategory.OTHER]),
        screen(earliest=date(1970, 1, 1), latest=date(1971, 1, 1)),
        screen(earliest=date(1974, 1, 1), latest=date(1974, 12, 31), approximate=True),
        screen(earliest=date(1980, 1, 1), latest=date(1981, 1, 1), applies_as_civil_party=True),
        screen(
            earliest=date(1976, 1, 1),
            latest=None,
            crimes=[CrimeCategory.GENOCIDE],
            applies_as_civil_party=False,
            claims_direct_injury=True,
        ),
        screen(
            earliest=date(1978, 1, 1),
            latest=date(1976, 1, 1),
            applies_as_civil_party=True,
            claims_direct_injury=False,
        ),
    ]
    codes = set()
    for notes in combinations:
        for note in notes:
            codes.add(note.code)
            assert note.message_en and note.message_km
            assert is_khmer(note.message_km) and not is_khmer(note.message_en)
            assert note.source or note.code == "date.reversed"
    assert len(codes) == 15
