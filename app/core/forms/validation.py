"""Check a set of answers against a form: skip logic, required fields, types, constraints, and the
court's minimum content for a file that may be finalised.

Answers are a plain dict ``{field_id: value}`` holding the stored value of each type (see
``FieldType``). Answers of fields that are not relevant (hidden by skip logic) are ignored, never
an error, and are dropped by ``effective_answers`` so that they are not stored or printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core import clock
from app.core.forms.expression_eval import Code, truthy
from app.core.forms.expressions import Expression, is_empty
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
    "required_issue",
    "resolve",
    "validate_answers",
    "visible_fields",
    "visible_sections",
]

Answers = Mapping[str, Any]


# --- skip logic ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SkipLogic:
    """A form's skip logic as tables, worked out once per form (``FormDefinition.worked_out``).

    Each ``relevant`` expression has a number; ``readers`` gives, for each field, the expressions
    that read its answer. An expression's value depends on nothing but the answers it reads (and
    the day), so when a round of ``_resolve`` hides or shows fields, only the expressions reading
    those fields' answers are worked out again.
    """

    codes: tuple[Code, ...]
    # (the section's expression, ((field id, its expression), ...)) in form order
    sections: tuple[tuple[int | None, tuple[tuple[str, int | None], ...]], ...]
    readers: Mapping[str, tuple[int, ...]]
    field_ids: frozenset[str]


def _skip_logic(form: FormDefinition) -> _SkipLogic:
    expressions: list[Expression] = []

    def number(expression: Expression | None) -> int | None:
        if expression is None:
            return None
        expressions.append(expression)
        return len(expressions) - 1

    sections = tuple(
        (
            number(section.relevant),
            tuple((item.id, number(item.relevant)) for item in section.fields),
        )
        for section in form.sections
    )
    readers: dict[str, list[int]] = {}
    for index, expression in enumerate(expressions):
        for field_id in expression.field_refs:
            readers.setdefault(field_id, []).append(index)
    return _SkipLogic(
        codes=tuple(expression.code for expression in expressions),
        sections=sections,
        readers={field_id: tuple(indexes) for field_id, indexes in readers.items()},
        field_ids=frozenset(item.id for item in form.all_fields()),
    )


def _relevant_ids(
    logic: _SkipLogic, answers: Answers, today: date, known: list[bool | None]
) -> set[str]:
    """The visible fields; ``known`` holds the values of expressions worked out already (None:
    not yet) and is filled in as they are."""
    codes = logic.codes

    def holds(index: int) -> bool:
        value = known[index]
        if value is None:
            value = known[index] = truthy(codes[index](answers, None, today))
        return value

    visible: set[str] = set()
    for section_relevant, fields in logic.sections:
        if section_relevant is not None and not holds(section_relevant):
            continue
        for field_id, relevant in fields:
            if relevant is None or holds(relevant):
                visible.add(field_id)
    return visible


def _resolve(
    form: FormDefinition, answers: Answers, today: date | None
) -> tuple[dict[str, Any], set[str]]:
    """The answers with hidden fields removed, and the ids of the visible fields.

    A hidden field's answer must not keep another field visible, so this repeats until the set
    of visible fields no longer changes (in practice two or three rounds).
    """
    day = today or clock.today()
    logic = form.worked_out("skip_logic", _skip_logic)
    field_ids = logic.field_ids
    visible = set(field_ids)
    effective = dict(answers)
    known: list[bool | None] = [None] * len(logic.codes)
    previous: dict[str, Any] | None = None
    for _ in range(len(visible) + 1):
        effective = {
            key: value for key, value in answers.items() if key in visible or key not in field_ids
        }
        if previous is not None:
            for field_id in previous.keys() ^ effective.keys():  # answers hidden or shown
                for index in logic.readers.get(field_id, ()):
                    known[index] = None
        new_visible = _relevant_ids(logic, effective, day, known)
        if new_visible == visible:
            break
        visible = new_visible
        previous = effective
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
    day = today or clock.today()
    return [
        section
        for section in form.sections
        if (section.relevant is None or section.relevant.test(effective, today=day))
        and any(item.id in visible for item in section.fields)
    ]


def visible_fields(section: Section, answers: Answers, today: date | None = None) -> list[Field]:
    """The fields of ``section`` whose ``relevant`` holds. Pass ``effective_answers(form, ...)``
    so that answers of fields hidden elsewhere do not count."""
    day = today or clock.today()
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
    day = today or clock.today()
    effective, visible = _resolve(form, answers, day)
    return _field_issues(form, effective, visible, day)


@dataclass(frozen=True)
class _FieldCheck:
    """What is checked of one field's answer, looked up once per form instead of per record."""

    item: Field
    required: bool | Code
    constraint: Code | None
    constraint_message: Text


_NOT_VALID = Text(km="ចម្លើយនេះមិនត្រឹមត្រូវទេ។", en="This answer is not valid.")


def _field_checks(form: FormDefinition) -> tuple[_FieldCheck, ...]:
    return tuple(
        _FieldCheck(
            item,
            item.required if isinstance(item.required, bool) else item.required.code,
            item.constraint.code if item.constraint is not None else None,
            item.constraint_message or _NOT_VALID,
        )
        for item in form.all_fields()
    )


def required_issue(item: Field) -> FieldIssue:
    """The issue of a required field left empty."""
    return issue(
        item, "required", f"Please answer “{item.label.en}”.", f"សូមបំពេញ «{item.label.km}»។"
    )


def _field_issues(
    form: FormDefinition, effective: Answers, visible: set[str], day: date
) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    for check in form.worked_out("field_checks", _field_checks):
        item = check.item
        if item.id not in visible:
            continue
        value = effective.get(item.id)
        if is_empty(value):
            required = check.required
            if required is True or (
                required is not False and truthy(required(effective, None, day))
            ):
                issues.append(required_issue(item))
            continue
        value_issues = check_value(item, value, day)
        if value_issues:
            issues.extend(value_issues)
            if any(found.severity is Severity.ERROR for found in value_issues):
                continue
        if check.constraint is not None and not truthy(check.constraint(effective, value, day)):
            issues.append(
                FieldIssue(item.id, Severity.ERROR, check.constraint_message, "constraint")
            )
    return issues


def minimum_content_issues(
    form: FormDefinition, answers: Answers, today: date | None = None
) -> list[FieldIssue]:
    """What is still missing of the court's minimum content (the form's ``minimum_content``
    rules). A rule applies when its ``relevant`` holds and at least one of its fields is visible;
    hidden fields are not asked for."""
    day = today or clock.today()
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
    day = today or clock.today()
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
