"""Tests for app.core.rights: the bundled rights texts, the loader's checks, search, and the
"which path fits you" guide."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.core.khmer_text import ZWSP, is_khmer
from app.core.path_explainer import PathExplainer, Question, Result, load_path_explainer
from app.core.reference import validate_reference
from app.core.resources import forms_dir
from app.core.rights import (
    PHASE_IDS,
    REQUIRED_LANGUAGES,
    RightsError,
    RightsTopic,
    Slide,
    default_rights_dir,
    for_phase,
    load_rights,
    search_rights,
)

TOPIC_IDS = {
    "who_is_a_victim",
    "jurisdiction",
    "complainant_or_civil_party",
    "lawyers",
    "psychosocial_support",
    "protection",
    "reparations",
    "process",
    "contact_vss",
    "receipt",
}
# A source must name the ECCC Law, the Internal Rules or the VSS's own mission texts.
_CITATION = re.compile(r"(ECCC Law Arts?\. \d|Internal Rules?|VSS )")
_KHMER_CITATION = re.compile(r"(មាត្រា|វិធាន|អង្គភាពគាំពារជនរងគ្រោះ)")


def _topic_file(title: str, source: str, body: str, order: int = 1) -> str:
    return f"---\ntitle: {title}\nsource: {source}\norder: {order}\n---\n{body}\n"


def _write_topic(folder: Path, topic: str, lang: str, body: str, **meta: str) -> Path:
    path = folder / f"{topic}.{lang}.md"
    path.write_text(
        _topic_file(
            meta.get("title", "សួស្តី" if lang == "km" else "Hello"),
            meta.get("source", "ECCC Law Art. 1"),
            body,
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def topics() -> list[RightsTopic]:
    return load_rights()


# --- the bundled content -------------------------------------------------------------------------


def test_every_topic_exists_in_both_languages_and_cites_a_source(
    topics: list[RightsTopic],
) -> None:
    assert {topic.id for topic in topics} == TOPIC_IDS
    for topic in topics:
        assert set(topic.texts) == set(REQUIRED_LANGUAGES), topic.id
        english = topic.text("en")
        khmer = topic.text("km")
        assert _CITATION.search(english.source), (topic.id, english.source)
        assert _KHMER_CITATION.search(khmer.source.replace(ZWSP, "")), (topic.id, khmer.source)
        assert english.title and khmer.title


def test_topics_are_sorted_by_order_and_orders_are_distinct(topics: list[RightsTopic]) -> None:
    orders = [topic.order for topic in topics]
    assert orders == sorted(orders)
    assert len(set(orders)) == len(orders)
    assert topics[0].id == "who_is_a_victim"


def test_three_to_six_slides_and_same_count_in_both_languages(
    topics: list[RightsTopic],
) -> None:
    # Counted as shown: in each phase of the court, only the slides true in it.
    for phase in PHASE_IDS:
        for topic in for_phase(topics, phase):
            counts = {lang: len(topic.text(lang).slides) for lang in REQUIRED_LANGUAGES}
            assert counts["en"] <= 6, (phase, topic.id, counts)
            assert counts["en"] == counts["km"], (phase, topic.id, counts)
    for topic in topics:
        counts = {lang: len(topic.text(lang).slides) for lang in REQUIRED_LANGUAGES}
        assert counts["en"] >= 3, (topic.id, counts)
        assert counts["km"] == counts["en"], (topic.id, counts)
        for lang in REQUIRED_LANGUAGES:
            assert all(slide.strip() for slide in topic.text(lang).slides)
            assert "---" not in topic.text(lang).body


def test_khmer_files_are_khmer_with_word_breaks_and_english_files_are_not(
    topics: list[RightsTopic],
) -> None:
    for topic in topics:
        khmer = topic.text("km")
        assert is_khmer(khmer.title), topic.id
        for slide in khmer.slides:
            letters = [ch for ch in slide if ch.isalpha()]
            khmer_share = sum(is_khmer(ch) for ch in letters) / len(letters)
            assert khmer_share > 0.9, (topic.id, slide[:40])
            assert ZWSP in slide, (topic.id, slide[:40])
        assert not is_khmer(topic.text("en").body), topic.id
        assert ZWSP not in topic.text("en").body, topic.id


def test_no_break_opportunity_next_to_a_space_or_inside_a_cluster(
    topics: list[RightsTopic],
) -> None:
    for topic in topics:
        text = topic.text("km").body
        assert f" {ZWSP}" not in text and f"{ZWSP} " not in text, topic.id
        # A zero-width space before a dependent vowel, sign or subscript would split a cluster.
        assert not re.search(f"{ZWSP}[\u17b6-\u17d3\u17dd]", text), topic.id


def test_key_facts_are_stated(topics: list[RightsTopic]) -> None:
    by_id = {topic.id: topic for topic in topics}
    jurisdiction = by_id["jurisdiction"].text("en").body
    assert "17 April 1975" in jurisdiction and "6 January 1979" in jurisdiction
    assert "senior leaders" in jurisdiction and "most responsible" in jurisdiction
    jurisdiction_km = by_id["jurisdiction"].text("km").body.replace(ZWSP, "")
    assert "ថ្ងៃទី១៧ ខែមេសា ឆ្នាំ១៩៧៥" in jurisdiction_km
    assert "ថ្ងៃទី៦ ខែមករា ឆ្នាំ១៩៧៩" in jurisdiction_km
    assert "Article 33" in by_id["protection"].text("en").body
    assert "Art. 33" in by_id["protection"].text("en").source
    reparations = by_id["reparations"].text("en").body
    assert "collective and moral" in reparations and "no money for individual" in reparations
    assert "Lead Co-Lawyers" in by_id["lawyers"].text("en").body


def test_the_example_reference_on_the_receipt_is_a_valid_reference(
    topics: list[RightsTopic],
) -> None:
    receipt = next(topic for topic in topics if topic.id == "receipt")
    for lang in REQUIRED_LANGUAGES:
        examples = re.findall(r"VSS-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", receipt.text(lang).body)
        assert examples, lang
        assert all(validate_reference(example) for example in examples)


def test_body_joins_slides_with_blank_lines(topics: list[RightsTopic]) -> None:
    text = topics[0].text("en")
    assert text.body == "\n\n".join(text.slides)
    assert text.slide_items == tuple(Slide(slide) for slide in text.slides)


# --- loader checks on temporary folders -----------------------------------------------------------


def test_slides_split_on_separator_lines(tmp_path: Path) -> None:
    _write_topic(
        tmp_path, "t", "en", "First idea.\nSecond line.\n---\nSecond idea.\n  ---  \nThird"
    )
    _write_topic(tmp_path, "t", "km", "មួយ\n---\nពីរ\n---\nបី")
    (topic,) = load_rights(tmp_path)
    assert topic.text("en").slides == ("First idea.\nSecond line.", "Second idea.", "Third")
    assert topic.text("km").slides == ("មួយ", "ពីរ", "បី")
    assert topic.text("en").title == "Hello"


def test_title_may_contain_a_colon(tmp_path: Path) -> None:
    _write_topic(tmp_path, "t", "en", "x", title="Reparations: collective and moral")
    _write_topic(tmp_path, "t", "km", "សំណង", title="សំណង៖ សមូហភាព")
    (topic,) = load_rights(tmp_path)
    assert topic.text("en").title == "Reparations: collective and moral"


def test_topic_missing_its_khmer_file_raises(tmp_path: Path) -> None:
    _write_topic(tmp_path, "lonely", "en", "Only English.")
    with pytest.raises(RightsError) as info:
        load_rights(tmp_path)
    assert info.value.file == "lonely.km.md"
    assert "'km'" in info.value.problem


def test_copy_of_bundled_content_without_one_khmer_file_raises(tmp_path: Path) -> None:
    folder = tmp_path / "rights"
    shutil.copytree(default_rights_dir(), folder)
    (folder / "protection.km.md").unlink()
    with pytest.raises(RightsError, match=r"protection\.km\.md"):
        load_rights(folder)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("No front matter here.\n", "no front matter"),
        ("---\ntitle: T\nsource: S\norder: 1\nBody without closing line\n", "not closed"),
        ("---\nsource: S\norder: 1\n---\nBody\n", "'title'"),
        ("---\ntitle: T\norder: 1\n---\nBody\n", "'source'"),
        ("---\ntitle: T\nsource:\norder: 1\n---\nBody\n", "'source'"),
        ("---\ntitle: T\nsource: S\norder: first\n---\nBody\n", "whole number"),
        ("---\ntitle: T\nsource: S\norder: 1\n---\nOne\n---\n\n---\nThree\n", "slide 2 is empty"),
    ],
)
def test_malformed_files_raise_with_file_name_and_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    (tmp_path / "bad.en.md").write_text(content, encoding="utf-8")
    _write_topic(tmp_path, "bad", "km", "ខ្មែរ")
    with pytest.raises(RightsError) as info:
        load_rights(tmp_path)
    assert info.value.file == "bad.en.md"
    assert problem in info.value.problem
    assert str(info.value).startswith("bad.en.md: ")


def test_khmer_file_without_khmer_raises(tmp_path: Path) -> None:
    _write_topic(tmp_path, "t", "en", "English")
    _write_topic(tmp_path, "t", "km", "Forgot to translate")
    with pytest.raises(RightsError, match="no Khmer"):
        load_rights(tmp_path)


def test_languages_must_agree_on_order(tmp_path: Path) -> None:
    (tmp_path / "t.en.md").write_text(_topic_file("T", "S", "x", order=1), encoding="utf-8")
    (tmp_path / "t.km.md").write_text(_topic_file("ត", "S", "ខ", order=2), encoding="utf-8")
    with pytest.raises(RightsError, match="disagree on 'order'"):
        load_rights(tmp_path)


def test_text_falls_back_only_when_asked(tmp_path: Path) -> None:
    _write_topic(tmp_path, "t", "en", "English")
    _write_topic(tmp_path, "t", "km", "ខ្មែរ")
    (topic,) = load_rights(tmp_path)
    with pytest.raises(KeyError):
        topic.text("fr")
    assert topic.text("fr", fallback=True).lang == "km"


# --- search --------------------------------------------------------------------------------------


def test_search_finds_a_khmer_substring_inside_words(topics: list[RightsTopic]) -> None:
    # "សំណង" (reparations) is written with word breaks and inside longer words.
    found = search_rights(topics, "សំណងសមូហភាព")
    ids = {topic.id for topic, _lang in found}
    assert "reparations" in ids
    assert all(lang == "km" for _topic, lang in found)
    # a part of a word, across a zero-width space in the file
    partial = search_rights(topics, "គាំពារជនរង")
    assert {topic.id for topic, _ in partial} >= {"contact_vss", "protection"}


def test_search_ignores_zero_width_spaces_in_the_query(topics: list[RightsTopic]) -> None:
    with_zwsp = search_rights(topics, f"ដើម{ZWSP}បណ្តឹង")
    without = search_rights(topics, "ដើមបណ្តឹង")
    assert with_zwsp == without and without


def test_search_finds_an_english_word_case_insensitively(topics: list[RightsTopic]) -> None:
    found = search_rights(topics, "THUMBPRINT")
    assert [(topic.id, lang) for topic, lang in found] == [("process", "en")]
    assert [t.id for t, _ in search_rights(topics, "lead co-lawyers")] == ["lawyers"]


def test_search_restricted_to_one_language(topics: list[RightsTopic]) -> None:
    assert search_rights(topics, "thumbprint", lang="km") == []
    assert search_rights(topics, "សំណង", lang="en") == []
    assert search_rights(topics, "   ") == []
    assert search_rights(topics, "no such words anywhere") == []


def test_search_also_matches_the_source(topics: list[RightsTopic]) -> None:
    ids = [topic.id for topic, _ in search_rights(topics, "rule 29")]
    assert ids == ["protection"]


# --- path explainer ------------------------------------------------------------------------------


def test_explainer_loads_and_every_path_ends_at_a_result() -> None:
    explainer = load_path_explainer()
    assert explainer.start in explainer.questions
    assert 3 <= len(explainer.questions) <= 5
    paths = explainer.paths()
    reached = {result.id for _trail, result in paths}
    assert reached == set(explainer.results)
    for trail, result in paths:
        assert trail[0][0] == explainer.start
        assert len(trail) <= len(explainer.questions)
        assert isinstance(result, Result)
    # walking step by step gives the same answer as paths()
    for trail, result in paths:
        node: Question | Result = explainer.questions[explainer.start]
        for question_id, answer in trail:
            assert isinstance(node, Question) and node.id == question_id
            node = explainer.step(question_id, answer)
        assert node == result


def test_explainer_texts_are_bilingual_and_forms_exist() -> None:
    explainer = load_path_explainer()
    assert explainer.form_ids == {"complaint", "civil_party"}
    for form_id in explainer.form_ids:
        assert (forms_dir() / f"{form_id}.yaml").is_file()
    for item in [*explainer.questions.values(), *explainer.results.values()]:
        assert is_khmer(item.text_km) and ZWSP in item.text_km
        assert item.text_en and not is_khmer(item.text_en)
    # "no" to the first question (not harmed) still leads to a complaint, never to nothing.
    first_no = explainer.step(explainer.start, False)
    assert isinstance(first_no, Result) and first_no.form_id == "complaint"


_GOOD_EXPLAINER = """
start: a
questions:
  a: {km: "សំណួរ ក", en: "Question a", "yes": b, "no": r1}
  b: {km: "សំណួរ ខ", en: "Question b", "yes": r2, "no": r1}
