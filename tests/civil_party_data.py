"""A synthetic office list of civil parties and applicants (nothing real): names put together
from the public spellings table, places from the bundled gazetteer, numbers in the court's style.
Shared by the list tests and tests/bench."""

from __future__ import annotations

import random
from dataclasses import replace

from app.core.civil_party_list import CASES, COLUMNS, STATUSES, ListPerson
from app.core.gazetteer import load_gazetteer
from tests.core.name_spellings import load_spellings

# Two provinces with many villages, and one the test laptop does not serve.
SERVED_PROVINCES = ("03", "12")
OTHER_PROVINCE = "17"


def _villages(province: str, limit: int = 60) -> list[tuple[str, str, str, str]]:
    gazetteer = load_gazetteer()
    found: list[tuple[str, str, str, str]] = []
    for district in gazetteer.children(province, "district"):
        for commune in gazetteer.children(district.code, "commune"):
            for village in gazetteer.children(commune.code, "village")[:3]:
                found.append((province, district.code, commune.code, village.code))
                if len(found) >= limit:
                    return found
    return found


def synthetic_people(count: int, seed: int = 21) -> list[ListPerson]:
    """``count`` people: about 2% confidential from the public, 1% from the parties, 5% deceased,
    a tenth in a province other than the served ones."""
    rng = random.Random(seed)
    words = [s for s in load_spellings() if s.kind == "word"]
    places = {p: _villages(p) for p in (*SERVED_PROVINCES, OTHER_PROVINCE)}
    people: list[ListPerson] = []
    for index in range(count):
        family, given = rng.choice(words), rng.choice(words)
        province = OTHER_PROVINCE if index % 10 == 9 else SERVED_PROVINCES[index % 2]
        _p, district, commune, village = rng.choice(places[province])
        roll = rng.random()
        protection = "public" if roll < 0.02 else "parties" if roll < 0.03 else "none"
        people.append(
            ListPerson(
                number=f"D{rng.choice((22, 25, 27))}/{rng.randint(1, 9)}-{index + 1:05d}",
                case=rng.choice(CASES),
                name_km=f"{family.khmer} {given.khmer}",
                name_latin=f"{family.latin} {given.latin}".title(),
                sex=rng.choice(("F", "M")),
                birth_year=rng.randint(1925, 1975),
                province=province,
                district=district,
                commune=commune,
                village=village,
                status=rng.choice(STATUSES),
                lawyer_team=rng.choice(("", "Team A (Lor Chunthy)", "Team B", "Legal Aid")),
                protection=protection,
                deceased=rng.random() < 0.05,
            )
        )
    return people


def planted(people: list[ListPerson], index: int, **changes: object) -> ListPerson:
    """Change one person of the list in place (a known name to look for) and return them."""
    people[index] = replace(people[index], **changes)  # type: ignore[arg-type]
    return people[index]


def as_rows(people: list[ListPerson]) -> list[list[str]]:
    """The list as the office's spreadsheet: a header row, then one row per person."""
    rows = [list(COLUMNS)]
    for person in people:
        data = person.to_json()
        rows.append(
            [
                ("yes" if data[c] else "no")
                if c == "deceased"
                else ("" if data[c] is None else str(data[c]))
                for c in COLUMNS
            ]
        )
    return rows
