"""The office's list of civil parties and applicants: its columns, its values, and row checks.

The central office imports the list from a CSV or XLSX file whose first row names the columns
below (any order; the README documents them). Each row becomes a :class:`ListPerson`; a row that
cannot be used becomes one or more :class:`RowProblem` (row number as the office sees it in the
spreadsheet, the column, a stable code), which the office's tools translate. The same checks run
again on the laptop when a list arrives, so nothing malformed reaches its store even from a
genuine office.

Protection levels follow Rule 29 (protective measures: confidentiality from the public, or also
from the parties): ``none``; ``public`` — the person is sent to the laptops with name and birth
year withheld (found by number only, shown and printed masked); ``parties`` — the person never
leaves the office.

Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from app.core.gazetteer import CODE_LENGTHS, Gazetteer
from app.core.khmer_text import from_khmer_digits, normalize_name
from app.core.reference import prior_reference_key
from app.core.text_limits import MAX_NAME_PART_CHARACTERS, unprintable_characters

COLUMNS: tuple[str, ...] = (
    "number",
    "case",
    "name_km",
    "name_latin",
    "sex",
    "birth_year",
    "province",
    "district",
    "commune",
    "village",
    "status",
    "lawyer_team",
    "protection",
    "deceased",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("number", "case", "province", "district", "commune", "status")

CASES: tuple[str, ...] = ("001", "002", "003", "004", "004/1", "004/2")
# civil_party: admitted; applicant: applied, never decided (the case ended first);
# not_admitted: the application was declared inadmissible; withdrawn: the person withdrew.
STATUSES: tuple[str, ...] = ("civil_party", "applicant", "not_admitted", "withdrawn")
SEXES: tuple[str, ...] = ("F", "M", "")
PROTECTION_LEVELS: tuple[str, ...] = ("none", "public", "parties")
PROTECTION_MASKED = "public"
PROTECTION_WITHHELD = "parties"

MAX_NUMBER_CHARS = 40
MAX_NAME_CHARS = MAX_NAME_PART_CHARACTERS  # as a name typed on a form
MAX_LAWYER_CHARS = 120
MAX_ROWS = 60_000  # the court's lists together hold about 10,400 people
EARLIEST_BIRTH_YEAR = 1880
LATEST_BIRTH_YEAR = 1979  # born by the end of the regime (6 January 1979) or before

_TRUE = {"yes", "y", "true", "1", "x", "បាទ", "ចាស", "ពិត"}
_FALSE = {"", "no", "n", "false", "0", "ទេ"}
_CODE = re.compile(r"[0-9]{2,8}")
_ISO_DATE = re.compile(r"[12][0-9]{3}-[01][0-9]-[0-3][0-9]")


@dataclass(frozen=True)
class ListPerson:
    """One person of the list as it travels to a laptop (names empty when ``masked``)."""

    number: str
    case: str
    name_km: str
    name_latin: str
    sex: str
    birth_year: int | None
    province: str
    district: str
    commune: str
    village: str
    status: str
    lawyer_team: str
    protection: str
    deceased: bool
    # The office's latest contact with the person (ISO date), from follow-ups it received from
    # any laptop: not a column of the office's file, added when a list is sent.
    last_contact: str | None = None

    @property
    def masked(self) -> bool:
        return self.protection == PROTECTION_MASKED

    @property
    def number_key(self) -> str:
        return prior_reference_key(self.number) or ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def for_laptop(self) -> ListPerson | None:
        """What a laptop may hold: None for people confidential from the parties; names and
        birth year withheld for people confidential from the public."""
        if self.protection == PROTECTION_WITHHELD:
            return None
        if self.protection == PROTECTION_MASKED:
            return ListPerson(
                **{**asdict(self), "name_km": "", "name_latin": "", "birth_year": None}
            )
        return self


@dataclass(frozen=True)
class RowProblem:
    """Why a row of the office's file cannot be used. ``row`` is the spreadsheet row (the header
    is row 1); ``code``: missing_column, unknown_column, required, too_long, unprintable,
    bad_choice, bad_year, bad_code, unknown_place, place_mismatch, duplicate, too_many_rows,
    no_name."""

    row: int
    column: str
    code: str
    value: str = ""


@dataclass(frozen=True)
class ParsedList:
    people: list[ListPerson]
    problems: list[RowProblem]


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_name(str(value))


def _flag(value: str) -> bool | None:
    folded = value.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return None


def header_problems(header: Sequence[Any]) -> tuple[dict[str, int], list[RowProblem]]:
    """The column positions by name, and what is wrong with the header row."""
    positions: dict[str, int] = {}
    problems: list[RowProblem] = []
    for index, cell in enumerate(header):
        name = _clean(cell).casefold().replace(" ", "_")
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(RowProblem(1, name[:40], "unknown_column"))
        elif name in positions:
            problems.append(RowProblem(1, name, "duplicate"))
        else:
            positions[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            problems.append(RowProblem(1, name, "missing_column"))
    return positions, problems


def _text(
    values: Mapping[str, str], column: str, limit: int, row: int, out: list[RowProblem]
) -> str:
    value = values.get(column, "")
    if len(value) > limit:
        out.append(RowProblem(row, column, "too_long", value[:40]))
        return ""
    if unprintable_characters(value):
        out.append(RowProblem(row, column, "unprintable", value[:40]))
        return ""
    return value


def _choice(
    values: Mapping[str, str], column: str, allowed: Iterable[str], row: int, out: list[RowProblem]
) -> str:
    value = values.get(column, "")
    if value not in allowed:
        out.append(RowProblem(row, column, "bad_choice", value[:40]))
    return value


def _places(
    values: Mapping[str, str], gazetteer: Gazetteer, row: int, out: list[RowProblem]
) -> dict[str, str]:
    codes: dict[str, str] = {}
    parent = ""
    for level, length in CODE_LENGTHS.items():
        code = from_khmer_digits(values.get(level, ""))
        if level == "village" and not code:
            codes[level] = ""
            continue
        if not _CODE.fullmatch(code) or len(code) != length:
            out.append(RowProblem(row, level, "bad_code" if code else "required", code[:40]))
            return {}
        if code not in gazetteer:
            out.append(RowProblem(row, level, "unknown_place", code))
            return {}
        if parent and not code.startswith(parent):
            out.append(RowProblem(row, level, "place_mismatch", code))
            return {}
        codes[level] = parent = code
    return codes


def parse_row(
    values: Mapping[str, str], row: int, gazetteer: Gazetteer
) -> tuple[ListPerson | None, list[RowProblem]]:
    """One row (column name -> text) as a person, or the problems that keep it out."""
    out: list[RowProblem] = []
    number = _text(values, "number", MAX_NUMBER_CHARS, row, out)
    if not number and not out:
        out.append(RowProblem(row, "number", "required"))
    elif number and not prior_reference_key(number):
        out.append(RowProblem(row, "number", "bad_code", number[:40]))
    case = _choice(values, "case", CASES, row, out)
    name_km = _text(values, "name_km", MAX_NAME_CHARS, row, out)
    name_latin = _text(values, "name_latin", MAX_NAME_CHARS, row, out)
    sex = _choice(values, "sex", SEXES, row, out)
    year_text = from_khmer_digits(values.get("birth_year", ""))
    birth_year: int | None = None
    if year_text:
        if year_text.isdigit() and EARLIEST_BIRTH_YEAR <= int(year_text) <= LATEST_BIRTH_YEAR:
            birth_year = int(year_text)
        else:
            out.append(RowProblem(row, "birth_year", "bad_year", year_text[:40]))
    places = _places(values, gazetteer, row, out)
    status = _choice(values, "status", STATUSES, row, out)
    lawyer_team = _text(values, "lawyer_team", MAX_LAWYER_CHARS, row, out)
    protection = values.get("protection", "") or "none"
    if protection not in PROTECTION_LEVELS:
        out.append(RowProblem(row, "protection", "bad_choice", protection[:40]))
    deceased = _flag(values.get("deceased", ""))
    if deceased is None:
        out.append(RowProblem(row, "deceased", "bad_choice", values.get("deceased", "")[:40]))
    if not name_km and not name_latin and protection != PROTECTION_MASKED and not out:
        out.append(RowProblem(row, "name_km", "no_name"))
    if out:
        return None, out
    return (
        ListPerson(
            number=number,
            case=case,
            name_km=name_km,
            name_latin=name_latin,
            sex=sex,
            birth_year=birth_year,
            province=places["province"],
            district=places["district"],
            commune=places["commune"],
            village=places["village"],
            status=status,
            lawyer_team=lawyer_team,
            protection=protection,
            deceased=bool(deceased),
        ),
        [],
    )


def parse_table(rows: Iterable[Sequence[Any]], gazetteer: Gazetteer) -> ParsedList:
    """The people of a table whose first row is the header; every problem, by row number. The
    list is usable only when ``problems`` is empty (the office fixes its file and imports again,
    so no half list ever reaches a laptop)."""
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        return ParsedList([], [RowProblem(1, "number", "missing_column")])
    positions, problems = header_problems(header)
    if problems:
        return ParsedList([], problems)
    people: list[ListPerson] = []
    seen: dict[str, int] = {}
    for row_number, row in enumerate(iterator, start=2):
        if row_number - 1 > MAX_ROWS:
            problems.append(RowProblem(row_number, "number", "too_many_rows"))
            break
        values = {
            name: _clean(row[index]) if index < len(row) else ""
            for name, index in positions.items()
        }
        if not any(values.values()):
            continue  # an empty line
        person, row_problems = parse_row(values, row_number, gazetteer)
        problems.extend(row_problems)
        if person is None:
            continue
        first = seen.setdefault(person.number_key, row_number)
        if first != row_number:
            problems.append(RowProblem(row_number, "number", "duplicate", person.number))
            continue
        people.append(person)
    return ParsedList(people, problems)


def person_from_json(data: Any, gazetteer: Gazetteer) -> ListPerson | None:
    """A person as a laptop received it, checked again like a row (None if anything is off)."""
    if not isinstance(data, dict):
        return None
    values = {
        name: "" if data.get(name) is None else _clean(data.get(name))
        for name in COLUMNS
        if name != "deceased"
    }
    values["deceased"] = "yes" if data.get("deceased") is True else "no"
    if data.get("protection") == PROTECTION_MASKED:
        values["name_km"] = values["name_latin"] = values["birth_year"] = ""
    person, problems = parse_row(values, 0, gazetteer)
    if problems or person is None or person.protection == PROTECTION_WITHHELD:
        return None
    contact = data.get("last_contact")
    if isinstance(contact, str) and _ISO_DATE.fullmatch(contact):
        person = replace(person, last_contact=contact)
    return person
