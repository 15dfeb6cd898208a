"""Tests for app.core.khmer_text on the README test strings and real-looking names."""

from __future__ import annotations

import time

import pytest

from app.core.khmer_romanisation import latin_search_key, romanize_khmer
from app.core.khmer_text import (
    ZWSP,
    from_khmer_digits,
    grapheme_clusters,
    insert_break_opportunities,
    is_khmer,
    normalize_for_search,
    normalize_name,
    segment_words,
    to_khmer_digits,
    word_segmenter_available,
)

README_STRINGS = [
    "សិទ្ធិរបស់ជនរងគ្រោះ",
    "ដើមបណ្តឹងរដ្ឋប្បវេណី",
    "ពាក្យបណ្តឹង",
    "អង្គជំនុំជម្រះវិសាមញ្ញក្នុងតុលាការកម្ពុជា",
    "ព្រះរាជាណាចក្រកម្ពុជា ជាតិ សាសនា ព្រះមហាក្សត្រ",
    "ស្ត្រី ខ្មែរ ក្រុមប្រឹក្សា ឆ្នាំ",
    "ខេត្តបាត់ដំបង ខេត្តកំពង់ស្ពឺ រាជធានីភ្នំពេញ",
    "១៧ មេសា ១៩៧៥ – ៦ មករា ១៩៧៩",
    "០១២៣៤៥៦៧៨៩",
]
MIXED = "Case 002 សំណុំរឿង ០០២: Mr. Sokha សុខា។ OK"

# (Khmer spelling, usual Latin spellings). Honest sample: some are expected to miss.
NAMES = [
    ("សុខា", ["Sokha", "Sokhaa"]),
    ("ឆាយ", ["Chhay", "Chay"]),
    ("ស្រី", ["Srey", "Srei"]),
    ("ដារា", ["Dara"]),
    ("សុភា", ["Sophea"]),
    ("ពិសី", ["Pisey", "Pisei"]),
    ("ចាន់", ["Chan"]),
    ("សុខ", ["Sok"]),
    ("គីម", ["Kim"]),
    ("ហេង", ["Heng"]),
    ("ជា", ["Chea", "Chia"]),
    ("កែវ", ["Keo", "Kaew"]),
    ("ម៉េង", ["Meng"]),
    ("លី", ["Ly", "Li"]),
    ("ទូច", ["Touch", "Tuch"]),
    ("នួន", ["Nuon", "Noun"]),
    ("ស្រីមុំ", ["Sreymom", "Srey Mom"]),
    ("ធីតា", ["Thida"]),
    ("ផល្លា", ["Phalla", "Phala"]),
    ("វណ្ណា", ["Vanna"]),
    ("សុធា", ["Sothea"]),
    ("បុប្ផា", ["Bopha"]),
    ("នារី", ["Nary"]),
    ("ចិន្តា", ["Chenda"]),
    ("រិទ្ធី", ["Rithy"]),
    ("វិចិត្រ", ["Vichet"]),
    ("សម្បត្តិ", ["Sambath"]),
    ("កុសល", ["Kosal"]),
    ("សុផល", ["Sophal"]),
    ("ម៉ៅ", ["Mao"]),
    ("យឹម", ["Yim"]),
    ("ស៊ីម", ["Sim"]),
    ("សំណាង", ["Samnang"]),
    ("រតនា", ["Ratana"]),
    ("សុវណ្ណ", ["Sovann"]),
    ("ពេជ្រ", ["Pich"]),
    ("ច័ន្ទ", ["Chan"]),
    ("ប៊ុនថន", ["Bunthan"]),
    ("ស៊ុន", ["Sun"]),
    ("ឈឿន", ["Chhoeun"]),
    ("ប៉ុល", ["Pol"]),
    ("ពត", ["Pot"]),
]


def test_normalize_for_search_ignores_invisibles_case_digits_and_spacing() -> None:
    assert normalize_for_search("  សុខ\u200bា  ") == "សុខា"
    assert normalize_for_search("\ufeffSOKHA\u200c  Chan\t\n") == "sokha chan"
    assert normalize_for_search("ឆ្នាំ ១៩៧៥") == normalize_for_search("ឆ្នាំ  1975")
    assert normalize_for_search("Cafe\u0301") == normalize_for_search("Café")


