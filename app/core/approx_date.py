"""Dates as people remember them: exact, a month, a year, a season, an age, a span of years.

Victims of 1975–1979 rarely know exact dates, and many do not know their own birth date. Storing
"about 1952" as 1 January 1952 gives wrong ages and wrong matches later, so an ``ApproxDate`` keeps
what was said (its precision) and answers questions with a range: ``earliest()`` and ``latest()``.

Seasons follow the Cambodian year: the dry season runs November to April and ends at Khmer New
Year in April, the rainy season runs May to October. "The dry season of 1977" is the one that ends
in April 1977 (1 November 1976 – 30 April 1977); "dry season 1977–1978" names the one that ends in
1978. ``display`` shows the two years of a dry season so the reader sees which one is meant.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core import clock
from app.core.approx_date_terms import (
    ENGLISH_MONTHS,
    KHMER_MONTHS,
    ApproxDateError,
    Precision,
    Season,
)
from app.core.khmer_calendar import animal_year, buddhist_era_years
from app.core.khmer_text import from_khmer_digits, to_khmer_digits

FORMAT_VERSION = 1
MIN_YEAR = 1850
MAX_YEAR = 2999


# The attributes each precision needs (and no others).
_NEEDS: dict[Precision, frozenset[str]] = {
    Precision.EXACT: frozenset({"year", "month", "day"}),
    Precision.MONTH: frozenset({"year", "month"}),
    Precision.YEAR: frozenset({"year"}),
    Precision.SEASON: frozenset({"year", "season"}),
    Precision.AGE_IN_YEAR: frozenset({"year", "age"}),
    Precision.RANGE: frozenset({"year", "year_to"}),
    Precision.UNKNOWN: frozenset(),
}
_STORED_KEYS = frozenset(
    {"v", "precision", "year", "month", "day", "season", "age", "year_to", "approximate"}
)


def _not_stored_date() -> ApproxDateError:
    return ApproxDateError("This is not a stored date.", "នេះមិនមែនជាកាលបរិច្ឆេទទេ។")


def _kh(n: int) -> str:
    return to_khmer_digits(str(n))


@dataclass(frozen=True)
class ApproxDate:
    """One remembered date. Which attributes are set depends on ``precision``:

    exact: year, month, day · month: year, month · year: year · season: season, year (the year
    in which the season ends) · age_in_year: age, year ("about ``age`` years old in ``year``",
    a birth date) · range: year, year_to · unknown: nothing.
    """

    precision: Precision
    year: int | None = None
    month: int | None = None
    day: int | None = None
    season: Season | None = None
    age: int | None = None
    year_to: int | None = None
    approximate: bool = False

    def __post_init__(self) -> None:
        p = self.precision
        needs = _NEEDS[p]
        for name in ("year", "month", "day", "season", "age", "year_to"):
            present = getattr(self, name) is not None
            if name in needs and not present:
                raise ApproxDateError(
                    f"A date of precision '{p}' needs a {name.replace('_', ' ')}.",
                    "កាលបរិច្ឆេទនេះខ្វះព័ត៌មាន។",
                )
            if name not in needs and present:
                raise ApproxDateError(
                    f"A date of precision '{p}' cannot have a {name.replace('_', ' ')}.",
                    "កាលបរិច្ឆេទនេះមានព័ត៌មានលើស។",
                )
        for name in ("year", "year_to"):
            value = getattr(self, name)
            if value is not None and not (MIN_YEAR <= value <= MAX_YEAR):
                raise ApproxDateError(
                    f"The year {value} is not plausible (expected {MIN_YEAR}–{MAX_YEAR}).",
                    f"ឆ្នាំ{_kh(value)} មិនត្រឹមត្រូវទេ។",
                )
        if self.month is not None and not 1 <= self.month <= 12:
            raise ApproxDateError(
                f"There is no month {self.month}; months are 1 to 12.",
                f"គ្មានខែទី{_kh(self.month)}ទេ។ ខែមានពី ១ ដល់ ១២។",
            )
        if self.day is not None and self.year is not None and self.month is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ApproxDateError(
                    f"{ENGLISH_MONTHS[self.month - 1]} {self.year} has no day {self.day} "
                    f"(it has {last} days).",
                    f"ខែ{KHMER_MONTHS[self.month - 1]} ឆ្នាំ{_kh(self.year)} គ្មានថ្ងៃទី{_kh(self.day)}ទេ។",
                )
        if self.age is not None and not 0 <= self.age <= 130:
            raise ApproxDateError(
                f"An age of {self.age} years is not plausible.",
                f"អាយុ {_kh(self.age)} ឆ្នាំ មិនត្រឹមត្រូវទេ។",
            )
        if self.year_to is not None and self.year is not None and self.year_to < self.year:
            raise ApproxDateError(
                f"The range {self.year}–{self.year_to} ends before it starts.",
                f"ចន្លោះឆ្នាំ{_kh(self.year)}–{_kh(self.year_to)} មិនត្រឹមត្រូវទេ។",
            )
        if p is Precision.SEASON and not isinstance(self.season, Season):
            object.__setattr__(self, "season", Season(str(self.season)))

    # --- constructors --------------------------------------------------------------------------

    @classmethod
    def unknown(cls) -> ApproxDate:
        return cls(Precision.UNKNOWN)

    @classmethod
    def exact(cls, year: int, month: int, day: int, *, approximate: bool = False) -> ApproxDate:
        return cls(Precision.EXACT, year=year, month=month, day=day, approximate=approximate)

    @classmethod
    def from_month(cls, year: int, month: int, *, approximate: bool = False) -> ApproxDate:
        return cls(Precision.MONTH, year=year, month=month, approximate=approximate)

    @classmethod
    def from_year(cls, year: int, *, approximate: bool = False) -> ApproxDate:
        return cls(Precision.YEAR, year=year, approximate=approximate)

    @classmethod
    def from_season(cls, season: Season, year: int, *, approximate: bool = False) -> ApproxDate:
        return cls(Precision.SEASON, year=year, season=Season(season), approximate=approximate)

    @classmethod
    def from_age(cls, age: int, in_year: int, *, approximate: bool = True) -> ApproxDate:
        """A birth date from "about ``age`` years old in ``in_year``"."""
        return cls(Precision.AGE_IN_YEAR, year=in_year, age=age, approximate=approximate)

    @classmethod
    def between(cls, year_from: int, year_to: int, *, approximate: bool = False) -> ApproxDate:
        return cls(Precision.RANGE, year=year_from, year_to=year_to, approximate=approximate)

    # --- the range that is the truth ----------------------------------------------------------

    def earliest(self) -> date | None:
        """The first day the date can be; None when unknown."""
        p = self.precision
        if p is Precision.UNKNOWN:
            return None
        assert self.year is not None
        if p is Precision.EXACT:
            assert self.month is not None and self.day is not None
            return date(self.year, self.month, self.day)
        if p is Precision.MONTH:
            assert self.month is not None
            return date(self.year, self.month, 1)
        if p is Precision.SEASON:
            if self.season is Season.DRY:
                return date(self.year - 1, 11, 1)
            return date(self.year, 5, 1)
        if p is Precision.AGE_IN_YEAR:
            # Aged N on some day of YEAR: born after that day N+1 years earlier.
            assert self.age is not None
            return date(self.year - self.age - 1, 1, 2)
        return date(self.year, 1, 1)  # year, range

    def latest(self) -> date | None:
        """The last day the date can be; None when unknown."""
        p = self.precision
        if p is Precision.UNKNOWN:
            return None
        assert self.year is not None
        if p is Precision.EXACT:
            assert self.month is not None and self.day is not None
            return date(self.year, self.month, self.day)
        if p is Precision.MONTH:
            assert self.month is not None
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        if p is Precision.SEASON:
            if self.season is Season.DRY:
                return date(self.year, 4, 30)
            return date(self.year, 10, 31)
        if p is Precision.AGE_IN_YEAR:
            assert self.age is not None
            return date(self.year - self.age, 12, 31)
        if p is Precision.RANGE:
            assert self.year_to is not None
            return date(self.year_to, 12, 31)
        return date(self.year, 12, 31)

    def earliest_year(self) -> int | None:
        first = self.earliest()
        return first.year if first else None

    def is_future(self, today: date | None = None) -> bool:
        """True when even the earliest possible day lies after ``today``."""
        first = self.earliest()
        return first is not None and first > (today or clock.today())

    # --- storage --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict; only the attributes that are set, plus the format version ``v``."""
        data: dict[str, Any] = {"v": FORMAT_VERSION, "precision": self.precision.value}
        for name in ("year", "month", "day", "age", "year_to"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.season is not None:
            data["season"] = self.season.value
        if self.approximate:
            data["approximate"] = True
        return data

    @classmethod
    def from_dict(cls, data: Any) -> ApproxDate:
        """Read what ``to_dict`` wrote; raises ``ApproxDateError`` for anything else."""
        if not isinstance(data, dict):
            raise _not_stored_date()
        version = data.get("v", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ApproxDateError(
                f"Unknown date format version {version!r}.",
                "ទម្រង់កាលបរិច្ឆេទនេះមិនស្គាល់ទេ។",
            )
        unknown_keys = data.keys() - _STORED_KEYS
        if unknown_keys:
            raise ApproxDateError(
                f"Unknown date attributes: {', '.join(sorted(map(str, unknown_keys)))}.",
                "កាលបរិច្ឆេទនេះមានព័ត៌មានមិនស្គាល់។",
            )
        try:
            precision = Precision(str(data.get("precision")))
            season = Season(data["season"]) if data.get("season") is not None else None
        except ValueError:
            raise _not_stored_date() from None
        ints: dict[str, int | None] = {}
        for name in ("year", "month", "day", "age", "year_to"):
            value = data.get(name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise _not_stored_date()
            ints[name] = value
        approximate = data.get("approximate", False)
        if not isinstance(approximate, bool):
            raise _not_stored_date()
        return cls(precision, season=season, approximate=approximate, **ints)

    # --- display ---------------------------------------------------------------------------------

    def display(self, lang: str = "km") -> str:
        """The date as a person would say it, in Khmer (Khmer digits) or English."""
        if lang == "km":
            return self._display_km()
        return self._display_en()

    def _display_en(self) -> str:
        p = self.precision
        about = "about " if self.approximate else ""
        if p is Precision.UNKNOWN:
            return "unknown"
        if p is Precision.EXACT:
            assert self.month is not None
            return f"{about}{self.day} {ENGLISH_MONTHS[self.month - 1]} {self.year}"
        if p is Precision.MONTH:
            assert self.month is not None
            return f"{about}{ENGLISH_MONTHS[self.month - 1]} {self.year}"
        if p is Precision.YEAR:
            return f"{about}{self.year}"
        if p is Precision.SEASON:
            assert self.year is not None
            if self.season is Season.DRY:
                return f"{about}dry season {self.year - 1}–{self.year}"
            return f"{about}rainy season {self.year}"
        if p is Precision.AGE_IN_YEAR:
            return f"{about}{self.age} years old in {self.year}"
        return f"{about}between {self.year} and {self.year_to}"

    def _display_km(self) -> str:
        p = self.precision
        about = "ប្រហែល" if self.approximate else ""
        if p is Precision.UNKNOWN:
            return "មិនដឹង"
        assert self.year is not None
        year = f"ឆ្នាំ{_kh(self.year)}"
        if p is Precision.EXACT:
            assert self.month is not None and self.day is not None
            return f"{about}ថ្ងៃទី{_kh(self.day)} ខែ{KHMER_MONTHS[self.month - 1]} {year}"
        if p is Precision.MONTH:
            assert self.month is not None
            return f"{about}ខែ{KHMER_MONTHS[self.month - 1]} {year}"
        if p is Precision.YEAR:
            return f"{about}{year}"
        if p is Precision.SEASON:
            if self.season is Season.DRY:
                return f"{about}រដូវប្រាំង ឆ្នាំ{_kh(self.year - 1)}–{_kh(self.year)}"
            return f"{about}រដូវវស្សា {year}"
        if p is Precision.AGE_IN_YEAR:
            assert self.age is not None
            return f"{about}អាយុ {_kh(self.age)} ឆ្នាំ នៅ{year}"
        assert self.year_to is not None
        return f"{about}ចន្លោះ{year} ដល់ឆ្នាំ{_kh(self.year_to)}"

    def __str__(self) -> str:
        return self.display("en")

    # --- parsing ---------------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, today: date | None = None) -> ApproxDate:
        """Read a date as typed by an officer, in English or Khmer, with ASCII or Khmer digits.

        Accepted: "1952", "about 1952", "c. 1952", "03/1977", "1977-03", "12/03/1977",
        "1977-03-12", "12 March 1977", "March 1977", "dry season 1977", "rainy season of 1976",
        "1975-1979", "between 1975 and 1979", "30 years old in 1975", "unknown", and the Khmer
        equivalents ("ប្រហែលឆ្នាំ១៩៥២", "ថ្ងៃទី១២ ខែមីនា ឆ្នាំ១៩៧៧", "រដូវប្រាំង ១៩៧៧", "មិនដឹង").
        Raises ``ApproxDateError`` with a clear reason; dates after ``today`` are refused.
        """
        result = _parse(text)
        if result.is_future(today):
            raise ApproxDateError(
                f"'{text.strip()}' is in the future.",
                f"«{text.strip()}» ជាពេលអនាគត។ សូមពិនិត្យម្តងទៀត។",
            )
        return result


# --- parser internals ----------------------------------------------------------------------------

_MONTH_WORDS: dict[str, int] = {}
for _number, _name in enumerate(ENGLISH_MONTHS, start=1):
    _MONTH_WORDS[_name.lower()] = _number
    _MONTH_WORDS[_name[:3].lower()] = _number
_MONTH_WORDS["sept"] = 9
for _number, _name in enumerate(KHMER_MONTHS, start=1):
    _MONTH_WORDS[_name] = _number
_MONTH_WORDS["កុម្ភៈ".rstrip("ៈ")] = 2

_APPROX_PREFIX = re.compile(
    r"^(?:about|around|approx(?:imately|\.)?|circa|ca\.?|c\.|~|ប្រហែល(?:ជា)?|ប្រមាណ)\s*",
    re.IGNORECASE,
)
_UNKNOWN_WORDS = {"", "?", "unknown", "not known", "don't know", "do not know", "មិនដឹង", "មិនស្គាល់"}
_KHMER_FILLERS = re.compile(r"ថ្ងៃទី|ខែ|ឆ្នាំ|នៅ")
_DASH = r"\s*(?:-|–|—|to|until|ដល់)\s*"

_RE_YEAR = re.compile(r"^(\d{4})$")
_RE_RANGE = re.compile(
    rf"^(?:between\s+|ចន្លោះ\s*)?(\d{{4}})(?:{_DASH}|\s+and\s+|\s+និង\s*)(\d{{4}})$"
)
_RE_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RE_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_RE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RE_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_RE_WORDS_DMY = re.compile(r"^(?:(\d{1,2})\s*)?([^\d\s,]+)\.?\s*,?\s*(\d{4})$")
_RE_WORDS_MDY = re.compile(r"^([^\d\s,]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_RE_SEASON = re.compile(
    r"^(dry|rainy|wet|រដូវប្រាំង|រដូវវស្សា)\s*(?:season)?\s*(?:of\s+|in\s+)?"
    rf"(\d{{4}})(?:{_DASH}(\d{{2}}|\d{{4}}))?$",
    re.IGNORECASE,
)
_RE_AGE = re.compile(
    r"^(?:aged?\s+|អាយុ\s*)(\d{1,3})\s*(?:years?\s*(?:old)?\s*|yrs?\s*|ឆ្នាំ\s*)?(?:in\s+)?(\d{4})$"
    r"|^(\d{1,3})\s*(?:years?\s*old|yrs?\s*old)\s+in\s+(\d{4})$",
    re.IGNORECASE,
)


def _parse(text: str) -> ApproxDate:
    original = text.strip()
    cleaned = from_khmer_digits(original).replace("\u200b", "").strip()
    lowered = re.sub(r"\s+", " ", cleaned.lower())
    if lowered in _UNKNOWN_WORDS:
        return ApproxDate.unknown()
    approximate = False
    match = _APPROX_PREFIX.match(lowered)
    if match:
        approximate = True
        lowered = lowered[match.end() :].strip()
    # Khmer writes "day", "month", "year", "in" as words around the numbers: drop them.
    body = re.sub(r"\s+", " ", _KHMER_FILLERS.sub(" ", lowered)).strip()
    season_match = _RE_SEASON.match(body)
    if season_match:
        return _season(season_match, approximate, original)
    age_match = _RE_AGE.match(body)
    if age_match:
        age_text = age_match.group(1) or age_match.group(3)
        year_text = age_match.group(2) or age_match.group(4)
        return ApproxDate.from_age(int(age_text), int(year_text), approximate=True)
    # Before the plain year: 2518 is a Buddhist Era year, not a Gregorian one.
    calendar_years = buddhist_era_years(body) or animal_year(cleaned.replace(" ", ""))
    if calendar_years is not None:
        return ApproxDate.between(*calendar_years, approximate=True)
    if (m := _RE_YEAR.match(body)) is not None:
        return ApproxDate.from_year(int(m.group(1)), approximate=approximate)
    if (m := _RE_RANGE.match(body)) is not None:
        return ApproxDate.between(int(m.group(1)), int(m.group(2)), approximate=approximate)
    if (m := _RE_ISO.match(body)) is not None:
        return ApproxDate.exact(
            int(m.group(1)), int(m.group(2)), int(m.group(3)), approximate=approximate
        )
    if (m := _RE_YEAR_MONTH.match(body)) is not None:
        return ApproxDate.from_month(int(m.group(1)), int(m.group(2)), approximate=approximate)
    if (m := _RE_DMY.match(body)) is not None:
        return ApproxDate.exact(
            int(m.group(3)), int(m.group(2)), int(m.group(1)), approximate=approximate
        )
    if (m := _RE_MONTH_YEAR.match(body)) is not None:
        return ApproxDate.from_month(int(m.group(2)), int(m.group(1)), approximate=approximate)
    if (m := _RE_WORDS_DMY.match(body)) is not None:
        month = _month_word(m.group(2), original)
        if m.group(1):
            return ApproxDate.exact(
                int(m.group(3)), month, int(m.group(1)), approximate=approximate
            )
        return ApproxDate.from_month(int(m.group(3)), month, approximate=approximate)
    if (m := _RE_WORDS_MDY.match(body)) is not None:
        month = _month_word(m.group(1), original)
        return ApproxDate.exact(int(m.group(3)), month, int(m.group(2)), approximate=approximate)
    raise ApproxDateError(
        f"Cannot read '{original}' as a date. Examples: 1952, about 1952, 03/1977, "
        "12 March 1977, dry season 1977, 30 years old in 1975, unknown.",
        f"មិនអាចអាន «{original}» ជាកាលបរិច្ឆេទបានទេ។ ឧទាហរណ៍៖ ១៩៥២ ប្រហែល១៩៥២ ០៣/១៩៧៧ "
        "ថ្ងៃទី១២ ខែមីនា ឆ្នាំ១៩៧៧ រដូវប្រាំង ១៩៧៧ មិនដឹង។",
    )


def _month_word(word: str, original: str) -> int:
    month = _MONTH_WORDS.get(word.strip(".").lower())
    if month is None:
        raise ApproxDateError(
            f"'{word}' in '{original}' is not a month name.",
            f"«{word}» មិនមែនជាឈ្មោះខែទេ។",
        )
    return month


def _season(match: re.Match[str], approximate: bool, original: str) -> ApproxDate:
    word = match.group(1).lower()
    season = Season.DRY if word in {"dry", "រដូវប្រាំង"} else Season.RAINY
    first = int(match.group(2))
    second_text = match.group(3)
    if second_text is None:
        return ApproxDate.from_season(season, first, approximate=approximate)
    second = int(second_text)
    if len(second_text) == 2:
        second = first // 100 * 100 + second
    if season is not Season.DRY or second != first + 1:
        raise ApproxDateError(
            f"'{original}': a season spans two years only for the dry season, "
            "and then they must follow each other (e.g. dry season 1976–1977).",
            f"«{original}»៖ រដូវប្រាំងមួយ ឆ្លងពីឆ្នាំមួយទៅឆ្នាំបន្ទាប់ (ឧ. ១៩៧៦–១៩៧៧)។",
        )
    return ApproxDate.from_season(season, second, approximate=approximate)


# The terms are named here too: a remembered date and its parts are imported from this module.
__all__ = [
    "ENGLISH_MONTHS",
    "FORMAT_VERSION",
    "KHMER_MONTHS",
    "MAX_YEAR",
    "MIN_YEAR",
    "ApproxDate",
    "ApproxDateError",
    "Precision",
    "Season",
]
