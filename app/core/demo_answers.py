"""Realistic synthetic answers for any form definition, for demos, tests and benchmarks.

Nothing here names a form's fields: values are made per field type (and per field role where the
meaning matters, e.g. a birth date or a crime date), then validated against the form; fields that
break a constraint are made again. The people are invented; names are common Khmer names.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from app.core.approx_date import ApproxDate, Season
from app.core.forms.model import Field, FieldRole, FieldType, FormDefinition
from app.core.forms.validation import (
    Severity,
    minimum_content_issues,
    validate_answers,
    visible_sections,
)

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


def field_value(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None = None
) -> Any:
    """One plausible value for a field, by its type (and role)."""
    kind = item.type
    if kind is FieldType.NAME:
        return random_name(rng)
    if kind is FieldType.APPROX_DATE:
        return _approx_date(rng, item.role, today)
    if kind is FieldType.CHOICE:
        return rng.choice(item.choice_codes) if item.choices else None
    if kind is FieldType.MULTI_CHOICE:
        codes = list(item.choice_codes)
        return sorted(rng.sample(codes, k=min(len(codes), rng.randint(1, 3))))
    if kind is FieldType.YES_NO:
        return rng.random() < 0.5
    if kind is FieldType.NARRATIVE:
        return " ".join(rng.sample(NARRATIVE_SENTENCES, k=rng.randint(2, 4)))
    if kind is FieldType.PLACE:
        return (pick_place or _free_text_place)(rng)
    if kind is FieldType.PHONE:
        return f"0{rng.choice((12, 15, 17, 77, 89, 96))} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    if kind is FieldType.INTEGER:
        return rng.randint(1, 9)
    if kind is FieldType.ATTACHMENT:
        return []
    if kind is FieldType.SIGNATURE_MARK:
        # Demo records are signed: "to be taken later" keeps a record from syncing (tests that
        # need it say so).
        return rng.choice(("signature", "thumbprint"))
    if kind is FieldType.CONSENT:
        return True
    if item.role is FieldRole.FORUM:
        return rng.choice(FORUMS)
    if item.role is FieldRole.PRIOR_REFERENCE:
        return f"D22/{rng.randint(1, 9)}-{rng.randint(1000, 9999)}"  # like a court number
    if item.role is FieldRole.OFFICER_NAME:
        return "ឈឹម សុភាព"
    return rng.choice(SHORT_TEXTS)


def demo_answers(
    form: FormDefinition,
    rng: random.Random,
    *,
    today: date | None = None,
    pick_place: PlacePicker | None = None,
    overrides: Mapping[str, Any] | None = None,
    fill_optional: float = 0.8,
) -> dict[str, Any]:
    """Answers that pass the form's validation (no errors), with optional fields filled at random.

    Relevance depends on earlier answers, so fields are filled section by section until no newly
    visible field is left; then fields with errors are made again (a few rounds).
    """
    today = today or date.today()
    answers: dict[str, Any] = dict(overrides or {})
    fixed = set(answers)
    for _round in range(4):
        added = False
        for section in visible_sections(form, answers, today):
            for item in section.fields:
                if item.id in answers or item.id in fixed:
                    continue
                if item.required is False and rng.random() > fill_optional:
                    answers[item.id] = None
                    continue
                answers[item.id] = field_value(item, rng, today, pick_place)
                added = True
        if not added:
            break
    for attempt in range(40):
        # The court's minimum content too: demo records are meant to be finalisable.
        issues = [
            *validate_answers(form, answers, today),
            *minimum_content_issues(form, answers, today),
        ]
        errors = [i for i in issues if i.severity == Severity.ERROR]
        if not errors:
            break
        for issue in errors:
            if issue.field_id in fixed or not form.has_field(issue.field_id):
                continue
            item = form.field(issue.field_id)
            if item.type is FieldType.APPROX_DATE and attempt % 2:
                # A date of recent years (e.g. the birth of a minor applied for by a guardian).
                recent = ApproxDate.from_year(rng.randint(today.year - 17, today.year - 1))
                answers[issue.field_id] = recent.to_dict()
                continue
            answers[issue.field_id] = field_value(item, rng, today, pick_place)
    return {key: value for key, value in answers.items() if value is not None}


def demo_batch(
    forms: Sequence[FormDefinition],
    count: int,
    seed: int = 1975,
    pick_place: PlacePicker | None = None,
) -> list[tuple[FormDefinition, dict[str, Any]]]:
    rng = random.Random(seed)
    return [
        (form, demo_answers(form, rng, pick_place=pick_place))
        for form in (rng.choice(forms) for _ in range(count))
    ]
