"""Khmer text helpers: normalisation for search, digits, clusters, word breaks (romanisation:
`app.core.khmer_romanisation`).

Khmer is written without spaces between words; U+200B (zero-width space) marks where a line may
break. Everything that compares text (search, duplicate detection) must ignore U+200B and compare
NFC-normalised strings, and everything that wraps lines must never split a grapheme cluster
(a base letter with its subscripts, vowels and signs), or the shaped text falls apart.

Word segmentation uses the optional ``khmercut`` package (app.core.word_segmenter: its model,
and the breaks of the app's own texts made with it at build time) when it is installed; without
it every cluster boundary inside Khmer text is a break opportunity, which is uglier but never
wrong.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from app.core import word_segmenter

ZWSP = "\u200b"
INVISIBLE_CHARS = "\u200b\u200c\u200d\ufeff"
_INVISIBLE_TABLE = str.maketrans("", "", INVISIBLE_CHARS)
COENG = "\u17d2"
KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_TO_KHMER_DIGITS = str.maketrans("0123456789", KHMER_DIGITS)
_FROM_KHMER_DIGITS = str.maketrans(KHMER_DIGITS, "0123456789")
_WHITESPACE_RUN = re.compile(r"\s+")


# --- normalisation -------------------------------------------------------------------------------


# Spellings of one word that differ only in a letter variant: coeng DA is written for coeng TA
# (ម្ដាយ/ម្តាយ, មេត្ដា/មេត្តា), ឲ for ឱ, and the deprecated independent vowels ឣ ឤ for អ អា.
_SPELLING_VARIANTS = (
    ("\u17d2\u178a", "\u17d2\u178f"),
    ("\u17b2", "\u17b1"),
    ("\u17a3", "\u17a2"),
    ("\u17a4", "\u17a2\u17b6"),
)


def normalize_for_search(text: str) -> str:
    """A comparison key: NFC, no zero-width characters, case-folded, Khmer digits as ASCII,
    spelling variants of one letter folded (coeng DA as coeng TA, ...), whitespace collapsed to
    single spaces and trimmed.

    Apply the same function to stored values and to queries; the result is for matching only,
    never for display.
    """
    if text.isascii():
        # Nothing to compose, remove or fold but case (casefold is lower on ASCII): the Latin
        # names, codes and references of every record's search text (a bulk import's too).
        return _WHITESPACE_RUN.sub(" ", text.lower()).strip()
    folded = unicodedata.normalize("NFC", text).translate(_INVISIBLE_TABLE).casefold()
    folded = folded.translate(_FROM_KHMER_DIGITS)
    for variant, usual in _SPELLING_VARIANTS:
        folded = folded.replace(variant, usual)
    return _WHITESPACE_RUN.sub(" ", folded).strip()


def normalize_name(text: str) -> str:
    """The form in which a person's or place name is stored: NFC, no BOM, no zero-width characters
    or whitespace at the ends, whitespace runs collapsed to one space. Inner U+200B (typed break
    opportunities) are kept."""
    name = unicodedata.normalize("NFC", text).replace("\ufeff", "")
    name = _WHITESPACE_RUN.sub(" ", name)
    return name.strip(" \u200b\u200c\u200d")


def to_khmer_digits(s: str) -> str:
    """Replace ASCII digits 0-9 by Khmer digits ០-៩; everything else is unchanged."""
    return s.translate(_TO_KHMER_DIGITS)


def from_khmer_digits(s: str) -> str:
    """Replace Khmer digits ០-៩ by ASCII digits 0-9; everything else is unchanged."""
    return s.translate(_FROM_KHMER_DIGITS)


def _is_khmer_char(ch: str) -> bool:
    code = ord(ch)
    return 0x1780 <= code <= 0x17FF or 0x19E0 <= code <= 0x19FF


# The Khmer and Khmer Symbols blocks, as _is_khmer_char tests them (one search, not a Python
# step per character: every name of every record is tested).
_KHMER_CHAR = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")


def is_khmer(text: str) -> bool:
    """True if the text contains any character of the Khmer or Khmer Symbols blocks (letters,
    digits, signs), i.e. it needs a Khmer font and shaping."""
    return _KHMER_CHAR.search(text) is not None


# --- grapheme clusters ---------------------------------------------------------------------------


def _is_khmer_base(ch: str) -> bool:
    """Consonants and independent vowels: the letters that start a cluster or follow a coeng."""
    return 0x1780 <= ord(ch) <= 0x17B3


def _continues_cluster(ch: str) -> bool:
    code = ord(ch)
    if 0x17B4 <= code <= 0x17D3 or code == 0x17DD:  # dependent vowels, signs, coeng
        return True
    if ch in "\u200c\u200d":  # ZWNJ/ZWJ steer shaping inside a cluster
        return True
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


def grapheme_clusters(text: str) -> list[str]:
    """Split text into clusters that a line breaker must keep whole.

    A Khmer cluster is a consonant or independent vowel, then any number of coeng + subscript
    letter pairs, dependent vowels and signs. Other scripts: a character with its combining marks.
    CR LF stays together; U+200B is always a cluster of its own so it can be found and dropped.
    ``"".join(grapheme_clusters(t)) == t`` always holds.
    """
    clusters: list[str] = []
    i = 0
    length = len(text)
    while i < length:
        j = i + 1
        if text[i] == "\r" and j < length and text[j] == "\n":
            j += 1
        elif text[i] not in INVISIBLE_CHARS or text[i] in "\u200c\u200d":
            while j < length:
                ch = text[j]
                if text[j - 1] == COENG and _is_khmer_base(ch):
                    j += 1  # the subscript letter belongs to the coeng before it
                elif _continues_cluster(ch):
                    j += 1
                else:
                    break
        clusters.append(text[i:j])
        i = j
    return clusters


def _cluster_boundaries(text: str) -> set[int]:
    offsets = {0}
    position = 0
    for cluster in grapheme_clusters(text):
        position += len(cluster)
        offsets.add(position)
    return offsets


# --- word segmentation ---------------------------------------------------------------------------


def load_word_segmenter() -> bool:
    """Load the segmenter's model now rather than with the first Khmer text the prebuilt table
    does not hold (app.ui.preload does, after the first window is painted). False when the
    segmenter is not installed."""
    return word_segmenter.load_model()


def word_segmenter_available() -> bool:
    """True when the statistical word segmenter (khmercut) is installed."""
    return word_segmenter.model_available()


def _run_kind(ch: str) -> str:
    if ch.isspace():
        return "space"
    if _is_khmer_char(ch) or ch in "\u200c\u200d":
        return "khmer"
    return "other"


def _runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of maximal runs of Khmer, whitespace and other characters."""
    runs: list[tuple[int, int, str]] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or _run_kind(text[index]) != _run_kind(text[start]):
            runs.append((start, index, _run_kind(text[start])))
            start = index
    return runs if text else []


