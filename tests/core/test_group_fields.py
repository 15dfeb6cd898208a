"""The repeating group type (several direct victims, each a person): loading, checks of each
item, words on review and print, demo values."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from app.core.demo_answers import demo_answers
from app.core.forms import FormDefinition, check_form_file, load_form, validate_answers
from app.core.forms.field_types import answer_words
from app.core.forms.model import FieldRole, FieldType, Text

FORMS = Path(__file__).resolve().parents[2] / "forms"
TODAY = date(2026, 11, 30)
SISTER = {
    "other_victim_relationship": "sibling",
    "other_victim_name": {"km": "ហេង ធារី", "latin": "Heng Theary"},
    "other_victim_fate": "disappeared",
    "other_victim_last_place": {"village_text": "ភូមិអូរ"},
}


@pytest.fixture(scope="module")
def civil_party() -> FormDefinition:
    return load_form(FORMS / "civil_party.yaml")


def _indirect(civil_party: FormDefinition, **more: object) -> dict[str, object]:
    answers = demo_answers(
        civil_party,
        random.Random(3),
        today=TODAY,
        overrides={"applicant_status": "indirect_victim", "victim_fate": "killed"},
    )
    answers.update(more)
    return answers


def test_the_group_holds_people_with_the_victim_roles(civil_party: FormDefinition) -> None:
    group = civil_party.field("other_victims")
    assert group.type is FieldType.GROUP
    roles = {member.role for member in group.fields if member.role is not None}
    assert roles == {
        FieldRole.VICTIM_NAME,
        FieldRole.VICTIM_FATE,
        FieldRole.VICTIM_RELATIONSHIP,
        FieldRole.VICTIM_LAST_PLACE,
    }
    fates = group.member_with_role(FieldRole.VICTIM_FATE)
    assert fates is not None
    assert {"killed", "disappeared", "died_starvation", "died_illness", "died_forced_labour",
            "survived"} <= set(fates.choice_codes)  # fmt: skip


def test_each_item_is_checked_and_problems_name_the_item(civil_party: FormDefinition) -> None:
    answers = _indirect(civil_party, other_victims=[SISTER, {"other_victim_fate": "killed"}])
    issues = [
        i for i in validate_answers(civil_party, answers, TODAY) if i.field_id == "other_victims"
    ]
    assert [(i.code, i.message.en) for i in issues] == [
        ("required", "Other direct victims No. 2: Please answer “How related to the applicant?”."),
        ("required", "Other direct victims No. 2: Please answer “Name”."),
    ]
    assert issues[0].message.km.startswith("ជនរងគ្រោះផ្ទាល់ផ្សេងទៀត ទី២៖ ")
    # The first item is complete; a wrong type inside an item is an error of the group too.
    bad = dict(SISTER, other_victim_fate="eaten_by_tigers")
    issues = validate_answers(civil_party, _indirect(civil_party, other_victims=[bad]), TODAY)
    assert [i.code for i in issues if i.field_id == "other_victims"] == ["type"]
    assert validate_answers(civil_party, _indirect(civil_party, other_victims="text"), TODAY)


def test_a_hidden_member_is_not_asked_for(civil_party: FormDefinition) -> None:
    survived = {k: v for k, v in SISTER.items() if k != "other_victim_last_place"}
    survived["other_victim_fate"] = "survived"
    answers = _indirect(civil_party, other_victims=[survived])
    assert [
        i for i in validate_answers(civil_party, answers, TODAY) if i.field_id == "other_victims"
    ] == []


def test_the_words_of_a_group_number_each_person(civil_party: FormDefinition) -> None:
    group = civil_party.field("other_victims")
    words = answer_words(group, [SISTER, SISTER], lambda place: Text("ភូមិអូរ", "Ou village"))
    assert len(words) == 2
    first = words[0]
    assert isinstance(first, Text)
    assert first.km == (
        "១. បងប្អូនបង្កើត — ហេង ធារី / Heng Theary — បាត់ខ្លួន ហើយរកមិនឃើញរហូតមកដល់សព្វថ្ងៃ — ភូមិអូរ"
    )
    assert first.en.startswith("1. Brother or sister — ហេង ធារី / Heng Theary — Disappeared")
    assert isinstance(words[1], Text) and words[1].en.startswith("2. ")


def test_loader_refuses_a_group_in_a_group_and_fields_on_other_types(tmp_path: Path) -> None:
    source = (FORMS / "civil_party.yaml").read_text(encoding="utf-8")
    nested = source.replace(
        "          - id: other_victim_notes\n",
        "          - id: inner\n            type: group\n            label: {km: ក, en: Inner}\n"
        "            fields:\n              - id: inner_text\n                type: text\n"
        "                label: {km: ខ, en: Text}\n          - id: other_victim_notes\n",
    )
    assert nested != source
    path = tmp_path / "nested.yaml"
    path.write_text(nested, encoding="utf-8")
    assert any("cannot hold another group" in p.message for p in check_form_file(path))
    stray = source.replace(
        "      - id: victim_sex\n        type: choice\n",
        "      - id: victim_sex\n        type: choice\n        fields: []\n",
    )
    path.write_text(stray, encoding="utf-8")
    assert any("takes no fields" in p.message for p in check_form_file(path))


def test_a_required_group_gets_demo_people_that_validate(civil_party: FormDefinition) -> None:
    from dataclasses import replace

    group = replace(civil_party.field("other_victims"), required=True)
    sections = tuple(
        replace(s, fields=tuple(group if f.id == group.id else f for f in s.fields))
        for s in civil_party.sections
    )
    form = replace(civil_party, sections=sections)
    answers = demo_answers(
        form, random.Random(5), today=TODAY, overrides={"applicant_status": "indirect_victim"}
    )
    people = answers["other_victims"]
    assert 1 <= len(people) <= 2
    assert all(person["other_victim_name"]["km"] for person in people)
    assert [i for i in validate_answers(form, answers, TODAY) if i.severity == "error"] == []
