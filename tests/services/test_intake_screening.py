"""Jurisdiction screening read through the form's roles: crime dates as people give them."""

from __future__ import annotations

import random

from app.core.approx_date import ApproxDate
from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.services import form_catalogue
from app.services.intake import screening_notes


def test_an_age_typed_as_the_time_of_a_crime_is_not_a_birth_year() -> None:
    form = form_catalogue.form_definition("complaint")
    answers = demo_answers(form, random.Random(8), overrides={"protection_requested": False})
    aged = ApproxDate.parse("30 years old in 1977").to_dict()
    date_from = form.field_with_role(FieldRole.CRIME_DATE_FROM)
    date_to = form.field_with_role(FieldRole.CRIME_DATE_TO)
    assert date_from is not None and date_to is not None
    answers = {**answers, date_from.id: aged, date_to.id: aged}
    codes = [note.code for note in screening_notes(form, answers)]
    assert not any(code.startswith("date.") for code in codes), codes
    about_1974 = ApproxDate.parse("about 1974").to_dict()
    answers = {**answers, date_from.id: about_1974, date_to.id: about_1974}
    codes = [note.code for note in screening_notes(form, answers)]
    assert "date.possibly_within" in codes