def _word_breaks(clean: str, use_model: bool) -> set[int]:
    """Offsets strictly inside Khmer runs of ``clean`` (which has no U+200B) between two words,
    always at cluster boundaries."""
    with_model = use_model and word_segmenter.model_available()
    breaks: set[int] = set()
    for start, end, kind in _runs(clean):
        if kind != "khmer":
            continue
        run = clean[start:end]
        allowed = _cluster_boundaries(run)
        candidates = set(_model_word_ends(run)) if with_model else allowed
        breaks.update(
            start + offset
            for offset in candidates & allowed
            if 0 < offset < len(run) and _may_break_between(run[offset - 1], run[offset])
        )
    return breaks


@lru_cache(maxsize=32768)
def _model_word_ends(run: str) -> tuple[int, ...]:
    """Offsets where the segmenter ends a word in a run of Khmer (cached: forms and rights texts
    repeat the same runs on every page and every print); every cluster boundary when it cannot
    tell."""
    ends = word_segmenter.model_word_ends(run)
    return ends if ends is not None else tuple(sorted(_cluster_boundaries(run)))


def khmer_runs(text: str) -> list[str]:
    """The runs of Khmer in ``text`` as the segmenter is given them (U+200B removed): what the
    prebuilt word-break table (app.core.word_segmenter) holds for the app's own texts."""
    clean = _strip_zwsp(text).clean
    return [clean[start:end] for start, end, kind in _runs(clean) if kind == "khmer"]


# Khmer punctuation and the repetition sign stay on the line of the word they follow.
_NO_BREAK_BEFORE = "។៕៖ៗ៘៙៚"


def _may_break_between(before: str, after: str) -> bool:
    if after in _NO_BREAK_BEFORE:
        return False
    return not (before.isdigit() and after.isdigit())


@dataclass
class _ZwspLayout:
    clean: str
    typed_breaks: set[int] = field(default_factory=set)


def _strip_zwsp(text: str) -> _ZwspLayout:
    """Remove U+200B, remembering where they stood (as offsets into the cleaned text)."""
    layout = _ZwspLayout(clean=text.replace(ZWSP, ""))
    position = 0
    for ch in text:
        if ch == ZWSP:
            layout.typed_breaks.add(position)
        else:
            position += 1
    return layout


def _all_breaks(text: str, use_model: bool) -> tuple[str, list[int]]:
    layout = _strip_zwsp(text)
    clean = layout.clean
    allowed = _cluster_boundaries(clean)
    # A typed U+200B is kept where it can act as a break: between two non-space clusters.
    typed = {
        offset
        for offset in layout.typed_breaks
        if 0 < offset < len(clean)
        and offset in allowed
        and not clean[offset - 1].isspace()
        and not clean[offset].isspace()
        and _may_break_between(clean[offset - 1], clean[offset])
    }
    return clean, sorted(typed | _word_breaks(clean, use_model))


def word_break_offsets(text: str, *, use_model: bool = True) -> tuple[str, list[int]]:
    """The text without U+200B, and the offsets in it between two words (segmenter word ends
    inside Khmer runs, plus typed U+200B that stand between two clusters). Never inside a
    cluster, never next to whitespace, never before ។ or the repetition sign, never in a number.
    Spaces are not listed: `app.core.line_breaks` adds them with the full break rules."""
    return _all_breaks(text, use_model)


def segment_words(text: str, *, use_model: bool = True) -> list[str]:
    """Split text into words (Khmer words, Latin/digit runs, whitespace runs), U+200B removed.

    Existing U+200B are honoured as word boundaries. ``use_model=False`` skips the statistical
    segmenter and splits Khmer at every cluster boundary (the fallback when it is not installed).
    """
    clean, breaks = _all_breaks(text, use_model)
    cuts = set(breaks)
    for start, _end, _kind in _runs(clean):
        cuts.add(start)
    cuts.add(len(clean))
    ordered = sorted(cuts)
    return [clean[a:b] for a, b in pairwise(ordered) if b > a]


def insert_break_opportunities(text: str, *, use_model: bool = True) -> str:
    """Put U+200B between Khmer words so that Qt and the PDF layer can wrap long Khmer lines.

    Never inside a grapheme cluster, never next to whitespace, never at the ends. Idempotent:
    applying it to its own result changes nothing. Typed U+200B at valid places are kept.
    """
    clean, breaks = _all_breaks(text, use_model)
    pieces: list[str] = []
    previous = 0
    for offset in breaks:
        pieces.append(clean[previous:offset])
        pieces.append(ZWSP)
        previous = offset
    pieces.append(clean[previous:])
    return "".join(pieces)
