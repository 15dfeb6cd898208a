"""Each local file the app reads (form, court facts and deadlines, rights path explainer, rights topic, gazetteer)
is reported, not a crash, when it is hostile."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.court import CourtDataError, parse_court
from app.core.forms.loader import check_form_file, parse_form
from app.core.gazetteer import MAX_GAZETTEER_BYTES, GazetteerError, read_gazetteer
from app.core.path_explainer import load_path_explainer
from app.core.rights import MAX_TOPIC_BYTES, RightsError, parse_topic_file
from tests.core.test_bounded_yaml import HOSTILE


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_form_is_a_reported_problem(name: str, tmp_path: Path) -> None:
    form, problems = parse_form(HOSTILE[name], "bad.yaml")
    assert form is None and problems
    path = tmp_path / "bad.yaml"
    path.write_text(HOSTILE[name], encoding="utf-8")
    assert check_form_file(path)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_court_file_is_a_court_data_error(name: str) -> None:
    with pytest.raises(CourtDataError):
        parse_court(HOSTILE[name], "court.yaml")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_path_explainer_is_a_rights_error(name: str, tmp_path: Path) -> None:
    path = tmp_path / "path_explainer.yaml"
    path.write_text(HOSTILE[name], encoding="utf-8")
    with pytest.raises(RightsError):
        load_path_explainer(path)


def test_an_oversized_topic_or_gazetteer_is_refused_before_reading(tmp_path: Path) -> None:
    topic = tmp_path / "reparations.km.md"
    with topic.open("wb") as handle:
        handle.truncate(MAX_TOPIC_BYTES + 1)
    with pytest.raises(RightsError):
        parse_topic_file(topic)
    gazetteer = tmp_path / "cambodia.csv"
    with gazetteer.open("wb") as handle:
        handle.truncate(MAX_GAZETTEER_BYTES + 1)
    with pytest.raises(GazetteerError):
        read_gazetteer(gazetteer)
