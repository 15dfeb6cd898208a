"""Validation of answers against the bundled forms: skip logic, required, types, constraints,
and the court's minimum content."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.core.approx_date import ApproxDate
from app.core.forms import (
    FormDefinition,
    Severity,
    check_phone,
    effective_answers,
    is_complete,
    load_all_forms,
    minimum_content_issues,
    validate_answers,
    visible_fields,
    visible_sections,
)

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def civil_party() -> FormDefinition:
    return load_all_forms()["civil_party"]


@pytest.fixture(scope="module")
def complaint() -> FormDefinition:
    return load_all_forms()["complaint"]


def complete_answers() -> dict[str, Any]:
    """A civil party application by a direct victim with everything the court needs."""
    return {
        "applied_before": "no",
        "acting_as": "self",
        "applicant_status": "direct_victim",
        "applicant_name": {"km": "សុខ ចាន់ថា", "latin": "Sok Chantha"},
        "applicant_sex": "female",
        "applicant_birth_date": ApproxDate.from_age(20, 1975).to_dict(),
        "applicant_address": {
            "province": "02",
            "district": "0203",
            "commune": None,
            "village": None,
            "village_text": "Phum Thmei",
        },
        "applicant_phone": "012 345 678",
        "applicant_id_type": "family_book",
        "case_file": "case_002",
        "crime_categories": ["forced_transfer", "enslavement_forced_labour"],
        "crime_date_from": ApproxDate.parse("dry season 1975", today=TODAY).to_dict(),
        "crime_date_to": ApproxDate.from_year(1979).to_dict(),
        "crime_site_name": "Trapeang Thma dam",
        "crime_narrative": "We were evacuated from Phnom Penh and sent to dig the dam.",
        "injury_direct_consequence": True,
        "harm_kinds": ["physical", "psychological"],
        "participation": "civil_party",
        "has_lawyer": False,
        "protection_requested": False,
        "officer_name": "Officer A",
        "intake_organisation": "VSS",
        "intake_forum": "Community forum, Battambang",
        "intake_date": ApproxDate.exact(2025, 5, 30).to_dict(),
        "interview_language": "khmer",
        "intermediary_present": False,
        "interpreter_present": False,
        "learned_of_vss": ["forum"],
        "explained_paths": True,
        "explained_court_state": True,
        "explained_protection": True,
        "explained_notification": True,
        "archive_consent": True,
        "ngo_keeps_copy": False,
        "read_back": True,
        "consent_to_submit": True,
        "signature_mark": "to_be_taken",
    }


def issues_by_field(form: FormDefinition, answers: dict[str, Any]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for issue in validate_answers(form, answers, TODAY):
        result.setdefault(issue.field_id, []).append(issue.code)
    return result


def test_a_complete_application_has_no_errors(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    errors = [
        i for i in validate_answers(civil_party, answers, TODAY) if i.severity is Severity.ERROR
    ]
    assert errors == []
    assert minimum_content_issues(civil_party, answers, TODAY) == []
    assert is_complete(civil_party, answers, TODAY)


def test_skip_logic_hides_the_direct_victim_section(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    # victim_name is required, but only for an indirect victim.
    assert "victim_name" not in issues_by_field(civil_party, answers)
    ids = [s.id for s in visible_sections(civil_party, answers, TODAY)]
    assert "direct_victim" not in ids
    answers["applicant_status"] = "indirect_victim"
    assert "direct_victim" in [s.id for s in visible_sections(civil_party, answers, TODAY)]
    problems = issues_by_field(civil_party, answers)
    assert problems["victim_name"] == ["required"]
    assert problems["victim_fate"] == ["required"]


def test_answers_of_hidden_fields_are_ignored_and_dropped(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    answers["protection_reason"] = 12345  # wrong type, but the field is hidden
    answers["victim_name"] = {"km": "ដារ៉ា", "latin": "Dara"}
    assert "protection_reason" not in issues_by_field(civil_party, answers)
    effective = effective_answers(civil_party, answers, TODAY)
    assert "protection_reason" not in effective
    assert "victim_name" not in effective


def test_hidden_answers_do_not_keep_dependants_visible(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    answers["protection_requested"] = True
    answers["contact_route"] = "lawyer"
    section = civil_party.section("protection")
    assert [f.id for f in visible_fields(section, answers)] == [
        "protection_requested",
        "protection_levels",
        "protection_reason",
        "contact_route",
    ]
    assert issues_by_field(civil_party, answers)["protection_reason"] == ["required"]
    answers["protection_requested"] = False
    assert [f.id for f in visible_fields(section, answers)] == ["protection_requested"]


def test_constraint_message_is_shown(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    answers["crime_date_to"] = ApproxDate.from_year(1970).to_dict()
    issues = [i for i in validate_answers(civil_party, answers, TODAY) if i.code == "constraint"]
    assert [i.field_id for i in issues] == ["crime_date_to"]
    assert issues[0].message.en == "The end cannot be before the start."
    assert issues[0].message.km.startswith("ពេលបញ្ចប់")


def test_civil_party_needs_injury_as_direct_consequence(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    answers["injury_direct_consequence"] = False
    assert issues_by_field(civil_party, answers)["injury_direct_consequence"] == ["constraint"]
    answers["participation"] = "complainant"  # a complainant needs no injury
    assert "injury_direct_consequence" not in issues_by_field(civil_party, answers)


def test_type_checks(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    answers["applicant_sex"] = "unknown_code"
    answers["crime_categories"] = ["torture", "flying"]
    answers["applicant_birth_date"] = {
        "v": 1,
        "precision": "exact",
        "year": 1950,
        "month": 2,
        "day": 31,
    }
    answers["intake_date"] = ApproxDate.from_year(2030).to_dict()
    answers["signature_mark"] = "stamp"
    answers["read_back"] = False
    problems = issues_by_field(civil_party, answers)
    assert problems["applicant_sex"] == ["type"]
    assert problems["crime_categories"] == ["type"]
    assert problems["applicant_birth_date"] == ["type"]
    assert problems["intake_date"] == ["type"]
    assert problems["signature_mark"] == ["type"]
    assert problems["read_back"] == ["consent"]


@pytest.mark.parametrize(
    ("number", "cambodian"),
    [
        ("012 345 678", True),
        ("០១២ ៣៤៥ ៦៧៨", True),
        ("+855 12 345 678", True),
        ("+855 (0)96 123 4567", True),
        ("0969-123-456", True),
        ("+33 6 12 34 56 78", False),
    ],
)
def test_plausible_phone_numbers(number: str, cambodian: bool) -> None:
    result = check_phone(number)
    assert result is not None and result.cambodian is cambodian


@pytest.mark.parametrize("number", ["12345", "0012", "phone", "01234567890123456789", "+855 12"])
def test_implausible_phone_numbers(number: str) -> None:
    assert check_phone(number) is None


def test_phone_issues(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    answers["applicant_phone"] = "12345"
    issue = next(
        i for i in validate_answers(civil_party, answers, TODAY) if i.field_id == "applicant_phone"
    )
    assert issue.severity is Severity.ERROR
    answers["applicant_phone"] = "+33 6 12 34 56 78"
    issue = next(
        i for i in validate_answers(civil_party, answers, TODAY) if i.field_id == "applicant_phone"
    )
    assert issue.severity is Severity.WARNING


def test_name_without_latin_is_a_warning(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    answers["applicant_name"] = {"km": "សុខ ចាន់ថា", "latin": ""}
    issues = [
        i for i in validate_answers(civil_party, answers, TODAY) if i.field_id == "applicant_name"
    ]
    assert [(i.code, i.severity) for i in issues] == [("name", Severity.WARNING)]


def test_minimum_content_names_what_is_missing(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    for key in ("applicant_address", "crime_narrative", "signature_mark"):
        del answers[key]
    missing = {i.message.en for i in minimum_content_issues(civil_party, answers, TODAY)}
    assert missing == {
        "A contact address in Cambodia is missing.",
        "Information on the crimes is missing. What happened?",
        "Signature or thumbprint is missing. Record that it will be taken on the printed declaration.",
    }
    assert not is_complete(civil_party, answers, TODAY)


def test_minimum_content_victim_name_only_for_indirect_victims(civil_party: FormDefinition) -> None:
    answers = complete_answers()
    answers["applicant_status"] = "indirect_victim"
    rule_fields = [i.field_id for i in minimum_content_issues(civil_party, answers, TODAY)]
    assert rule_fields == ["victim_name"]
    answers["victim_name"] = {"km": "ដារ៉ា", "latin": "Dara"}
    assert minimum_content_issues(civil_party, answers, TODAY) == []


def test_when_or_where_is_enough_for_the_crime_time_and_place(complaint: FormDefinition) -> None:
    answers = complete_answers()
    answers["participation"] = "complainant"
    del answers["crime_date_from"]
    del answers["crime_date_to"]
    # The site name still says where: the "any" rule is satisfied.
    assert minimum_content_issues(complaint, answers, TODAY) == []
    del answers["crime_site_name"]
    assert [i.field_id for i in minimum_content_issues(complaint, answers, TODAY)] == [
        "crime_date_from"
    ]


def test_complaint_by_a_witness_cannot_be_a_civil_party(complaint: FormDefinition) -> None:
    answers = complete_answers()
    answers["applicant_status"] = "witness"
    assert issues_by_field(complaint, answers)["participation"] == ["constraint"]
    answers["participation"] = "complainant"
    assert "participation" not in issues_by_field(complaint, answers)
    # Reparations and the lawyer are civil-party matters: hidden for a complainant.
    ids = {s.id for s in visible_sections(complaint, answers, TODAY)}
    assert "reparations" not in ids and "representation" not in ids
