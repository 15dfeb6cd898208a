"""Form definitions: every bundled form loads cleanly; broken files give precise problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.forms import (
    FieldType,
    FormError,
    FormProblem,
    check_form_file,
    load_all_forms,
    load_form,
)
from app.core.resources import forms_dir

FORM_FILES = sorted(forms_dir().glob("*.yaml"))


def test_the_forms_folder_is_not_empty() -> None:
    assert {p.stem for p in FORM_FILES} >= {"complaint", "civil_party"}


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_every_bundled_form_has_no_problems(path: Path) -> None:
    assert check_form_file(path) == []
    form = load_form(path)
    assert form.id == path.stem
    assert form.minimum_content


def test_load_all_forms_by_id() -> None:
    forms = load_all_forms()
    assert set(forms) >= {"complaint", "civil_party"}
    civil = forms["civil_party"]
    assert civil.field("applicant_name").type is FieldType.NAME
    assert civil.field("applicant_name").identifying
    assert civil.field("read_back").type is FieldType.CONSENT
    crimes = civil.field("crime_categories").choice_codes
    assert {"homicide", "forced_marriage", "enslavement_forced_labour", "other"} <= set(crimes)


GOOD_FIELD = """
      - id: name
        type: name
        label: {km: ឈ្មោះ, en: Name}
"""


def write_form(tmp_path: Path, fields: str, extra: str = "") -> Path:
    path = tmp_path / "sample.yaml"
    path.write_text(
        "id: sample\n"
        "version: 1\n"
        "title: {km: ទម្រង់សាកល្បង, en: Sample form}\n"
        f"{extra}"
        "sections:\n"
        "  - id: first\n"
        "    title: {km: ផ្នែកទីមួយ, en: First part}\n"
        "    fields:\n" + GOOD_FIELD + fields,
        encoding="utf-8",
    )
    return path


def only_problem(path: Path) -> FormProblem:
    problems = check_form_file(path)
    assert len(problems) == 1, problems
    assert problems[0].file == str(path)
    return problems[0]


def test_a_minimal_form_loads(tmp_path: Path) -> None:
    form = load_form(write_form(tmp_path, ""))
    assert form.id == "sample"
    assert form.field("name").label.km == "ឈ្មោះ"


def test_bad_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nversion: 1\ntitle: {km: ក, en: [unclosed\nsections: []\n")
    problem = only_problem(path)
    assert "YAML syntax error" in problem.message
    assert problem.line is not None and problem.line >= 3


def test_unknown_field_type(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: colour
        type: colour_picker
        label: {km: ពណ៌, en: Colour}
""",
    )
    problem = only_problem(path)
    assert problem.path == "sections[0].fields[1].type"
    assert "unknown field type 'colour_picker'" in problem.message
    assert problem.line == 14


def test_unknown_roles_and_a_missing_type_are_named_with_their_path(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: colour
        type: choice
        role: favourite_colour
        label: {km: ពណ៌, en: Colour}
        choices:
          - code: red
            role: warm_colour
            label: {km: ក្រហម, en: Red}
      - id: shade
        label: {km: ពណ៌ស្រាល, en: Shade}
""",
    )
    problems = check_form_file(path)
    assert [(p.path, p.line) for p in problems] == [
        ("sections[0].fields[1].choices[0].role", 19),
        ("sections[0].fields[1].role", 15),
        ("sections[0].fields[2].type", 21),
    ]
    assert problems[0].message.startswith("unknown choice role 'warm_colour' (known: ")
    assert problems[1].message.startswith("unknown role 'favourite_colour' (known: ")
    assert "applicant_name" in problems[1].message
    assert problems[2].message == "'type' is missing"


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: note
        type: text
        label: {km: កំណត់ចំណាំ, en: Note}
        requried: true
""",
    )
    problem = only_problem(path)
    assert problem.path == "sections[0].fields[1].requried"
    assert "did you mean 'required'" in problem.message


