"""Realistic synthetic answers for any form definition, for demos, tests and benchmarks.

Nothing here names a form's fields: each field gets the demo value of its type (the type table,
``app.core.forms.field_types``), then the answers are validated against the form; fields that
break a constraint are made again.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from app.core import clock
from app.core.forms.demo_values import (
    FAMILY_NAMES,
    FORUMS,
    GIVEN_NAMES,
    NARRATIVE_SENTENCES,
    SHORT_TEXTS,
    PlacePicker,
    random_name,
)
from app.core.forms.field_types import type_of
from app.core.forms.model import Field, FormDefinition
from app.core.forms.validation import Severity, finalise_issues, visible_sections

__all__ = [
    "FAMILY_NAMES",
    "FORUMS",
    "GIVEN_NAMES",
    "NARRATIVE_SENTENCES",
    "SHORT_TEXTS",
    "PlacePicker",
    "demo_answers",
    "demo_batch",
    "field_value",
    "random_name",
]


def field_value(
    item: Field, rng: random.Random, today: date, pick_place: PlacePicker | None = None
) -> Any:
    """One plausible value for a field: the demo value of its type (and role)."""
    return type_of(item).demo(item, rng, today, pick_place)


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
    today = today or clock.today()
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
        issues = finalise_issues(form, answers, today)
        errors = [i for i in issues if i.severity == Severity.ERROR]
        if not errors:
            break
        for issue in errors:
            if issue.field_id in fixed or not form.has_field(issue.field_id):
                continue
            item = form.field(issue.field_id)
            again = type_of(item).demo_again
            if again is not None and attempt % 2:
                # E.g. a date of recent years (the birth of a minor applied for by a guardian).
                answers[issue.field_id] = again(item, rng, today, pick_place)
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
