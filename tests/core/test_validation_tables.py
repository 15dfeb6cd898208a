"""The skip logic and the field checks worked out once per form (``validation._SkipLogic``,
``validation._FieldCheck``) give what the plain reading of the form gives: every expression
evaluated each round, every field looked up on the form, for answers of every bundled form mixed
from several demo records (so fields appear and disappear between rounds) and broken on purpose."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from app.core.demo_answers import demo_answers
from app.core.forms import FormDefinition, Text, load_form
from app.core.forms.expressions import is_empty
from app.core.forms.validation import (
    FieldIssue,
    Severity,
    check_value,
    finalise_issues,
    is_required,
    minimum_content_issues,
    required_issue,
    resolve,
)
from app.core.resources import forms_dir

TODAY = date(2026, 11, 30)


def _plain_relevant_ids(form: FormDefinition, answers: dict[str, Any]) -> set[str]:
    visible: set[str] = set()
    for section in form.sections:
        if section.relevant is not None and not section.relevant.test(answers, today=TODAY):
            continue
        for item in section.fields:
            if item.relevant is None or item.relevant.test(answers, today=TODAY):
                visible.add(item.id)
    return visible


def _plain_resolve(
    form: FormDefinition, answers: dict[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    visible = {item.id for item in form.all_fields()}
    effective = dict(answers)
    for _ in range(len(visible) + 1):
        effective = {
            key: value
            for key, value in answers.items()
            if key in visible or not form.has_field(key)
        }
        new_visible = _plain_relevant_ids(form, effective)
        if new_visible == visible:
            break
        visible = new_visible
    return effective, visible


def _plain_field_issues(
    form: FormDefinition, effective: dict[str, Any], visible: set[str]
) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    for item in form.all_fields():
        if item.id not in visible:
            continue
        value = effective.get(item.id)
        if is_empty(value):
            if is_required(item, effective, TODAY):
                issues.append(required_issue(item))
            continue
        value_issues = check_value(item, value, TODAY)
        issues.extend(value_issues)
        if any(found.severity is Severity.ERROR for found in value_issues):
            continue
        if item.constraint is not None and not item.constraint.test(
            effective, current=value, today=TODAY
        ):
            message = item.constraint_message or Text(
                km="ចម្លើយនេះមិនត្រឹមត្រូវទេ។", en="This answer is not valid."
            )
            issues.append(FieldIssue(item.id, Severity.ERROR, message, "constraint"))
    return issues


def _mixed_answers(form: FormDefinition, rng: random.Random, change: float) -> dict[str, Any]:
    """A demo record with a share ``change`` of its answers left out, blanked, or taken from
    other demo records or other fields: the skip logic then hides and shows fields from round
    to round."""
    records = [demo_answers(form, rng, today=TODAY) for _ in range(3)]
    others = [value for record in records for value in record.values()]
    mixed: dict[str, Any] = dict(records[0])
    for item in form.all_fields():
        roll = rng.random() / change
        if roll >= 1:
            continue
        if roll < 0.2:
            mixed.pop(item.id, None)
        elif roll < 0.3:
            mixed[item.id] = None if rng.random() < 0.5 else ""
        elif roll < 0.4:
            mixed[item.id] = rng.choice(others)
        elif item.id in (source := rng.choice(records)):
            mixed[item.id] = source[item.id]
    mixed["not_a_field"] = "kept"
    return mixed


def test_worked_out_tables_read_the_forms_as_the_plain_reading() -> None:
    changed = 0
    for path in sorted(forms_dir().glob("*.yaml")):
        form = load_form(path)
        rng = random.Random(path.stem)
        failing = 0
        for number in range(150):
            answers = _mixed_answers(form, rng, (0.0001, 0.05, 0.5)[number % 3])
            effective, visible = _plain_resolve(form, answers)
            assert resolve(form, answers, TODAY) == (effective, visible)
            plain = _plain_field_issues(form, effective, visible)
            assert finalise_issues(form, answers, TODAY) == [
                *plain,
                *minimum_content_issues(form, answers, TODAY),
            ]
            changed += visible != _plain_relevant_ids(form, answers)
            failing += bool(plain)
        assert 10 < failing < 140, path.stem  # answers with problems as well as without
    # Hidden answers that had shown other fields, so resolving took more than one round.
    assert changed > 20
