"""Plausible answers of each field type, for demos, tests and benchmarks: the demo values the
type table (``app.core.forms.field_types``) gives each type.

Values are made per field type (and per field role where the meaning matters, e.g. a birth date or
a crime date). The people are invented; names are common Khmer names.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

from app.core.approx_date import ApproxDate, Season
from app.core.forms.model import Field, FieldRole, SignatureMark

FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("សុខ", "Sok"),
    ("ចាន់", "Chan"),
    ("ហេង", "Heng"),
    ("លី", "Ly"),
    ("គឹម", "Kim"),
    ("ស៊ុន", "Sun"),
    ("ម៉ៅ", "Mao"),
    ("ឈឹម", "Chhim"),
    ("កែវ", "Keo"),
    ("ញឹម", "Nhim"),
    ("ពេជ្រ", "Pich"),
    ("ស្រី", "Srey"),
    ("ជា", "Chea"),
    ("អ៊ុំ", "Um"),
    ("ទេព", "Tep"),
    ("យឹម", "Yim"),
)
GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("សុផល", "Sophal"),
    ("ស្រីមុំ", "Sreymom"),
    ("ចាន់ថា", "Chantha"),
    ("វណ្ណា", "Vanna"),
    ("សុខា", "Sokha"),
    ("ដារ៉ា", "Dara"),
    ("សុភាព", "Sopheap"),
    ("បុប្ផា", "Bopha"),
    ("សំណាង", "Samnang"),
    ("ពិសិដ្ឋ", "Piseth"),
    ("រតនា", "Rathana"),
    ("សារ៉ុន", "Saron"),
    ("ម៉ាលី", "Maly"),
    ("សុវណ្ណ", "Sovann"),
    ("ធារី", "Theary"),
    ("សុខុម", "Sokhom"),
    ("ណារី", "Nary"),
    ("វិចិត្រ", "Vichet"),
)
FORUMS = (
    "វេទិកាសហគមន៍ ស្រុកបាទី",
    "វេទិកាសហគមន៍ ស្រុកព្រៃកប្បាស",
    "វេទិកាសហគមន៍ ខេត្តកំពង់ចាម",
    "វេទិកាសហគមន៍ ខេត្តបាត់ដំបង",
)
NARRATIVE_SENTENCES = (
    "នៅឆ្នាំ១៩៧៥ ខ្មែរក្រហមបានជម្លៀសគ្រួសារខ្ញុំចេញពីភ្នំពេញ។",
    "ឪពុកខ្ញុំត្រូវគេយកទៅហើយមិនដែលត្រឡប់មកវិញទេ។",
    "យើងត្រូវធ្វើការនៅការដ្ឋានទំនប់ពីព្រឹកដល់យប់ ដោយគ្មានអាហារគ្រប់គ្រាន់។",
    "បងប្រុសខ្ញុំស្លាប់ដោយសារការអត់អាហារនៅរដូវប្រាំងឆ្នាំ១៩៧៧។",
    "ខ្ញុំត្រូវគេឃុំនៅមន្ទីរសន្តិសុខស្រុក ហើយត្រូវគេធ្វើទារុណកម្ម។",
    "ម្តាយខ្ញុំនៅតែយំរាល់យប់ ហើយខ្ញុំនៅតែសុបិនអាក្រក់។",
    "In 1976 the family was moved to a cooperative near the river.",
)
SHORT_TEXTS = ("មិនដឹង", "ភូមិក្បែរវត្ត", "សហករណ៍លេខ ៥", "Kraing Ta Chan", "Wat Kandal")

PlacePicker = Callable[[random.Random], dict[str, Any]]


def random_name(rng: random.Random) -> dict[str, str]:
    family_km, family_latin = rng.choice(FAMILY_NAMES)
    given_km, given_latin = rng.choice(GIVEN_NAMES)
    return {"km": f"{family_km} {given_km}", "latin": f"{family_latin} {given_latin}"}


def _free_text_place(rng: random.Random) -> dict[str, Any]:
    return {"village_text": rng.choice(("ភូមិថ្មី", "ភូមិព្រៃវែង", "ភូមិត្រពាំងស្លា", "ភូមិអូរ"))}


def _approx_date(rng: random.Random, role: FieldRole | None, today: date) -> dict[str, Any]:
    if role in (FieldRole.CRIME_DATE_FROM, FieldRole.CRIME_DATE_TO):
        year = rng.randint(1975, 1978)
        kind = rng.random()
        if kind < 0.4:
            value = ApproxDate.from_year(year, approximate=rng.random() < 0.5)
        elif kind < 0.7:
            value = ApproxDate.from_season(rng.choice(list(Season)), year)
        else:
            value = ApproxDate.from_month(year, rng.randint(1, 12))
    elif role is FieldRole.INTAKE_DATE:
        value = ApproxDate.exact(today.year, today.month, today.day)
    elif role is FieldRole.APPLICANT_BIRTH:
        kind = rng.random()
        if kind < 0.5:
            value = ApproxDate.from_year(rng.randint(1935, 1970), approximate=True)
        elif kind < 0.8:
            value = ApproxDate.from_age(rng.randint(5, 40), rng.randint(1975, 1978))
        else:
            value = ApproxDate.exact(
                rng.randint(1940, 1970), rng.randint(1, 12), rng.randint(1, 28)
            )
    else:
        value = ApproxDate.from_year(rng.randint(1920, 1970), approximate=True)
    return value.to_dict()


def demo_name(item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None) -> Any:
    return random_name(rng)


def demo_approx_date(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    return _approx_date(rng, item.role, today)


def demo_recent_date(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    """A date of recent years: what a date refused as too early is made again as."""
    return ApproxDate.from_year(rng.randint(today.year - 17, today.year - 1)).to_dict()


def demo_choice(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    return rng.choice(item.choice_codes) if item.choices else None


def demo_multi_choice(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    codes = list(item.choice_codes)
    return sorted(rng.sample(codes, k=min(len(codes), rng.randint(1, 3))))


def demo_yes_no(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    return rng.random() < 0.5


def demo_narrative(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    return " ".join(rng.sample(NARRATIVE_SENTENCES, k=rng.randint(2, 4)))


def demo_place(item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None) -> Any:
    return (pick_place or _free_text_place)(rng)


def demo_phone(item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None) -> Any:
    return (
        f"0{rng.choice((12, 15, 17, 77, 89, 96))} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    )


def demo_integer(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    return rng.randint(1, 9)


def demo_attachment(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    return []


def demo_signature_mark(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    # Demo records are signed: "to be taken later" keeps a record from syncing (tests that need
    # it say so).
    return rng.choice((SignatureMark.SIGNATURE.value, SignatureMark.THUMBPRINT.value))


def demo_consent(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    return True


def demo_text(item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None) -> Any:
    if item.role is FieldRole.FORUM:
        return rng.choice(FORUMS)
    if item.role is FieldRole.PRIOR_REFERENCE:
        return f"D22/{rng.randint(1, 9)}-{rng.randint(1000, 9999)}"  # like a court number
    if item.role is FieldRole.OFFICER_NAME:
        return "ឈឹម សុភាព"
    return rng.choice(SHORT_TEXTS)