results:
  r1: {form_id: complaint, km: "ពាក្យបណ្តឹង", en: "Complaint"}
  r2: {form_id: civil_party, km: "ដើមបណ្តឹង", en: "Civil party"}
"""


def _explainer_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "path_explainer.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_small_explainer_loads_with_unquoted_yes_no_keys(tmp_path: Path) -> None:
    unquoted = _GOOD_EXPLAINER.replace('"yes"', "yes").replace('"no"', "no")
    explainer = load_path_explainer(_explainer_file(tmp_path, unquoted))
    assert isinstance(explainer, PathExplainer)
    assert explainer.step("a", True) == explainer.questions["b"]
    assert explainer.step("b", True).id == "r2"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('"yes": r2', '"yes": missing', "'missing', which does not exist"),
        ('"yes": r2', '"yes": a', "circle"),
        ("start: a", "start: r1", "'start' must name a question"),
        ('"yes": b', '"yes": r2', "never reached from the start: b"),
        ('"yes": b, ', "", "'yes' must name"),
        ('km: "ពាក្យបណ្តឹង"', 'km: "Complaint"', "no Khmer"),
        ("form_id: civil_party, ", "", "'form_id'"),
    ],
)
def test_broken_explainer_raises(tmp_path: Path, old: str, new: str, problem: str) -> None:
    assert old in _GOOD_EXPLAINER
    path = _explainer_file(tmp_path, _GOOD_EXPLAINER.replace(old, new, 1))
    with pytest.raises(RightsError) as info:
        load_path_explainer(path)
    assert info.value.file == "path_explainer.yaml"
    assert problem in info.value.problem


def test_explainer_cycle_in_a_branch_not_on_the_first_path(tmp_path: Path) -> None:
    text = _GOOD_EXPLAINER.replace('"no": r1}\n  b', '"no": c}\n  b').replace(
        "results:",
        '  c: {km: "សំណួរ គ", en: "Question c", "yes": r1, "no": c}\nresults:',
    )
    with pytest.raises(RightsError, match=r"c -> c"):
        load_path_explainer(_explainer_file(tmp_path, text))
