"""ApproxDate: parsing what officers type, honest ranges, storage and bilingual display."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.approx_date import ApproxDate, ApproxDateError, Precision, Season

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1952", ApproxDate.from_year(1952)),
        ("about 1952", ApproxDate.from_year(1952, approximate=True)),
        ("c. 1952", ApproxDate.from_year(1952, approximate=True)),
        ("១៩៥២", ApproxDate.from_year(1952)),
        ("ប្រហែលឆ្នាំ១៩៥២", ApproxDate.from_year(1952, approximate=True)),
        ("03/1977", ApproxDate.from_month(1977, 3)),
        ("1977-03", ApproxDate.from_month(1977, 3)),
        ("12 March 1977", ApproxDate.exact(1977, 3, 12)),
        ("12/03/1977", ApproxDate.exact(1977, 3, 12)),
        ("1977-03-12", ApproxDate.exact(1977, 3, 12)),
        ("ថ្ងៃទី១២ ខែមីនា ឆ្នាំ១៩៧៧", ApproxDate.exact(1977, 3, 12)),
        ("dry season 1977", ApproxDate.from_season(Season.DRY, 1977)),
        ("dry season 1976-77", ApproxDate.from_season(Season.DRY, 1977)),
        ("rainy season of 1976", ApproxDate.from_season(Season.RAINY, 1976)),
        ("រដូវប្រាំង ១៩៧៧", ApproxDate.from_season(Season.DRY, 1977)),
        ("30 years old in 1975", ApproxDate.from_age(30, 1975)),
        ("between 1975 and 1979", ApproxDate.between(1975, 1979)),
        ("1975-1979", ApproxDate.between(1975, 1979)),
        ("unknown", ApproxDate.unknown()),
        ("មិនដឹង", ApproxDate.unknown()),
    ],
)
def test_parse_accepts_common_spellings(text: str, expected: ApproxDate) -> None:
    assert ApproxDate.parse(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("13/1977", "no month 13"),
        ("31 Feb 1977", "no day 31"),
        ("1977-02-29", "no day 29"),
        ("2031", "future"),
        ("next week", "Cannot read"),
        ("12 Smarch 1977", "not a month name"),
    ],
)
def test_parse_rejects_with_a_clear_reason(text: str, fragment: str) -> None:
    with pytest.raises(ApproxDateError) as caught:
        ApproxDate.parse(text, today=TODAY)
    assert fragment in caught.value.en
    assert caught.value.km  # the officer sees the reason in Khmer too


def test_leap_day_is_accepted_in_a_leap_year() -> None:
    assert ApproxDate.parse("29/02/1976", today=TODAY).earliest() == date(1976, 2, 29)


def test_ranges_never_invent_a_first_of_january() -> None:
    about_1952 = ApproxDate.parse("about 1952", today=TODAY)
    assert (about_1952.earliest(), about_1952.latest()) == (date(1952, 1, 1), date(1952, 12, 31))
    march = ApproxDate.from_month(1976, 2)
    assert march.latest() == date(1976, 2, 29)
    dry = ApproxDate.from_season(Season.DRY, 1977)
    assert (dry.earliest(), dry.latest()) == (date(1976, 11, 1), date(1977, 4, 30))
    rainy = ApproxDate.from_season(Season.RAINY, 1977)
    assert (rainy.earliest(), rainy.latest()) == (date(1977, 5, 1), date(1977, 10, 31))
    # 30 years old at some time in 1975: born between 2 Jan 1944 and 31 Dec 1945.
    aged = ApproxDate.from_age(30, 1975)
    assert (aged.earliest(), aged.latest()) == (date(1944, 1, 2), date(1945, 12, 31))
    assert ApproxDate.unknown().earliest() is None
    assert ApproxDate.unknown().latest() is None


@pytest.mark.parametrize(
    "value",
    [
        ApproxDate.exact(1977, 3, 12, approximate=True),
        ApproxDate.from_month(1977, 3),
        ApproxDate.from_year(1952, approximate=True),
        ApproxDate.from_season(Season.DRY, 1977),
        ApproxDate.from_age(30, 1975),
        ApproxDate.between(1975, 1979),
        ApproxDate.unknown(),
    ],
)
def test_round_trips_through_dict_and_both_displays(value: ApproxDate) -> None:
    stored = value.to_dict()
    assert stored["v"] == 1
    assert ApproxDate.from_dict(stored) == value
    assert ApproxDate.parse(value.display("en"), today=TODAY) == value
    assert ApproxDate.parse(value.display("km"), today=TODAY) == value


def test_display_in_khmer_uses_khmer_months_and_digits() -> None:
    assert ApproxDate.exact(1977, 3, 12).display("km") == "ថ្ងៃទី១២ ខែមីនា ឆ្នាំ១៩៧៧"
    assert ApproxDate.from_year(1952, approximate=True).display("km") == "ប្រហែលឆ្នាំ១៩៥២"
    assert ApproxDate.from_season(Season.DRY, 1977).display("en") == "dry season 1976–1977"
    assert not any(
        ch.isascii() and ch.isdigit() for ch in ApproxDate.between(1975, 1979).display("km")
    )


@pytest.mark.parametrize(
    "data",
    [
        {"v": 1, "precision": "exact", "year": 1977, "month": 2, "day": 30},
        {"v": 1, "precision": "month", "year": 1977},
        {"v": 1, "precision": "year", "year": "1977"},
        {"v": 2, "precision": "year", "year": 1977},
        {"v": 1, "precision": "weekly", "year": 1977},
        {"v": 1, "precision": "year", "year": 1977, "colour": "red"},
        {"v": 1, "precision": "range", "year": 1979, "year_to": 1975},
        "1977",
    ],
)
def test_from_dict_refuses_bad_data(data: object) -> None:
    with pytest.raises(ApproxDateError):
        ApproxDate.from_dict(data)


def test_precision_is_kept() -> None:
    assert ApproxDate.parse("dry season 1977", today=TODAY).precision is Precision.SEASON


@pytest.mark.parametrize(
    ("typed", "years"),
    [
        ("ព.ស. ២៥១៩", (1975, 1976)),  # BE 2519: mid-1975 to mid-1976 (Visak Bochea)
        ("ព.ស២៥១៨", (1974, 1975)),
        ("ពុទ្ធសករាជ ២៥២០", (1976, 1977)),
        ("2519 BE", (1975, 1976)),
        ("B.E. 2521", (1977, 1978)),
        ("2519", (1975, 1976)),  # a bare year from 2400 to 2600 can only be BE
        ("ឆ្នាំថោះ", (1975, 1976)),  # the rabbit year from Khmer New Year 1975
        ("ឆ្នាំ រោង", (1976, 1977)),
        ("ម្សាញ់", (1977, 1978)),
        ("ឆ្នាំមមី", (1978, 1979)),
    ],
)
def test_buddhist_era_and_animal_years(typed: str, years: tuple[int, int]) -> None:
    value = ApproxDate.parse(typed)
    assert value.precision is Precision.RANGE and value.approximate
    assert (value.year, value.year_to) == years
    assert value.earliest() == date(years[0], 1, 1)