def test_bad_expression(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: note
        type: text
        label: {km: កំណត់ចំណាំ, en: Note}
        relevant: "${name} = = 'x'"
""",
    )
    problem = only_problem(path)
    assert problem.path == "sections[0].fields[1].relevant"
    assert "does not parse" in problem.message and "position" in problem.message


def test_unknown_reference_but_later_field_is_fine(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: note
        type: text
        label: {km: កំណត់ចំណាំ, en: Note}
        relevant: "${later} = true and ${nmae} != ''"
      - id: later
        type: yes_no
        label: {km: ក្រោយ, en: Later}
""",
    )
    problem = only_problem(path)
    assert problem.path == "sections[0].fields[1].relevant"
    assert "unknown field ${nmae}" in problem.message
    assert "did you mean ${name}" in problem.message


def test_missing_khmer_label(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: note
        type: text
        label: {en: Note}
""",
    )
    problem = only_problem(path)
    assert problem.path == "sections[0].fields[1].label.km"
    assert "Khmer" in problem.message


def test_english_in_the_khmer_slot_is_caught(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: note
        type: text
        label: {km: Note, en: Note}
""",
    )
    assert "no Khmer letters" in only_problem(path).message


def test_duplicate_field_id(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: name
        type: text
        label: {km: ឈ្មោះទៀត, en: Name again}
""",
    )
    problem = only_problem(path)
    assert problem.path == "sections[0].fields[1].id"
    assert "duplicate field id 'name'" in problem.message


def test_choice_field_without_choices_and_unknown_selected_code(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: kind
        type: choice
        label: {km: ប្រភេទ, en: Kind}
      - id: sex
        type: choice
        label: {km: ភេទ, en: Sex}
        choices:
          - {code: female, label: {km: ស្រី, en: Female}}
      - id: note
        type: text
        label: {km: កំណត់ចំណាំ, en: Note}
        relevant: "selected(${sex}, 'femail')"
""",
    )
    problems = check_form_file(path)
    messages = {p.path: p.message for p in problems}
    assert "needs 'choices'" in messages["sections[0].fields[1].choices"]
    assert "'femail' is not a choice" in messages["sections[0].fields[3].relevant"]


def test_current_value_outside_a_constraint(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        """
      - id: note
        type: text
        label: {km: កំណត់ចំណាំ, en: Note}
        relevant: ". = 'x'"
""",
    )
    assert "only be used in a constraint" in only_problem(path).message


def test_minimum_content_must_name_real_fields(tmp_path: Path) -> None:
    path = write_form(
        tmp_path,
        "",
        extra=(
            "minimum_content:\n"
            "  - id: who\n"
            "    fields: [nobody]\n"
            "    message: {km: ខ្វះឈ្មោះ, en: Name missing}\n"
        ),
    )
    problem = only_problem(path)
    assert problem.path == "minimum_content[0].fields[0]"


def test_never_crashes_on_garbage(tmp_path: Path) -> None:
    for text in ("- just\n- a list\n", "", "42", "id: [1, 2]\nsections: 7\n", "\x00\x01"):
        path = tmp_path / "garbage.yaml"
        path.write_text(text)
        assert check_form_file(path), text
    assert check_form_file(tmp_path / "missing.yaml")


def test_load_form_refuses_with_form_error(tmp_path: Path) -> None:
    path = write_form(
        tmp_path, "      - id: x\n        type: nope\n        label: {km: ក, en: X}\n"
    )
    with pytest.raises(FormError) as caught:
        load_form(path)
    assert caught.value.problems[0].path == "sections[0].fields[1].type"
    assert "sample.yaml" in str(caught.value)


def test_load_all_forms_collects_every_problem(tmp_path: Path) -> None:
    write_form(tmp_path, "")
    (tmp_path / "bad.yaml").write_text("id: bad\n")
    with pytest.raises(FormError) as caught:
        load_all_forms(tmp_path)
    assert all(p.file.endswith("bad.yaml") for p in caught.value.problems)