def test_normalize_for_search_reads_plain_ascii_as_any_other_text() -> None:
    # ASCII text takes a short way; with a Khmer word after it, the same text takes the long one.
    for typed in ("  SOKHA\t Chan \n", "D22/2-1234", "a\x1cb\x0bc\x1f", "ABC-1234-00001", " ", ""):
        assert normalize_for_search(typed + " ក") == (normalize_for_search(typed) + " ក").lstrip()
    assert normalize_for_search("  SOKHA\t Chan \n") == "sokha chan"
    assert normalize_for_search("a\x1cb\x0bc\x1f") == "a b c"


def test_normalize_name_keeps_inner_zwsp_and_trims_ends() -> None:
    assert normalize_name("\u200b ស្រី\u200bមុំ   សុខ \u200b") == "ស្រី\u200bមុំ សុខ"
    assert normalize_name("\ufeffCafe\u0301") == "Café"


def test_digit_conversion_round_trips() -> None:
    assert to_khmer_digits("17-04-1975") == "១៧-០៤-១៩៧៥"
    assert from_khmer_digits("០១២៣៤៥៦៧៨៩") == "0123456789"
    assert from_khmer_digits(to_khmer_digits("abc 0123456789")) == "abc 0123456789"


def test_is_khmer() -> None:
    assert is_khmer("Mr. សុខា")
    assert is_khmer("១៩៧៥")
    assert is_khmer("\u19e0")
    assert not is_khmer("Sokha 1975")
    assert not is_khmer("")
    # Each end of both blocks, and the characters just outside them.
    for code in (0x1780, 0x17FF, 0x19E0, 0x19FF):
        assert is_khmer(f"a{chr(code)}b")
    for code in (0x177F, 0x1800, 0x19DF, 0x1A00):
        assert not is_khmer(f"a{chr(code)}b")


def test_clusters_keep_subscripts_vowels_and_signs_together() -> None:
    assert grapheme_clusters("ស្ត្រី") == ["ស្ត្រី"]
    assert grapheme_clusters("សិទ្ធិរបស់") == ["សិ", "ទ្ធិ", "រ", "ប", "ស់"]
    assert grapheme_clusters("ខ្មែរ") == ["ខ្មែ", "រ"]
    assert grapheme_clusters("ព្រះ") == ["ព្រះ"]
    assert grapheme_clusters("ម៉ៅ") == ["ម៉ៅ"]
    assert grapheme_clusters("a\u200bb") == ["a", "\u200b", "b"]
    assert grapheme_clusters("e\u0301x\r\n") == ["e\u0301", "x", "\r\n"]


@pytest.mark.parametrize("text", [*README_STRINGS, MIXED])
def test_clusters_rebuild_the_text_and_never_start_with_a_mark(text: str) -> None:
    clusters = grapheme_clusters(text)
    assert "".join(clusters) == text
    for cluster in clusters:
        assert not 0x17B4 <= ord(cluster[0]) <= 0x17D3, cluster


def _assert_breaks_are_safe(text: str, with_breaks: str) -> None:
    assert with_breaks.replace(ZWSP, "") == text.replace(ZWSP, "")
    assert not with_breaks.startswith(ZWSP) and not with_breaks.endswith(ZWSP)
    assert ZWSP + ZWSP not in with_breaks
    for cluster in grapheme_clusters(with_breaks):
        if cluster != ZWSP:
            assert ZWSP not in cluster
    # No break opportunity inside a cluster of the original text.
    allowed = {0}
    position = 0
    for cluster in grapheme_clusters(text.replace(ZWSP, "")):
        position += len(cluster)
        allowed.add(position)
    position = 0
    for ch in with_breaks:
        if ch == ZWSP:
            assert position in allowed
        else:
            position += 1


@pytest.mark.parametrize("use_model", [True, False])
@pytest.mark.parametrize("text", [*README_STRINGS, MIXED, "", "   ", "abc"])
def test_insert_break_opportunities_is_safe_and_idempotent(text: str, use_model: bool) -> None:
    once = insert_break_opportunities(text, use_model=use_model)
    _assert_breaks_are_safe(text, once)
    assert insert_break_opportunities(once, use_model=use_model) == once
    assert f" {ZWSP}" not in once and f"{ZWSP} " not in once
    assert f"{ZWSP}។" not in once


