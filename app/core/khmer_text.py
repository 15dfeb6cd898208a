"""Khmer text helpers: normalisation for search, digits, clusters, word breaks, romanisation.

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
_INVISIBLE_CHARS = "\u200b\u200c\u200d\ufeff"
_INVISIBLE_TABLE = str.maketrans("", "", _INVISIBLE_CHARS)
_COENG = "\u17d2"
_KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_TO_KHMER_DIGITS = str.maketrans("0123456789", _KHMER_DIGITS)
_FROM_KHMER_DIGITS = str.maketrans(_KHMER_DIGITS, "0123456789")
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
        elif text[i] not in _INVISIBLE_CHARS or text[i] in "\u200c\u200d":
            while j < length:
                ch = text[j]
                if text[j - 1] == _COENG and _is_khmer_base(ch):
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


# --- romanisation --------------------------------------------------------------------------------

# Consonant: (initial spelling, final spelling, series) — series 1 ("a") or 2 ("o"), UNGEGN 1972,
# ASCII-folded.
_CONSONANTS: dict[str, tuple[str, str, int]] = {
    "ក": ("k", "k", 1),
    "ខ": ("kh", "kh", 1),
    "គ": ("k", "k", 2),
    "ឃ": ("kh", "kh", 2),
    "ង": ("ng", "ng", 2),
    "ច": ("ch", "ch", 1),
    "ឆ": ("chh", "ch", 1),
    "ជ": ("ch", "ch", 2),
    "ឈ": ("chh", "ch", 2),
    "ញ": ("nh", "nh", 2),
    "ដ": ("d", "d", 1),
    "ឋ": ("th", "th", 1),
    "ឌ": ("d", "d", 2),
    "ឍ": ("th", "th", 2),
    "ណ": ("n", "n", 1),
    "ត": ("t", "t", 1),
    "ថ": ("th", "th", 1),
    "ទ": ("t", "t", 2),
    "ធ": ("th", "th", 2),
    "ន": ("n", "n", 2),
    "ប": ("b", "b", 1),
    "ផ": ("ph", "ph", 1),
    "ព": ("p", "p", 2),
    "ភ": ("ph", "ph", 2),
    "ម": ("m", "m", 2),
    "យ": ("y", "y", 2),
    "រ": ("r", "r", 2),
    "ល": ("l", "l", 2),
    "វ": ("v", "v", 2),
    "ឝ": ("s", "s", 1),
    "ឞ": ("s", "s", 1),
    "ស": ("s", "s", 1),
    "ហ": ("h", "h", 1),
    "ឡ": ("l", "l", 1),
    "អ": ("", "", 1),
}
_INDEPENDENT_VOWELS: dict[str, str] = {
    "ឣ": "a",
    "ឤ": "a",
    "ឥ": "e",
    "ឦ": "ei",
    "ឧ": "o",
    "ឨ": "ok",
    "ឩ": "ou",
    "ឪ": "ov",
    "ឫ": "rue",
    "ឬ": "rue",
    "ឭ": "lue",
    "ឮ": "lue",
    "ឯ": "ae",
    "ឰ": "ai",
    "ឱ": "ao",
    "ឲ": "ao",
    "ឳ": "au",
}
# Vowel letters and vowel-like signs (ំ ះ ៈ ័), singly or in combination: (series 1, series 2).
_VOWELS: dict[str, tuple[str, str]] = {
    "ា": ("a", "ea"),
    "ិ": ("e", "i"),
    "ី": ("ei", "i"),
    "ឹ": ("oe", "eu"),
    "ឺ": ("eu", "eu"),
    "ុ": ("o", "u"),
    "ូ": ("o", "u"),
    "ួ": ("uo", "uo"),
    "ើ": ("aeu", "eu"),
    "ឿ": ("oea", "oea"),
    "ៀ": ("ie", "ie"),
    "េ": ("e", "e"),
    "ែ": ("ae", "ae"),
    "ៃ": ("ai", "ey"),
    "ោ": ("ao", "o"),
    "ៅ": ("au", "ov"),
    "ំ": ("am", "um"),
    "ាំ": ("am", "oam"),
    "ុំ": ("om", "um"),
    "ោំ": ("am", "um"),
    "ះ": ("ah", "eah"),
    "ិះ": ("eh", "ih"),
    "ុះ": ("oh", "uh"),
    "េះ": ("eh", "eh"),
    "ោះ": ("aoh", "uoh"),
    "ៈ": ("a", "ea"),
    "័": ("a", "oa"),
}
_INHERENT_VOWEL = {1: "a", 2: "o"}
_MUUSIKATOAN = "\u17c9"  # ៉ makes a series-2 consonant series 1
_TRIISAP = "\u17ca"  # ៊ makes a series-1 consonant series 2
_TOANDAKHIAT = "\u17cd"  # ៍ marks the letter as silent


@dataclass
class _Syllable:
    onset: str
    final: str
    vowel: str | None  # None: no written vowel
    series: int
    silent: bool


def _parse_cluster(cluster: str) -> _Syllable | None:
    """Read one Khmer cluster; None when it is not a letter cluster (digit, punctuation...)."""
    base = cluster[0]
    if base in _INDEPENDENT_VOWELS:
        return _Syllable(_INDEPENDENT_VOWELS[base], "", "", 1, False)
    if base not in _CONSONANTS:
        return None
    onset, final, series = _CONSONANTS[base]
    vowel_marks = ""
    index = 1
    while index < len(cluster):
        ch = cluster[index]
        if ch == _COENG and index + 1 < len(cluster):
            sub = cluster[index + 1]
            # The base letter decides the series here (ស្រី is "srei"), a simplification.
            onset += _CONSONANTS.get(sub, ("", "", 1))[0]
            index += 2
            continue
        if ch == _MUUSIKATOAN:
            series = 1
            if base == "ប":  # ប៉ is read "p" (ប៉ុល "pol")
                onset = "p" + onset[1:]
        elif ch == _TRIISAP:
            series = 2
        elif ch in _VOWELS or "\u17b6" <= ch <= "\u17c8" or ch == "\u17d0":
            vowel_marks += ch
        index += 1
    silent = _TOANDAKHIAT in cluster
    if not vowel_marks:
        return _Syllable(onset, final, None, series, silent)
    pair = _VOWELS.get(vowel_marks)
    if pair is None:  # an unusual combination: spell its parts one after the other
        parts = [_VOWELS.get(mark, ("", ""))[series - 1] for mark in vowel_marks]
        return _Syllable(onset, final, "".join(parts), series, silent)
    return _Syllable(onset, final, pair[series - 1], series, silent)


def _romanize_word(clusters: list[str]) -> str:
    syllables = [_parse_cluster(cluster) for cluster in clusters]
    out: list[str] = []
    for index, (cluster, syllable) in enumerate(zip(clusters, syllables, strict=True)):
        if syllable is None:
            out.append(from_khmer_digits(cluster) if cluster[0] in _KHMER_DIGITS else "")
            continue
        if syllable.silent:
            continue
        if syllable.vowel is not None:
            out.append(syllable.onset + syllable.vowel)
            continue
        is_last = index == len(clusters) - 1
        follows_letter = index > 0 and syllables[index - 1] is not None
        if is_last and follows_letter:
            # A bare cluster closing a word is the final consonant of the previous syllable;
            # subscripts of a final cluster are not pronounced (ពេជ្រ "pech").
            out.append(syllable.final)
        elif follows_letter and _starts_closed_syllable(syllables, index + 1):
            # Consonant, then a bare consonant that opens a closed syllable: ប៊ុន|ថន "bunthan",
            # whereas កុ|សល stays "kosal".
            out.append(syllable.final)
        else:
            out.append(syllable.onset + _INHERENT_VOWEL[syllable.series])
    return "".join(out)


def _starts_closed_syllable(syllables: list[_Syllable | None], index: int) -> bool:
    """True if syllables[index] and [index + 1] are both bare letters (a CVC syllable)."""
    if index + 1 >= len(syllables):
        return False
    first, second = syllables[index], syllables[index + 1]
    return first is not None and first.vowel is None and second is not None and second.vowel is None


def romanize_khmer(text: str) -> str:
    """Deterministic Khmer→Latin romanisation, UNGEGN-like, ASCII, lower case.

    Meant for matching Latin queries against Khmer-only records, not for display: it follows the
    spelling, not the pronunciation, and ignores many phonological rules. Non-Khmer text passes
    through ASCII-folded and lower-cased; Khmer digits become ASCII digits; U+200B is dropped.
    """
    pieces: list[str] = []
    word: list[str] = []
    for cluster in grapheme_clusters(unicodedata.normalize("NFC", text)):
        if _is_khmer_char(cluster[0]) and cluster[0] not in "។៕៖ៗ៘៙៚":
            word.append(cluster)
            continue
        if word:
            pieces.append(_romanize_word(word))
            word = []
        if cluster[0] not in _INVISIBLE_CHARS and not _is_khmer_char(cluster[0]):
            pieces.append(_ascii_fold(cluster))
    if word:
        pieces.append(_romanize_word(word))
    return "".join(pieces)


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ord(ch) < 128).lower()


_VOWEL_RUN = re.compile(r"[aeio]+")
# Vowel runs that common Latin spellings of Cambodian names use interchangeably, after u→o and
# y→i: Chea/Chia, Srey/Srei, Touch/Tuch, Nuon/Noun, Keo/Kaew, Sokha/Sokhaa.
_VOWEL_RUN_KEY = {
    "ei": "i",
    "ie": "i",
    "ii": "i",
    "ea": "a",
    "ia": "a",
    "oa": "a",
    "oea": "a",
    "aa": "a",
    "ae": "e",
    "ee": "e",
    "oo": "o",
    "oe": "eo",
    "aeo": "eo",
    "au": "ao",
    "ai": "ai",
    "ao": "ao",
    "eo": "eo",
}


def latin_search_key(text: str) -> str:
    """A folded key under which common Latin spelling variants of Cambodian names collide.

    Khmer text is romanised first. Then: ASCII only, lower case, no spaces/hyphens/apostrophes,
    y→i where it is not a consonant, u→o, j→ch, w→v/o, d→t, h dropped after consonants and at
    syllable ends, vowel runs folded (ea→a, ei→i, ...), doubled letters single.
    """
    latin = _ascii_fold(romanize_khmer(text)) if is_khmer(text) else _ascii_fold(text)
    key = re.sub(r"[^a-z0-9]", "", latin)
    key = re.sub(r"y(?![aeiou])", "i", key)
    key = re.sub(r"w(?=[aeiou])", "v", key).replace("w", "o")
    key = re.sub(r"(?<=[aeiou])v(?![aeiou])", "o", key)  # Kaev/Kaew/Keo
    key = key.replace("u", "o").replace("j", "ch").replace("d", "t").replace("q", "k")
    key = re.sub(r"(?<=[bcfgklmnprstvxz])h+", "", key)
    key = re.sub(r"(?<=[aeio])h(?![aeio])", "", key)
    key = _VOWEL_RUN.sub(
        lambda m: _VOWEL_RUN_KEY.get(_squeeze(m.group()), _squeeze(m.group())), key
    )
    return _squeeze(key)


def _squeeze(text: str) -> str:
    """Collapse runs of the same letter: "phalla" → "phala", "sokhaa" → "sokha"."""
    return re.sub(r"(.)\1+", r"\1", text)
