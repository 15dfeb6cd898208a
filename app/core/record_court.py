"""What a record's answers say about its place at the court: the case it names and whether it
asks to be a civil party. Pure functions of the form and the answers (roles, never field ids), so
the court service, deadlines and letters share one reading without importing each other."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.court import Court, CourtCase
from app.core.forms import ChoiceRole, FieldRole, FormDefinition

# The form whose every record asks to join as a civil party (a form id, not a choice code).
CIVIL_PARTY_FORM = "civil_party"


def answer_with_role(form: FormDefinition, answers: Mapping[str, Any], role: FieldRole) -> Any:
    item = form.field_with_role(role)
    return answers.get(item.id) if item is not None else None


def record_case(form: FormDefinition, answers: Mapping[str, Any], court: Court) -> CourtCase | None:
    """The case a record names (its ``court_case`` answer), or None: none or not known."""
    code = answer_with_role(form, answers, FieldRole.COURT_CASE)
    return court.case(code) if isinstance(code, str) else None


def is_civil_party(form: FormDefinition, answers: Mapping[str, Any]) -> bool:
    participation = form.field_with_role(FieldRole.PARTICIPATION)
    return form.id == CIVIL_PARTY_FORM or (
        participation is not None
        and participation.chose_role(answers.get(participation.id), ChoiceRole.CIVIL_PARTY)
    )