def test_typed_zwsp_is_kept_where_valid_and_dropped_inside_a_cluster() -> None:
    between_clusters = "ស្ត​រី"  # ស្ត and រី are two clusters: a valid break, kept
    assert insert_break_opportunities(between_clusters, use_model=False) == between_clusters
    inside = "ស​្តី"  # U+200B between a base and its coeng would split the cluster ស្តី
    assert insert_break_opportunities(inside, use_model=False) == "ស្តី"
    next_to_space = "សុខា​ ជា"
    assert insert_break_opportunities(next_to_space, use_model=False) == "សុ​ខា ជា"


def test_fallback_segmentation_splits_at_clusters_but_keeps_digit_runs() -> None:
    words = segment_words("សុខា ១៩៧៥ OK", use_model=False)
    assert words == ["សុ", "ខា", " ", "១៩៧៥", " ", "OK"]


@pytest.mark.skipif(not word_segmenter_available(), reason="khmercut not installed")
def test_model_segments_readme_strings_into_words() -> None:
    assert segment_words("សិទ្ធិរបស់ជនរងគ្រោះ") == ["សិទ្ធិ", "របស់", "ជនរងគ្រោះ"]
    assert segment_words("អង្គជំនុំជម្រះវិសាមញ្ញក្នុងតុលាការកម្ពុជា") == [
        "អង្គ",
        "ជំនុំជម្រះ",
        "វិសាមញ្ញ",
        "ក្នុង",
        "តុលាការ",
        "កម្ពុជា",
    ]
    assert segment_words("ខេត្តបាត់ដំបង រាជធានីភ្នំពេញ") == [
        "ខេត្ត",
        "បាត់ដំបង",
        " ",
        "រាជធានី",
        "ភ្នំពេញ",
    ]
    assert insert_break_opportunities("ដើមបណ្តឹងរដ្ឋប្បវេណី") == "ដើម\u200bបណ្តឹង\u200bរដ្ឋប្បវេណី"


@pytest.mark.skipif(not word_segmenter_available(), reason="khmercut not installed")
def test_model_segmentation_is_fast_enough_for_a_form() -> None:
    insert_break_opportunities(README_STRINGS[0])  # loads the model
    started = time.perf_counter()
    for _ in range(20):
        for text in README_STRINGS:
            insert_break_opportunities(text)
    per_string_ms = (time.perf_counter() - started) * 1000 / (20 * len(README_STRINGS))
    assert per_string_ms < 20


def test_romanize_is_deterministic_ascii_lowercase() -> None:
    assert romanize_khmer("សុខា") == "sokha"
    assert romanize_khmer("ស្រីមុំ") == "sreimum"
    assert romanize_khmer("Mr. សុខា ១៩៧៥") == "mr. sokha 1975"
    assert romanize_khmer("ស្រី\u200bមុំ") == romanize_khmer("ស្រីមុំ")
    for khmer, _latin in NAMES:
        roman = romanize_khmer(khmer)
        assert roman == romanize_khmer(khmer)
        assert roman.isascii() and roman == roman.lower() and roman


def test_latin_key_folds_common_variants() -> None:
    assert latin_search_key("Sokha") == latin_search_key("SOKHAA") == latin_search_key("so-kha")
    assert latin_search_key("Chhay") == latin_search_key("Chay")
    assert latin_search_key("Srey") == latin_search_key("Srei")
    assert latin_search_key("Srey Mom") == latin_search_key("Sreymom")
    assert latin_search_key("Sokha") != latin_search_key("Sophal")


def test_latin_query_finds_khmer_only_names() -> None:
    """Report: 45 of 53 spellings (34 of 42 names) match; the misses are listed below."""
    hits: list[str] = []
    misses: list[str] = []
    for khmer, latin_spellings in NAMES:
        for latin in latin_spellings:
            matched = latin_search_key(latin) == latin_search_key(khmer)
            (hits if matched else misses).append(latin)
    assert len(hits) + len(misses) == 53
    assert len(hits) >= 45, misses
    for must_match in ["Sokha", "Chhay", "Chay", "Srey", "Srei", "Dara", "Kim", "Touch", "Keo"]:
        assert must_match in hits
    assert sorted(misses) == sorted(
        ["Vanna", "Bopha", "Sambath", "Yim", "Ratana", "Sovann", "Pich", "Chhoeun"]
    )
