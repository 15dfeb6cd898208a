"""Check a set of answers against a form: skip logic, required fields, types, constraints, and the
court's minimum content for a file that may be finalised.

Answers are a plain dict ``{field_id: value}`` holding the stored value of each type (see
``FieldType``). Answers of fields that are not relevant (hidden by skip logic) are ignored, never
an error, and are dropped by ``effective_answers`` so that they are not stored or printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.core.forms.expressions import is_empty
from app.core.forms.field_types import check_text_limits, check_value
from app.core.forms.model import Field, FormDefinition, Section, Text
from app.core.forms.value_checks import (
    FieldIssue,
    PhoneCheck,
    Severity,
    check_phone,
    issue,
)

__all__ = [
    "Answers",
    "FieldIssue",
    "PhoneCheck",
    "Severity",
    "check_phone",
    "check_text_limits",
    "check_value",
    "effective_answers",
    "finalise_issues",
    "is_complete",
    "is_required",
    "minimum_content_issues",
    "resolve",
    "validate_answers",
    "visible_fields",
    "visible_sections",
]

Answers = Mapping[str, Any]


# --- skip logic ----------------------------------------------------------------------------------


def _relevant_ids(form: FormDefinition, answers: Answers, today: date) -> set[str]:
    visible: set[str] = set()
    for section in form.sections:
        if section.relevant is not None and not section.relevant.test(answers, today=today):
            continue
        for item in section.fields:
            if item.relevant is None or item.relevant.test(answers, today=today):
                visible.add(item.id)
    return visible


def _resolve(
    form: FormDefinition, answers: Answers, today: date | None
) -> tuple[dict[str, Any], set[str]]:
    """The answers with hidden fields removed, and the ids of the visible fields.

    A hidden field's answer must not keep another field visible, so this repeats until the set
    of visible fields no longer changes (in practice two or three rounds).
    """
    day = today or date.today()
    visible = {item.id for item in form.all_fields()}
    effective = dict(answers)
    for _ in range(len(visible) + 1):
        effective = {
            key: value
            for key, value in answers.items()
            if key in visible or not form.has_field(key)
        }
        new_visible = _relevant_ids(form, effective, day)
        if new_visible == visible:
            break
        visible = new_visible
    return effective, visible


def effective_answers(
    form: FormDefinition, answers: Answers, today: date | None = None
) -> dict[str, Any]:
    """The answers that count: those of hidden fields are left out (keys that are not fields of
    the form, e.g. record metadata, are kept)."""
    return _resolve(form, answers, today)[0]


def visible_sections(
    form: FormDefinition, answers: Answers, today: date | None = None
) -> list[Section]:
    """Sections that are relevant and have at least one visible field."""
    effective, visible = _resolve(form, answers, today)
    day = today or date.today()
    return [
        section
        for section in form.sections
        if (section.relevant is None or section.relevant.test(effective, today=day))
        and any(item.id in visible for item in section.fields)
    ]


def visible_fields(section: Section, answers: Answers, today: date | None = None) -> list[Field]:
    """The fields of ``section`` whose ``relevant`` holds. Pass ``effective_answers(form, ...)``
    so that answers of fields hidden elsewhere do not count."""
    day = today or date.today()
    return [
        item
        for item in section.fields
        if item.relevant is None or item.relevant.test(answers, today=day)
    ]


def is_required(field: Field, answers: Answers, today: date | None = None) -> bool:
    if isinstance(field.required, bool):
        return field.required
    return field.required.test(answers, today=today)


# --- whole form ----------------------------------------------------------------------------------


def validate_answers(
    form: FormDefinition, answers: Answers, today: date | None = None
) -> list[FieldIssue]:
    """Issues of the visible fields, in form order: required, type, then constraint."""
    day = today or date.today()
    effective, visible = _resolve(form, answers, day)
    return _field_issues(form, effective, visible, day)


def _field_issues(
    form: FormDefinition, effective: Answers, visible: set[str], day: date
) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    for item in form.all_fields():
        if item.id not in visible:
            continue
        value = effective.get(item.id)
        if is_empty(value):
            if is_required(item, effective, day):
                issues.append(
                    issue(
                        item,
                        "required",
                        f"Please answer “{item.label.en}”.",
                        f"សូមបំពេញ «{item.label.km}»។",
                    )
                )
            continue
        value_issues = check_value(item, value, day)
        issues.extend(value_issues)
        if any(found.severity is Severity.ERROR for found in value_issues):
            continue
        if item.constraint is not None and not item.constraint.test(
            effective, current=value, today=day
        ):
            message = item.constraint_message or Text(
                km="ចម្លើយនេះមិនត្រឹមត្រូវទេ។", en="This answer is not valid."
            )
            issues.append(FieldIssue(item.id, Severity.ERROR, message, "constraint"))
    return issues


def minimum_content_issues(
    form: FormDefinition, answers: Answers, today: date | None = None
) -> list[FieldIssue]:
    """What is still missing of the court's minimum content (the form's ``minimum_content``
    rules). A rule applies when its ``relevant`` holds and at least one of its fields is visible;
    hidden fields are not asked for."""
    day = today or date.today()
    effective, visible = _resolve(form, answers, day)
    return _missing_content(form, effective, visible, day)


def _missing_content(
    form: FormDefinition, effective: Answers, visible: set[str], day: date
) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    for rule in form.minimum_content:
        if rule.relevant is not None and not rule.relevant.test(effective, today=day):
            continue
        candidates = [field_id for field_id in rule.fields if field_id in visible]
        if not candidates:
            continue
        missing = [field_id for field_id in candidates if is_empty(effective.get(field_id))]
        satisfied = not missing if rule.require == "all" else len(missing) < len(candidates)
        if not satisfied:
            issues.append(FieldIssue(missing[0], Severity.ERROR, rule.message, "minimum_content"))
    return issues


def resolve(
    form: FormDefinition, answers: Answers, today: date | None = None
) -> tuple[dict[str, Any], set[str]]:
    """The skip logic worked out: ``effective_answers`` and the ids of the visible fields."""
    return _resolve(form, answers, today)


def finalise_issues(
    form: FormDefinition,
    answers: Answers,
    today: date | None = None,
    resolved: tuple[dict[str, Any], set[str]] | None = None,
) -> list[FieldIssue]:
    """``validate_answers`` then ``minimum_content_issues``, with the skip logic worked out once
    (what finalising checks, and what a bulk import checks for every record; pass ``resolve``'s
    result when it is known already)."""
    day = today or date.today()
    effective, visible = resolved or _resolve(form, answers, day)
    return [
        *_field_issues(form, effective, visible, day),
        *_missing_content(form, effective, visible, day),
    ]


def is_complete(form: FormDefinition, answers: Answers, today: date | None = None) -> bool:
    """True when nothing blocks finalising: no error and the minimum content is there."""
    return not any(
        found.severity is Severity.ERROR for found in validate_answers(form, answers, today)
    ) and not minimum_content_issues(form, answers, today)
