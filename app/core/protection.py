"""Identity protection: whether an applicant asked for it, and what a redacted copy withholds.

Read through the field that carries the ``identity_protection`` role, so finer levels can be
added to the forms without touching the code that prints or exports: a yes/no field protects when
answered yes; a choice of levels protects with every choice except the form's first one, which a
form lists as "no protection" (e.g. "public").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.forms.field_types import FIELD_TYPES, type_of
from app.core.forms.model import Field, FieldRole, FormDefinition

# Free text can name people and places in any words, so a redacted copy withholds every free-text
# answer (names, places, narratives, the protection reason, identity numbers, attachments), and
# keeps only fixed choices, dates, numbers and the intake's own details (officer, forum).
FREE_TEXT_TYPES = frozenset(kind for kind, meaning in FIELD_TYPES.items() if meaning.free_text)
KEPT_IN_REDACTED_COPY = frozenset({FieldRole.OFFICER_NAME, FieldRole.FORUM})


def protection_level(form: FormDefinition, answers: Mapping[str, Any]) -> str | None:
    """The answer of the protection field as a level code: None when not asked or not
    protected; "protected" for a yes/no field answered yes; the choice code for a choice."""
    item = form.field_with_role(FieldRole.IDENTITY_PROTECTION)
    if item is None:
        return None
    value = answers.get(item.id)
    if type_of(item).has_choices and item.choices:
        codes = value if isinstance(value, list) else [value]
        chosen = [str(c) for c in codes if c and c != item.choices[0].code]
        return chosen[0] if chosen else None
    return "protected" if value in (True, "yes") else None


def identity_protected(form: FormDefinition, answers: Mapping[str, Any]) -> bool:
    return protection_level(form, answers) is not None


def withheld_when_redacted(item: Field) -> bool:
    """Whether a redacted copy masks this field's answer."""
    if item.identifying:
        return True
    return type_of(item).free_text and item.role not in KEPT_IN_REDACTED_COPY
