"""The break rules shared by screen and print (app.core.line_breaks)."""

from __future__ import annotations

import pytest

from app.core.khmer_text import ZWSP, grapheme_clusters, word_segmenter_available
from app.core.line_breaks import (
    NO_BREAK_SPACE,
    break_plan,
    display_text,
    line_starts_are_valid,
    normalize_typed_text,
    strip_display_marks,
)

NARRATIVE = (
    "នៅឆ្នាំ១៩៧៥ខ្មែរក្រហមបានជម្លៀសគ្រួសារខ្ញុំចេញពីភ្នំពេញ។ឪពុកខ្ញុំត្រូវគេយកទៅហើយមិនដែល"
    "ត្រឡប់មកវិញទេ។ យើងត្រូវធ្វើការនៅការដ្ឋានទំនប់ពីព្រឹកដល់យប់ដោយគ្មានអាហារគ្រប់គ្រាន់ ។"
    "(បងប្រុសខ្ញុំ)ស្លាប់ដោយសារការអត់អាហារនៅរដូវប្រាំងឆ្នាំ១៩៧៧។"
)

needs_model = pytest.mark.skipif(not word_segmenter_available(), reason="khmercut not installed")


def _cluster_ends(text: str) -> set[int]:
    ends = {0}
    offset = 0
    for cluster in grapheme_clusters(text):
        offset += len(cluster)
        ends.add(offset)
    return ends


def test_breaks_fall_between_clusters_and_never_before_closing_signs() -> None:
    plan = break_plan(NARRATIVE)
    assert ZWSP not in plan.text and plan.text == NARRATIVE
    allowed = _cluster_ends(plan.text)
    assert plan.breaks and all(0 < b < len(plan.text) for b in plan.breaks)
    for offset in plan.breaks:
        assert offset in allowed
        assert plan.text[offset] not in "។៕ៗ)"
        assert plan.text[offset - 1] != "("
        assert not (plan.text[offset - 1].isdigit() and plan.text[offset].isdigit())
    # The space before the final ។ of the second sentence is not a break either.
    space_before_stop = plan.text.index(" ។") + 1
    assert space_before_stop + 1 not in plan.breaks


@needs_model
def test_breaks_are_the_segmenters_word_ends() -> None:
    plan = break_plan("សិទ្ធិរបស់ជនរងគ្រោះ")
    assert plan.breaks == (6, 10)  # សិទ្ធិ | របស់ | ជនរងគ្រោះ
    assert break_plan("ដើម\u200bបណ្តឹងរដ្ឋប្បវេណី").text == "ដើមបណ្តឹងរដ្ឋប្បវេណី"


def test_display_text_marks_breaks_for_qt_and_strips_back_to_the_logical_text() -> None:
    shown = display_text(NARRATIVE)
    assert ZWSP in shown
    assert strip_display_marks(shown) == NARRATIVE
    assert f"{ZWSP}។" not in shown and f"({ZWSP}" not in shown
    assert f"{NO_BREAK_SPACE}។" in shown  # a space before ។ must not break on screen either
    assert display_text("Plain English stays as it is.") == "Plain English stays as it is."
    assert display_text(shown) == shown  # idempotent


def test_a_zwsp_typed_inside_a_cluster_is_removed_at_input() -> None:
    inside = "ស\u200b្តី"  # between a base and its coeng: would print a dotted circle
    assert normalize_typed_text(inside) == "ស្តី"
    vowel = "ក\u200bា"
    assert normalize_typed_text(vowel) == "កា"
    between = "ខ្ញុំ\u200bទៅ"  # typed between two words with the Khmer space bar: kept
    assert normalize_typed_text(between) == between
    assert normalize_typed_text("\u200bសុខា\u200b \u200b\u200bជា") == "សុខា ជា"
    assert normalize_typed_text("no breaks") == "no breaks"


def test_line_start_check_finds_broken_clusters_and_stops() -> None:
    assert line_starts_are_valid(["ខ្ញុំ", "ទៅ។"])
    assert not line_starts_are_valid(["ខ្ញុ", "ំទៅ"])
    assert not line_starts_are_valid(["ខ្ញុំទៅ", "។"])


def test_break_plans_are_cached() -> None:
    text = NARRATIVE + " cache"
    assert break_plan(text) is break_plan(text)
