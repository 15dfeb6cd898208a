"""How one answer of each field type is checked: the checks the type table
(``app.core.forms.field_types``) gives each type, and the issue they report.

Each check receives a non-empty answer and returns errors for an answer that cannot be accepted
as it is, and warnings for one that is worth a second look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from app.core.approx_date import ApproxDate, ApproxDateError
from app.core.forms.model import NAME_KEYS, PLACE_KEYS, Field, FieldRole, SignatureMark, Text
from app.core.khmer_text import from_khmer_digits, is_khmer


class Severity(StrEnum):
    ERROR = "error"  # the answer cannot be accepted as it is
    WARNING = "warning"  # worth a second look, but may be right


@dataclass(frozen=True)
class FieldIssue:
    field_id: str
    severity: Severity
    message: Text
    code: str  # required | type | constraint | consent | minimum_content | phone | name


def issue(
    field: Field, code: str, en: str, km: str, severity: Severity = Severity.ERROR
) -> FieldIssue:
    return FieldIssue(field.id, severity, Text(km=km, en=en), code)


def type_error(field: Field, en: str, km: str) -> FieldIssue:
    return issue(field, "type", en, km)


# --- phone numbers -------------------------------------------------------------------------------

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


def check_phone_answer(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if not isinstance(value, str):
        return [type_error(field, "Expected a phone number.", "ត្រូវតែជាលេខទូរស័ព្ទ។")]
    phone = check_phone(value)
    if phone is None:
        return [
            issue(
                field,
                "phone",
                "This is not a phone number. A Cambodian number is 0 followed by 8 or 9 digits, or +855 followed by 8 or 9 digits.",
                "នេះមិនមែនជាលេខទូរស័ព្ទទេ។ លេខនៅកម្ពុជាចាប់ផ្តើមដោយ ០ ហើយមានលេខ ៨ ឬ ៩ខ្ទង់ទៀត ឬចាប់ផ្តើមដោយ +៨៥៥។",
            )
        ]
    if not phone.cambodian:
        return [
            issue(
                field,
                "phone",
                "This is not a Cambodian number. Please check it.",
                "នេះមិនមែនជាលេខទូរស័ព្ទនៅកម្ពុជាទេ។ សូមពិនិត្យម្តងទៀត។",
                Severity.WARNING,
            )
        ]
    return []


# --- dates ---------------------------------------------------------------------------------------

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
    return type_error(
        field,
        "This birth year is in the future. Please check the year.",
        "ឆ្នាំកំណើតនេះស្ថិតនៅពេលអនាគត។ សូមពិនិត្យឆ្នាំម្តងទៀត។",
    )


def check_approx_date(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
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
                return [type_error(field, typed.en, typed.km)]
        return [type_error(field, error.en, error.km)]
    if when.is_future(today):
        if field.role in BIRTH_ROLES:
            return [_future_birth(field)]
        return [type_error(field, "This date is in the future.", "កាលបរិច្ឆេទនេះជាពេលអនាគត។")]
    return []


# --- the other types -----------------------------------------------------------------------------


def check_text(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if not isinstance(value, str):
        return [type_error(field, "Expected text.", "ត្រូវតែជាអក្សរ។")]
    return []


def check_choice(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if not isinstance(value, str) or field.choice(value) is None:
        return [
            type_error(field, f"'{value}' is not one of the choices.", "ចម្លើយនេះមិនមែនជាជម្រើសមួយទេ។")
        ]
    return []


def check_multi_choice(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return [type_error(field, "Expected a list of choices.", "ត្រូវតែជាបញ្ជីជម្រើស។")]
    unknown = [v for v in value if field.choice(v) is None]
    if unknown:
        return [
            type_error(
                field,
                f"Not among the choices: {', '.join(unknown)}.",
                "ចម្លើយខ្លះមិនមែនជាជម្រើសទេ។",
            )
        ]
    if len(set(value)) != len(value):
        return [type_error(field, "A choice is given twice.", "ជម្រើសមួយត្រូវបានជ្រើសពីរដង។")]
    return []


def check_yes_no(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if not isinstance(value, bool):
        return [type_error(field, "Expected yes or no.", "ត្រូវតែជា បាទ/ចាស ឬ ទេ។")]
    return []


def check_consent(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if value is not True:
        return [
            issue(
                field,
                "consent",
                "The applicant must agree before the form can be used.",
                "អ្នកដាក់ពាក្យត្រូវតែយល់ព្រម ទើបអាចប្រើទម្រង់នេះបាន។",
            )
        ]
    return []


def check_place(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if not isinstance(value, dict) or not set(value) <= set(PLACE_KEYS):
        return [
            type_error(
                field,
                "Expected a place (province, district, commune, village).",
                "ត្រូវតែជាទីកន្លែង (ខេត្ត ស្រុក ឃុំ ភូមិ)។",
            )
        ]
    if not all(v is None or isinstance(v, str) for v in value.values()):
        return [type_error(field, "Place codes must be text.", "លេខកូដទីកន្លែងត្រូវតែជាអក្សរ។")]
    return []


def check_integer(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if isinstance(value, bool) or not (
        isinstance(value, int)
        or (isinstance(value, str) and from_khmer_digits(value.strip()).isdigit())
    ):
        return [type_error(field, "Expected a whole number.", "ត្រូវតែជាចំនួនគត់។")]
    return []


def check_attachment(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str | dict) for v in value):
        return [type_error(field, "Expected a list of files.", "ត្រូវតែជាបញ្ជីឯកសារ។")]
    return []


def check_signature_mark(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    # Not `value in {...}` alone: a list or a dict (a broken import) is not hashable.
    if not isinstance(value, str) or value not in {mark.value for mark in SignatureMark}:
        return [
            type_error(
                field,
                "Expected signature, thumbprint or to be taken.",
                "ត្រូវតែជា ហត្ថលេខា ស្នាមមេដៃ ឬនឹងចុះនៅពេលក្រោយ។",
            )
        ]
    return []


def check_name(field: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if (
        not isinstance(value, dict)
        or not set(value) <= set(NAME_KEYS)
        or not all(v is None or isinstance(v, str) for v in value.values())
    ):
        return [
            type_error(
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
            issue(
                field,
                "name",
                "The Khmer name has no Khmer letters.",
                "ឈ្មោះជាអក្សរខ្មែរ មិនមានអក្សរខ្មែរទេ។",
                Severity.WARNING,
            )
        )
    if latin and is_khmer(latin):
        issues.append(
            issue(
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
            issue(
                field,
                "name",
                f"Please also write the name {missing_en}.",
                f"សូមសរសេរឈ្មោះ{missing_km}ផងដែរ។",
                Severity.WARNING,
            )
        )
    return issues
