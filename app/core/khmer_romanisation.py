"""Khmer romanisation: a deterministic Khmer->Latin spelling, and a Latin search key.

Both are for matching, never for display: ``romanize_khmer`` follows the spelling (UNGEGN-like,
ASCII), and ``latin_search_key`` folds the common Latin spelling variants of Cambodian names
together. The readings a name search uses are ``app.core.name_match``'s; the clusters and digits
these read come from ``app.core.khmer_text``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.core.khmer_text import (
    COENG,
    INVISIBLE_CHARS,
    KHMER_DIGITS,
    from_khmer_digits,
    grapheme_clusters,
    is_khmer,
)

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
        if ch == COENG and index + 1 < len(cluster):
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
            out.append(from_khmer_digits(cluster) if cluster[0] in KHMER_DIGITS else "")
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
        if is_khmer(cluster[0]) and cluster[0] not in "។៕៖ៗ៘៙៚":
            word.append(cluster)
            continue
        if word:
            pieces.append(_romanize_word(word))
            word = []
        if cluster[0] not in INVISIBLE_CHARS and not is_khmer(cluster[0]):
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
