"""Where a line of text may break: the one set of rules shared by the screen and by print.

Khmer is written without spaces between words, and neither Qt nor ReportLab knows where its words
end. This module decides, from the grapheme clusters and the word segmenter of
`app.core.khmer_text`, where a new line may start:

* only between two words of the segmenter, or after a run of spaces;
* never inside a grapheme cluster (a consonant with its subscripts, vowels and signs);
* never before ។ ៕ ៗ (and the other Khmer signs that close a phrase) or a closing bracket/quote,
  never after an opening bracket/quote, never inside a number.

A word too long for a whole line is broken between clusters by the layout code, as a last resort.

Break opportunities are computed at display time and never stored: `break_plan` returns the
logical text (without any U+200B) and the offsets; `display_text` returns the text Qt needs (U+200B
at the word breaks, a no-break space where a space must not break). Typed text is cleaned at input
with `normalize_typed_text`, which removes a U+200B typed inside a cluster (it would print a dotted
circle) but keeps one an officer typed between two words.

Results are cached: the same help text or rights paragraph is segmented once per process.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.core.khmer_text import ZWSP, grapheme_clusters, word_break_offsets

NO_BREAK_SPACE = "\u00a0"
# A line never starts with one of these: Khmer signs that close a phrase or repeat a word, and
# closing brackets and quotes.
NO_BREAK_BEFORE = frozenset("។៕៖ៗ៘៙៚)]}»”’›」』〉》!?.,;:%")
# A line never ends with an opening bracket or quote.
NO_BREAK_AFTER = frozenset("([{«“‘‹「『〈《")
_ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"


def may_break_between(before: str, after: str) -> bool:
    """True if a line may end with the character ``before`` and the next start with ``after``."""
    if after in NO_BREAK_BEFORE or before in NO_BREAK_AFTER:
        return False
    return not (before.isdigit() and after.isdigit())


@dataclass(frozen=True, slots=True)
class BreakPlan:
    """The logical text (no U+200B) and the offsets in it where a new line may start.

    Offsets are strictly between 0 and ``len(text)``; after a run of spaces the offset is that of
    the first character after the spaces. Newlines are hard breaks and are not listed.
    """

    text: str
    breaks: tuple[int, ...]


def _space_breaks(text: str) -> set[int]:
    """Offsets just after each run of spaces where a line may start."""
    offsets: set[int] = set()
    index = 0
    length = len(text)
    while index < length:
        if text[index] != " ":
            index += 1
            continue
        start = index
        while index < length and text[index] == " ":
            index += 1
        inside_a_line = start > 0 and index < length and "\n" not in (text[start - 1], text[index])
        if inside_a_line and may_break_between(text[start - 1], text[index]):
            offsets.add(index)
    return offsets


@lru_cache(maxsize=16384)
def break_plan(text: str) -> BreakPlan:
    """Where ``text`` may break into lines (see the module docstring for the rules).

    U+200B in the input are removed from the logical text; one that stands between two words'
    clusters is honoured as an extra break (an officer typed it), others are dropped.
    """
    clean, word_breaks = word_break_offsets(text)
    breaks = {
        offset for offset in word_breaks if may_break_between(clean[offset - 1], clean[offset])
    }
    breaks |= _space_breaks(clean)
    return BreakPlan(clean, tuple(sorted(breaks)))


@lru_cache(maxsize=16384)
def display_text(text: str) -> str:
    """``text`` ready for a Qt widget that wraps: U+200B at every word break that is not a space,
    and a no-break space for each space a line must not break at (before ។, after an opening
    bracket...). Text without Khmer comes back unchanged apart from those spaces.

    For display only: never store or compare the result; `strip_display_marks` undoes it.
    """
    if not text:
        return text
    plan = break_plan(unicodedata.normalize("NFC", text))
    clean = plan.text
    breaks = set(plan.breaks)
    pieces: list[str] = []
    for index, ch in enumerate(clean):
        if index in breaks and index > 0 and clean[index - 1] not in " \n":
            pieces.append(ZWSP)
        if ch == " " and not _space_may_break_here(clean, index, breaks):
            ch = NO_BREAK_SPACE
        pieces.append(ch)
    return "".join(pieces)


def _space_may_break_here(clean: str, index: int, breaks: set[int]) -> bool:
    end = index
    while end < len(clean) and clean[end] == " ":
        end += 1
    start = index
    while start > 0 and clean[start - 1] == " ":
        start -= 1
    if start == 0 or end == len(clean) or clean[end] == "\n" or clean[start - 1] == "\n":
        return True  # leading/trailing spaces: nothing to protect
    return end in breaks


def strip_display_marks(text: str) -> str:
    """The logical text of a string prepared by `display_text` (U+200B dropped, NBSP to space)."""
    return text.replace(ZWSP, "").replace(NO_BREAK_SPACE, " ")


def normalize_typed_text(text: str) -> str:
    """Typed text as it is stored: NFC, and no U+200B where it cannot be a word break.

    A U+200B inside a grapheme cluster (it would print a dotted circle), next to a space or a line
    end, at either end, or repeated is removed; one typed between two words stays (Khmer keyboards
    type it with the space bar). Nothing else changes.
    """
    text = unicodedata.normalize("NFC", text)
    if ZWSP not in text:
        return text
    clean, word_breaks = word_break_offsets(text, use_model=False)
    typed = _typed_breaks(text)
    kept = [offset for offset in sorted(typed) if offset in set(word_breaks)]
    pieces: list[str] = []
    previous = 0
    for offset in kept:
        pieces.append(clean[previous:offset])
        pieces.append(ZWSP)
        previous = offset
    pieces.append(clean[previous:])
    return unicodedata.normalize("NFC", "".join(pieces))


def normalize_typed_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """`normalize_typed_text` applied to every string in a form's answers (nested too)."""
    return {key: _normalize_value(value) for key, value in answers.items()}


def _normalize_value(value: Any) -> Any:
    # The plain types first, by type: answers are made of them, and an ABC check is slow.
    kind = type(value)
    if kind is str:
        return normalize_typed_text(value)
    if kind is dict:
        return {key: _normalize_value(item) for key, item in value.items()}
    if kind is list:
        return [_normalize_value(item) for item in value]
    if kind is bool or kind is int or value is None:
        return value
    if isinstance(value, str):
        return normalize_typed_text(value)
    if isinstance(value, Mapping):
        return {key: _normalize_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalize_value(item) for item in value]
    return value


def _typed_breaks(text: str) -> set[int]:
    offsets: set[int] = set()
    position = 0
    for ch in text:
        if ch == ZWSP:
            offsets.add(position)
        else:
            position += 1
    return offsets


def line_starts_are_valid(lines: list[str]) -> bool:
    """True if no line starts with a dependent sign (a broken cluster) or a no-break-before sign."""
    for line in lines:
        stripped = line.lstrip(" " + _ZERO_WIDTH)
        if not stripped:
            continue
        first = grapheme_clusters(stripped)[0][0]
        if first in NO_BREAK_BEFORE or unicodedata.category(first) in ("Mn", "Mc", "Me"):
            return False
        if 0x17B4 <= ord(first) <= 0x17D3:
            return False
    return True


__all__ = [
    "NO_BREAK_AFTER",
    "NO_BREAK_BEFORE",
    "NO_BREAK_SPACE",
    "BreakPlan",
    "break_plan",
    "display_text",
    "line_starts_are_valid",
    "may_break_between",
    "normalize_typed_answers",
    "normalize_typed_text",
    "strip_display_marks",
]
