"""The Rule 29 levels as data: each form's level choices are the levels the code knows, each
level hides at least what the weaker ones hide, and records stored before the levels were one
choice read as the nearest level that hides no less."""

from __future__ import annotations

import itertools

import pytest

from app.core.forms import FieldRole, FieldType, FormDefinition, load_all_forms
from app.core.protection import (
    HIDDEN,
    NEAREST_TO_YES,
    Document,
    Hidden,
    ProtectionLevel,
    as_level,
    hidden,
    identity_protected,
    in_current_shape,
    protection_level,
    withholds,
)

FORMS = load_all_forms()
PROTECTED_FORMS = [f for f in FORMS.values() if f.field_with_role(FieldRole.PROTECTION_LEVEL)]


def _ids(form: FormDefinition) -> tuple[str, str]:
    gate = form.field_with_role(FieldRole.IDENTITY_PROTECTION)
    level = form.field_with_role(FieldRole.PROTECTION_LEVEL)
    assert gate is not None and level is not None
    return gate.id, level.id


def test_both_application_forms_ask_for_one_level_with_khmer_help() -> None:
    assert sorted(f.id for f in PROTECTED_FORMS) == ["civil_party", "complaint"]
    for form in PROTECTED_FORMS:
        item = form.field_with_role(FieldRole.PROTECTION_LEVEL)
        assert item is not None and item.type is FieldType.CHOICE
        assert [c.code for c in item.choices] == [
            "from_public",
            "from_parties",
            "family_danger",
        ]
        assert all(c.code in set(ProtectionLevel) for c in item.choices)
        for choice in item.choices:
            assert choice.help is not None and choice.help.km.strip() and choice.help.en.strip()


def test_each_level_hides_at_least_what_a_weaker_one_hides() -> None:
    order = list(ProtectionLevel)
    for document in Document:
        for weaker, stronger in itertools.pairwise(order):
            assert hidden(weaker, document) <= hidden(stronger, document), (document, stronger)
    assert all(not hidden(level, Document.SYNC) for level in ProtectionLevel)
    assert all(not hides for hides in HIDDEN[ProtectionLevel.NONE].values())
    assert hidden(ProtectionLevel.FROM_PUBLIC, Document.REDACTED_APPLICATION) == {
        Hidden.APPLICANT_NAME,
        Hidden.WRITTEN,
    }
    assert hidden(ProtectionLevel.FAMILY_DANGER, Document.STATUS_LETTER) == {
        Hidden.APPLICANT_NAME,
        Hidden.DIRECT_CONTACT,
    }
    assert hidden(ProtectionLevel.FAMILY_DANGER, Document.REPORT) == {Hidden.LOCALITY}


def test_unknown_or_empty_codes() -> None:
    assert as_level(None) is ProtectionLevel.NONE
    assert as_level("") is ProtectionLevel.NONE
    assert as_level("witness_programme") is ProtectionLevel.FAMILY_DANGER  # unknown: strongest


@pytest.mark.parametrize("form", PROTECTED_FORMS, ids=lambda f: f.id)
def test_older_answers_read_as_the_nearest_level(form: FormDefinition) -> None:
    gate, level = _ids(form)
    cases = [
        ({gate: False, level: "family_danger"}, ProtectionLevel.NONE),  # not asked: hidden field
        ({gate: True, level: "from_parties"}, ProtectionLevel.FROM_PARTIES),
        ({gate: True}, NEAREST_TO_YES),  # the yes/no of the oldest records
        ({gate: True, level: []}, NEAREST_TO_YES),
        ({gate: True, level: ["from_public", "family_danger"]}, ProtectionLevel.FAMILY_DANGER),
        ({gate: True, level: ["from_parties", "from_public"]}, ProtectionLevel.FROM_PARTIES),
        ({}, ProtectionLevel.NONE),
    ]
    for answers, expected in cases:
        assert protection_level(form, answers) is expected, answers
        assert identity_protected(form, answers) is (expected is not ProtectionLevel.NONE)


@pytest.mark.parametrize("form", PROTECTED_FORMS, ids=lambda f: f.id)
def test_older_answers_open_in_the_current_shape(form: FormDefinition) -> None:
    gate, level = _ids(form)
    other = {"intake_note": "kept as it was"}
    assert in_current_shape(
        form, {gate: True, level: ["from_public", "from_parties"], **other}
    ) == {
        gate: True,
        level: "from_parties",
        **other,
    }
    assert in_current_shape(form, {gate: True, **other}) == {
        gate: True,
        level: "from_public",
        **other,
    }
    assert in_current_shape(form, {gate: False, level: ["from_public"]}) == {gate: False}
    current = {gate: True, level: "family_danger", **other}
    assert in_current_shape(form, current) == current


def test_what_a_redacted_copy_withholds_by_kind_of_answer() -> None:
    form = FORMS["civil_party"]
    by_role = {
        role: form.field_with_role(role)
        for role in (
            FieldRole.APPLICANT_NAME,
            FieldRole.APPLICANT_BIRTH,
            FieldRole.PROTECTION_LEVEL,
            FieldRole.FORUM,
            FieldRole.INTAKE_DATE,
            FieldRole.OFFICER_NAME,
        )
    }
    expected = {
        ProtectionLevel.NONE: set(),
        ProtectionLevel.FROM_PUBLIC: {FieldRole.APPLICANT_NAME},
        ProtectionLevel.FROM_PARTIES: {FieldRole.APPLICANT_NAME, FieldRole.APPLICANT_BIRTH},
        ProtectionLevel.FAMILY_DANGER: {
            FieldRole.APPLICANT_NAME,
            FieldRole.APPLICANT_BIRTH,
            FieldRole.PROTECTION_LEVEL,
            FieldRole.FORUM,
            FieldRole.INTAKE_DATE,
        },
    }
    for level, roles in expected.items():
        hides = hidden(level, Document.REDACTED_APPLICATION)
        withheld = {role for role, item in by_role.items() if item and withholds(hides, item)}
        assert withheld == roles, level
