"""Check a set of answers against a form: skip logic, required fields, types, constraints, and the
court's minimum content for a file that may be finalised.

Answers are a plain dict ``{field_id: value}`` holding the stored value of each type (see
``FieldType``). Answers of fields that are not relevant (hidden by skip logic) are ignored, never
an error, and are dropped by ``effective_answers`` so that they are not stored or printed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from app.core.approx_date import ApproxDate, ApproxDateError
from app.core.forms.expressions import is_empty
from app.core.forms.model import (
    NAME_KEYS,
    PLACE_KEYS,
    Field,
    FieldRole,
    FieldType,
    FormDefinition,
    Section,
    SignatureMark,
    Text,
)
from app.core.khmer_text import from_khmer_digits, is_khmer, to_khmer_digits
from app.core.text_limits import max_characters, unprintable_characters


class Severity(StrEnum):
    ERROR = "error"  # the answer cannot be accepted as it is
    WARNING = "warning"  # worth a second look, but may be right


@dataclass(frozen=True)
class FieldIssue:
    field_id: str
    severity: Severity
    message: Text
    code: str  # required | type | constraint | consent | minimum_content | phone | name


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


# --- value checks --------------------------------------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s\-.()/]")


@dataclass(frozen=True)
class PhoneCheck:
    normalized: str  # digits with a leading + for international numbers
    cambodian: bool


def check_phone(text: str) -> PhoneCheck | None:
    """A phone number as typed (ASCII or Khmer digits, spaces, dashes) if it is plausible.

    Cambodian numbers are 0 + 8–9 digits, or +855 + 8–9 digits (a "(0)" after +855 is
    tolerated). Other international numbers (+ or 00, 8–15 digits) are plausible but not
    Cambodian. None for anything else.
    """
    compact = from_khmer_digits(text).replace("(0)", "")
    compact = _PHONE_NOISE.sub("", compact)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    match = re.fullmatch(r"\+?855(0?)([1-9]\d{7,8})", compact)
    if match:
        return PhoneCheck("+855" + match.group(2), True)
    if re.fullmatch(r"0[1-9]\d{7,8}", compact):
        return PhoneCheck(compact, True)
    if re.fullmatch(r"\+[1-9]\d{7,14}", compact):
        return PhoneCheck(compact, False)
    return None


def _issue(
    field: Field, code: str, en: str, km: str, severity: Severity = Severity.ERROR
) -> FieldIssue:
    return FieldIssue(field.id, severity, Text(km=km, en=en), code)


def _type_error(field: Field, en: str, km: str) -> FieldIssue:
    return _issue(field, "type", en, km)


def _typed_texts(field: Field, value: Any) -> list[str]:
    """The pieces of an answer that were typed as text (and are printed as such)."""
    if field.type in (FieldType.TEXT, FieldType.NARRATIVE, FieldType.PHONE):
        return [value] if isinstance(value, str) else []
    if field.type is FieldType.NAME and isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    if field.type is FieldType.PLACE and isinstance(value, dict):
        return [v for k, v in value.items() if k.endswith("_text") and isinstance(v, str)]
    return []


def check_text_limits(field: Field, value: Any) -> list[FieldIssue]:
    """Typed text longer than the printed form holds, or with characters it cannot print."""
    multiline = field.type is FieldType.NARRATIVE
    limit = max_characters(field.type)
    for text in _typed_texts(field, value):
        if limit is not None and len(text) > limit:
            return [
                _issue(
                    field,
                    "too_long",
                    f"Too long: at most {limit} characters (now {len(text)}). Please shorten it.",
                    f"វែងពេក៖ យ៉ាងច្រើន {to_khmer_digits(str(limit))} តួអក្សរ "
                    f"(ឥឡូវ {to_khmer_digits(str(len(text)))})។ សូមសរសេរឱ្យខ្លីជាងនេះ។",
                )
            ]
        refused = unprintable_characters(text, multiline)
        if refused:
            shown = " ".join(refused)
            return [
                _issue(
                    field,
                    "unprintable",
                    f"These characters cannot be printed on the form: {shown} Please leave them out.",
                    f"តួអក្សរទាំងនេះមិនអាចបោះពុម្ពលើទម្រង់បានទេ៖ {shown} សូមកុំប្រើវា។",
                )
            ]
    return []


BIRTH_ROLES = frozenset({FieldRole.APPLICANT_BIRTH, FieldRole.VICTIM_BIRTH})


def _in_the_future(value: Any, today: date | None) -> bool:
    """A typed date that reads well and is refused only because it has not happened yet."""
    if not isinstance(value, str):
        return False
    try:
        return ApproxDate.parse(value, today=date.max).is_future(today)
    except ApproxDateError:
        return False


def _future_birth(field: Field) -> FieldIssue:
    return _type_error(
        field,
        "This birth year is in the future. Please check the year.",
        "ឆ្នាំកំណើតនេះស្ថិតនៅពេលអនាគត។ សូមពិនិត្យឆ្នាំម្តងទៀត។",
    )


def check_value(field: Field, value: Any, today: date | None = None) -> list[FieldIssue]:
    """Type checks of one non-empty answer (errors), plus plausibility warnings."""
    kind = field.type
    limits = check_text_limits(field, value)
    if limits:
        return limits
    if kind in (FieldType.TEXT, FieldType.NARRATIVE):
        if not isinstance(value, str):
            return [_type_error(field, "Expected text.", "ត្រូវតែជាអក្សរ។")]
        return []
    if kind is FieldType.NAME:
        return _check_name(field, value)
    if kind is FieldType.APPROX_DATE:
        try:
            when = ApproxDate.from_dict(value)
        except ApproxDateError as error:
            # Kept as typed when it could not be read: say why it could not (e.g. the future).
            if isinstance(value, str):
                if field.role in BIRTH_ROLES and _in_the_future(value, today):
                    return [_future_birth(field)]
                try:
                    ApproxDate.parse(value, today=today)
                except ApproxDateError as typed:
                    return [_type_error(field, typed.en, typed.km)]
            return [_type_error(field, error.en, error.km)]
        if when.is_future(today):
            if field.role in BIRTH_ROLES:
                return [_future_birth(field)]
            return [_type_error(field, "This date is in the future.", "កាលបរិច្ឆេទនេះជាពេលអនាគត។")]
        return []
    if kind is FieldType.CHOICE:
        if not isinstance(value, str) or field.choice(value) is None:
            return [
                _type_error(
                    field, f"'{value}' is not one of the choices.", "ចម្លើយនេះមិនមែនជាជម្រើសមួយទេ។"
                )
            ]
        return []
    if kind is FieldType.MULTI_CHOICE:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return [_type_error(field, "Expected a list of choices.", "ត្រូវតែជាបញ្ជីជម្រើស។")]
        unknown = [v for v in value if field.choice(v) is None]
        if unknown:
            return [
                _type_error(
                    field,
                    f"Not among the choices: {', '.join(unknown)}.",
                    "ចម្លើយខ្លះមិនមែនជាជម្រើសទេ។",
                )
            ]
        if len(set(value)) != len(value):
            return [_type_error(field, "A choice is given twice.", "ជម្រើសមួយត្រូវបានជ្រើសពីរដង។")]
        return []
    if kind is FieldType.YES_NO:
        if not isinstance(value, bool):
            return [_type_error(field, "Expected yes or no.", "ត្រូវតែជា បាទ/ចាស ឬ ទេ។")]
        return []
    if kind is FieldType.CONSENT:
        if value is not True:
            return [
                _issue(
                    field,
                    "consent",
                    "The applicant must agree before the form can be used.",
                    "អ្នកដាក់ពាក្យត្រូវតែយល់ព្រម ទើបអាចប្រើទម្រង់នេះបាន។",
                )
            ]
        return []
    if kind is FieldType.PLACE:
        if not isinstance(value, dict) or not set(value) <= set(PLACE_KEYS):
            return [
                _type_error(
                    field,
                    "Expected a place (province, district, commune, village).",
                    "ត្រូវតែជាទីកន្លែង (ខេត្ត ស្រុក ឃុំ ភូមិ)។",
                )
            ]
        if not all(v is None or isinstance(v, str) for v in value.values()):
            return [_type_error(field, "Place codes must be text.", "លេខកូដទីកន្លែងត្រូវតែជាអក្សរ។")]
        return []
    if kind is FieldType.PHONE:
        if not isinstance(value, str):
            return [_type_error(field, "Expected a phone number.", "ត្រូវតែជាលេខទូរស័ព្ទ។")]
        phone = check_phone(value)
        if phone is None:
            return [
                _issue(
                    field,
                    "phone",
                    "This is not a phone number. A Cambodian number is 0 followed by 8 or 9 digits, or +855 followed by 8 or 9 digits.",
                    "នេះមិនមែនជាលេខទូរស័ព្ទទេ។ លេខនៅកម្ពុជាចាប់ផ្តើមដោយ ០ ហើយមានលេខ ៨ ឬ ៩ខ្ទង់ទៀត ឬចាប់ផ្តើមដោយ +៨៥៥។",
                )
            ]
        if not phone.cambodian:
            return [
                _issue(
                    field,
                    "phone",
                    "This is not a Cambodian number. Please check it.",
                    "នេះមិនមែនជាលេខទូរស័ព្ទនៅកម្ពុជាទេ។ សូមពិនិត្យម្តងទៀត។",
                    Severity.WARNING,
                )
            ]
        return []
    if kind is FieldType.INTEGER:
        if isinstance(value, bool) or not (
            isinstance(value, int)
            or (isinstance(value, str) and from_khmer_digits(value.strip()).isdigit())
        ):
            return [_type_error(field, "Expected a whole number.", "ត្រូវតែជាចំនួនគត់។")]
        return []
    if kind is FieldType.ATTACHMENT:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str | dict) for v in value):
            return [_type_error(field, "Expected a list of files.", "ត្រូវតែជាបញ្ជីឯកសារ។")]
        return []
    if kind is FieldType.SIGNATURE_MARK:
        if value not in {mark.value for mark in SignatureMark}:
            return [
                _type_error(
                    field,
                    "Expected signature, thumbprint or to be taken.",
                    "ត្រូវតែជា ហត្ថលេខា ស្នាមមេដៃ ឬនឹងចុះនៅពេលក្រោយ។",
                )
            ]
        return []
    return []  # pragma: no cover - every FieldType is handled above


def _check_name(field: Field, value: Any) -> list[FieldIssue]:
    if (
        not isinstance(value, dict)
        or not set(value) <= set(NAME_KEYS)
        or not all(v is None or isinstance(v, str) for v in value.values())
    ):
        return [
            _type_error(
                field,
                "Expected a name in Khmer and in Latin letters.",
                "ត្រូវតែជាឈ្មោះជាអក្សរខ្មែរ និងអក្សរឡាតាំង។",
            )
        ]
    khmer = (value.get("km") or "").strip()
    latin = (value.get("latin") or "").strip()
    issues: list[FieldIssue] = []
    if khmer and not is_khmer(khmer):
        issues.append(
            _issue(
                field,
                "name",
                "The Khmer name has no Khmer letters.",
                "ឈ្មោះជាអក្សរខ្មែរ មិនមានអក្សរខ្មែរទេ។",
                Severity.WARNING,
            )
        )
    if latin and is_khmer(latin):
        issues.append(
            _issue(
                field,
                "name",
                "The name in Latin letters contains Khmer letters.",
                "ឈ្មោះជាអក្សរឡាតាំង មានអក្សរខ្មែរ។",
                Severity.WARNING,
            )
        )
    if not khmer or not latin:
        missing_en = "in Khmer" if not khmer else "in Latin letters"
        missing_km = "ជាអក្សរខ្មែរ" if not khmer else "ជាអក្សរឡាតាំង"
        issues.append(
            _issue(
                field,
                "name",
                f"Please also write the name {missing_en}.",
                f"សូមសរសេរឈ្មោះ{missing_km}ផងដែរ។",
                Severity.WARNING,
            )
        )
    return issues


# --- whole form ----------------------------------------------------------------------------------


def validate_answers(
    form: FormDefinition, answers: Answers, today: date | None = None
) -> list[FieldIssue]:
    """Issues of the visible fields, in form order: required, type, then constraint."""
    day = today or date.today()
    effective, visible = _resolve(form, answers, day)
    issues: list[FieldIssue] = []
    for item in form.all_fields():
        if item.id not in visible:
            continue
        value = effective.get(item.id)
        if is_empty(value):
            if is_required(item, effective, day):
                issues.append(
                    _issue(
                        item,
                        "required",
                        f"Please answer “{item.label.en}”.",
                        f"សូមបំពេញ «{item.label.km}»។",
                    )
                )
            continue
        value_issues = check_value(item, value, day)
        issues.extend(value_issues)
        if any(issue.severity is Severity.ERROR for issue in value_issues):
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


def is_complete(form: FormDefinition, answers: Answers, today: date | None = None) -> bool:
    """True when nothing blocks finalising: no error and the minimum content is there."""
    return not any(
        issue.severity is Severity.ERROR for issue in validate_answers(form, answers, today)
    ) and not minimum_content_issues(form, answers, today)
