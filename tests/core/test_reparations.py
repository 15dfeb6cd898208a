"""Awarded reparations as data: ``assets/reparations.yaml``, its checks, and what the app says."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.core.court import CourtDataError, court_on, load_court
from app.core.forms import FieldRole
from app.core.forms.loader import load_form
from app.core.reparations import (
    ProjectKind,
    load_reparations,
    parse_reparations,
    reparations_path,
    reparations_today,
)
from app.core.resources import forms_dir
from tests.core.test_bounded_yaml import HOSTILE

MINIMAL = """\
judgments:
  - id: j1
    case: case_001
    name: {km: "សាលក្រម", en: "Judgment"}
    date: 2010-07-26
    source: "somewhere"
projects:
  - id: p1
    judgment: j1
    kind: remembrance
    title: {km: "គម្រោង", en: "Project"}
    description: {km: "ការពិពណ៌នា", en: "Description"}
    partner: {km: "ដៃគូ", en: "Partner"}
    where: {km: "ទីកន្លែង", en: "Place"}
    provinces: ["21"]
    source: "somewhere else"
"""


def test_the_bundled_file_names_cases_of_the_court_and_cites_every_fact() -> None:
    awarded = load_reparations()
    awarded.check_cases(load_court())
    assert {j.id for j in awarded.judgments} == {
        "case_001_trial",
        "case_002_01_trial",
        "case_002_02_trial",
    }
    assert awarded.projects, "the awarded projects are listed"
    for judgment in awarded.judgments:
        assert judgment.source and judgment.day <= date(2022, 9, 22)
    for project in awarded.projects:
        assert project.source.strip()
        assert project.partner.km and project.partner.en and project.where.en
        assert isinstance(project.kind, ProjectKind)
    # Where a project runs: Kraing Ta Chan is in Takeo (21), Tuol Po Chrey in Pursat (15).
    assert [p.id for p in awarded.in_province("210101")] == ["case_002_01_peace_learning_center"]
    assert awarded.in_province(None) == ()


def test_the_follow_up_form_offers_exactly_the_projects_of_the_file() -> None:
    """The form's choice codes for the project role are the file's ids, so a contact recorded
    about a project names one the app can explain (and a new project is never missing)."""
    form = load_form(forms_dir() / "follow_up.yaml")
    item = form.field_with_role(FieldRole.REPARATION_PROJECT)
    assert item is not None and item.choices
    assert [c.code for c in item.choices] == [p.id for p in load_reparations().projects]


def test_in_2026_the_projects_are_collective_and_monitored_until_the_residual_end() -> None:
    title, paragraphs, source = reparations_today(court_on(date(2026, 11, 30)), load_reparations())
    english = "\n".join(p.en for p in paragraphs)
    khmer = "\n".join(p.km for p in paragraphs)
    assert title.en == "Reparation projects the court awarded"
    assert "never money for one person" in english
    assert "can no longer award new reparations" in english
    assert "until 31 December 2027" in english
    assert "ថ្ងៃទី៣១ ខែធ្នូ ឆ្នាំ២០២៧" in khmer
    assert "Partner: Youth for Peace" in english and "Takeo province" in english
    assert "7 August 2014" in english and "ask the VSS for the full list" in english
    assert source.startswith("reparations.yaml: ") and "asil.org" in source


def test_the_brief_text_for_print_names_every_project_without_its_description() -> None:
    """The folded leaflet prints the brief text: each project's title, partner and place stay,
    the description goes, so more projects in the file do not push the leaflet past its panels."""
    awarded = load_reparations()
    now = court_on(date(2026, 11, 30))
    _t, full, _s = reparations_today(now, awarded)
    _t, brief, _s = reparations_today(now, awarded, brief=True)
    assert len(brief) == len(full)
    brief_en, brief_km = "\n".join(p.en for p in brief), "\n".join(p.km for p in brief)
    assert len(brief_en) < len("\n".join(p.en for p in full))
    for project in awarded.projects:
        assert project.title.en in brief_en and project.title.km in brief_km
        assert project.partner.en in brief_en and project.where.km in brief_km
        assert project.description.en not in brief_en
    assert "until 31 December 2027" in brief_en and "ask the VSS for the full list" in brief_en


def test_the_case_002_01_projects_listed_are_no_more_than_the_eleven_endorsed() -> None:
    awarded = load_reparations()
    listed = awarded.of_judgment("case_002_01_trial")
    assert 0 < len(listed) <= 11
    assert len({p.title.en for p in awarded.projects}) == len(awarded.projects)


def test_as_of_a_training_date_only_earlier_judgments_are_spoken_of() -> None:
    _title, paragraphs, _source = reparations_today(court_on(date(2012, 3, 1)), load_reparations())
    english = "\n".join(p.en for p in paragraphs)
    assert "Case 001" in english and "Case 002/01" not in english
    # While trials are under way the text says how reparations come, not that they are monitored.
    assert "only in a judgment that finds an accused guilty" in english
    assert "monitors" not in english


def test_after_the_residual_functions_the_text_says_they_were_to_end() -> None:
    _title, paragraphs, _source = reparations_today(court_on(date(2028, 2, 1)), load_reparations())
    english = "\n".join(p.en for p in paragraphs)
    assert "were to end on 31 December 2027" in english and "Ask the VSS" in english


@pytest.mark.parametrize(
    ("old", "new", "problem", "line"),
    [
        ('    source: "somewhere else"\n', "", "every fact needs a 'source'", 8),
        ("    judgment: j1\n", "    judgment: j9\n", "must name a judgment of this file", 8),
        ("kind: remembrance", "kind: cash", "'kind' must be one of", 8),
        ('["21"]', '["2101"]', "province codes have 2 digits", 8),
        ("date: 2010-07-26", "date: 2010-02-30", "not a real date", 5),
        ('partner: {km: "ដៃគូ", en: "Partner"}', 'partner: {en: "Partner"}', "no usable 'km'", 13),
        ("    provinces:", "    amount: 100\n    provinces:", "unknown key(s) ['amount']", 8),
    ],
)
def test_mistakes_are_reported_with_the_file_and_line(
    old: str, new: str, problem: str, line: int
) -> None:
    assert old in MINIMAL
    with pytest.raises(CourtDataError) as raised:
        parse_reparations(MINIMAL.replace(old, new), "reparations.yaml")
    assert problem in raised.value.problem
    assert raised.value.file == "reparations.yaml" and raised.value.line == line


def test_a_judgment_of_an_unknown_case_and_ids_used_twice_are_refused() -> None:
    awarded = parse_reparations(MINIMAL.replace("case: case_001", "case: case_999"))
    with pytest.raises(CourtDataError, match="no case 'case_999'"):
        awarded.check_cases(load_court())
    twice = MINIMAL + MINIMAL.split("projects:\n")[1]
    with pytest.raises(CourtDataError, match="used twice: p1"):
        parse_reparations(twice)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_reparations_file_is_a_court_data_error(name: str) -> None:
    with pytest.raises(CourtDataError):
        parse_reparations(HOSTILE[name], "reparations.yaml")


def test_an_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "reparations.yaml"
    with path.open("wb") as handle:
        handle.truncate(300 * 1024)
    with pytest.raises(CourtDataError, match="larger than"):
        load_reparations(path)
    assert reparations_path().name == "reparations.yaml"
