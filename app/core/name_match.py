"""Matching people's names across scripts and spellings: Latin spellings of Khmer names.

Most applicants' names are written in Khmer only, while officers search with the Latin spellings
people actually use (Sopheap or Sophiep, Vuthy or Vutthy, Kosal or Kaosal, Sreymom or Srey Mom).
No single romanisation predicts them: identity cards, the UNGEGN and ALA-LC tables, the French-based
spellings and the Documentation Center of Cambodia's 1998 table for names of persons all differ,
mostly in vowels and in how final letters are written. So a Khmer name gets *several* readings (the
vowel and consonant spellings those systems use for each letter, by consonant series), and every
reading and every typed Latin spelling is reduced to one phonetic key (``latin_key``) in which the
remaining differences (doubled letters, aspiration marks, y/i, w/v, final r, ...) vanish. A typed
spelling is the same name when its key equals one of the name's keys (the duplicate check); the
registry search looks for the typed key inside the indexed keys, like any typed text.

Measured on tests/data/khmer_name_spellings.tsv (public sources, see there); the figures are in
tests/core/test_name_match.py. Everything here is pure and deterministic; keys are ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import product

from app.core.khmer_text import grapheme_clusters, is_khmer, normalize_for_search

# Keys kept per Khmer word and per full name: enough for the spellings in use, few enough to keep
# the search index small (measured: see the test module).
MAX_WORD_KEYS = 24
MAX_NAME_KEYS = 48
# A long word has many combinations of readings; past this many the keys repeat (time bound).
_MAX_READINGS_TRIED = 400

_COENG = "\u17d2"
_MUUSIKATOAN = "\u17c9"  # ៉ : a series-2 letter read as series 1
_TRIISAP = "\u17ca"  # ៊ : a series-1 letter read as series 2
_TOANDAKHIAT = "\u17cd"  # ៍ : the letter is silent
_BANTOC = "\u17cb"  # ់ : shortens the vowel; the letter is a final
_SIGNS_IGNORED = "\u17cc\u17ce\u17cf\u17d1\u17dd"  # robat, kakabat, ahsda, viriam, atthacan

# Consonant: (spellings at the start of a syllable, spellings at the end, series).
_CONSONANTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], int]] = {
    "ក": (("k",), ("k",), 1),
    "ខ": (("kh",), ("k",), 1),
    "គ": (("k",), ("k",), 2),
    "ឃ": (("kh",), ("k",), 2),
    "ង": (("ng",), ("ng",), 2),
    "ច": (("ch",), ("ch", "t"), 1),
    "ឆ": (("chh",), ("ch",), 1),
    "ជ": (("ch",), ("ch",), 2),
    "ឈ": (("chh",), ("ch",), 2),
    "ញ": (("nh",), ("nh",), 2),
    "ដ": (("d",), ("t",), 1),
    "ឋ": (("th",), ("th",), 1),
    "ឌ": (("d",), ("t",), 2),
    "ឍ": (("th",), ("th",), 2),
    "ណ": (("n",), ("n",), 1),
    "ត": (("t", "d"), ("t",), 1),
    "ថ": (("th",), ("th",), 1),
    "ទ": (("t",), ("t",), 2),
    "ធ": (("th",), ("th",), 2),
    "ន": (("n",), ("n",), 2),
    "ប": (("b",), ("b",), 1),
    "ផ": (("ph",), ("ph",), 1),
    "ព": (("p",), ("p",), 2),
    "ភ": (("ph",), ("ph",), 2),
    "ម": (("m",), ("m",), 2),
    "យ": (("y",), ("y",), 2),
    "រ": (("r",), ("",), 2),  # a final r is not pronounced
    "ល": (("l",), ("l",), 2),
    "វ": (("v",), ("v",), 2),
    "ឝ": (("s",), ("s",), 1),
    "ឞ": (("s",), ("s",), 1),
    "ស": (("s",), ("s", "h"), 1),
    "ហ": (("h",), ("h",), 1),
    "ឡ": (("l",), ("l",), 1),
    "អ": (("",), ("",), 1),
}
_INDEPENDENT_VOWELS: dict[str, tuple[str, ...]] = {
    "ឣ": ("a",),
    "ឤ": ("a",),
    "ឥ": ("e", "i"),
    "ឦ": ("ei", "i"),
    "ឧ": ("o", "ou", "u"),
    "ឨ": ("ok",),
    "ឩ": ("ou", "u"),
    "ឪ": ("ov", "eu"),
    "ឫ": ("rue", "reu"),
    "ឬ": ("rue", "reu"),
    "ឭ": ("lue", "leu"),
    "ឮ": ("lue", "leu"),
    "ឯ": ("ae", "e"),
    "ឰ": ("ai",),
    "ឱ": ("ao", "o"),
    "ឲ": ("ao", "o"),
    "ឳ": ("au", "ov"),
}
# Vowel signs, singly or in combination: (series-1 spellings, series-2 spellings), most usual
# first. From UNGEGN (1972), ALA-LC, the Geographic Department's system, the DC-Cam 1998 table and
# the French-based spellings seen in names (ou, eu, oeu, ...).
_VOWELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ា": (("a",), ("ea", "ie", "a")),
    "ិ": (("e", "i", "a"), ("i", "e")),
    "ី": (("ei", "i", "ey"), ("i", "ey")),
    "ឹ": (("oe", "eu", "e", "i"), ("eu", "oe", "i", "ue")),
    "ឺ": (("eu", "oe"), ("eu", "oe", "ue")),
    "ុ": (("o", "u", "ou"), ("u", "o", "ou")),
    "ូ": (("o", "ou", "au", "u"), ("ou", "u", "o")),
    "ួ": (("uo", "ou"), ("uo", "ou")),
    "ើ": (("aeu", "oeu", "eu", "ae"), ("eu", "oeu", "ae")),
    "ឿ": (("oeu", "eu", "oe"), ("oeu", "eu", "oe")),
    "ៀ": (("ie", "ea", "e"), ("ie", "ea", "e")),
    "េ": (("e", "ei"), ("e", "ei")),
    "ែ": (("ae", "e", "ai"), ("ae", "e", "ai")),
    "ៃ": (("ai", "ei"), ("ey", "ei", "ai")),
    "ោ": (("ao", "o", "au"), ("o", "ou", "ao")),
    "ៅ": (("au", "ao", "ov"), ("ov", "ou", "eu")),
    "ំ": (("am", "om"), ("um", "om", "oum")),
    "ាំ": (("am",), ("oam", "am", "eam")),
    "ុំ": (("om", "um"), ("um", "om", "oum")),
    "ោំ": (("am", "aom"), ("um", "om")),
    "ះ": (("ah", "as"), ("eah", "eas", "ah")),
    "ិះ": (("eh", "es"), ("ih", "is")),
    "ុះ": (("oh", "os"), ("uh", "os")),
    "េះ": (("eh", "es"), ("eh", "es")),
    "ោះ": (("aoh", "oh", "as"), ("uoh", "oh", "os")),
    "ៈ": (("a", "ak"), ("ea", "eak", "ak")),
    "័": (("a",), ("oa", "ea", "o", "a", "e")),
}
# The inherent vowel: in an open syllable, and before a final consonant.
_INHERENT_OPEN = {1: ("a", "o"), 2: ("o", "u", "ea", "a")}
_INHERENT_CLOSED = {1: ("a", "o"), 2: ("o", "u", "ea", "uo", "a")}


@lru_cache(maxsize=8192)  # names repeat: a bulk import keys the same words again and again
def latin_key(text: str) -> str:
    """The phonetic key of a Latin spelling (or of one reading of a Khmer name): lower-case ASCII
    letters only; letters doubled or aspirated (th, kh, ph, chh) counted once; j=ch, d=t, g=k (not
    in ng), w=v before a vowel; y=i after a vowel or before a consonant; a final or preconsonantal
    r, h or w after a vowel dropped; vowel runs reduced to the sound they stand for in names."""
    latin = _ascii_letters(text)
    if not latin:
        return ""
    key = latin.replace("j", "ch").replace("q", "k").replace("x", "s").replace("z", "s")
    key = key.replace("ph", "p").replace("f", "p")
    key = re.sub(r"(?<!n)g(?!n)", "k", key)  # Guek/Kek; keep ng, and gn (French nh) below
    key = re.sub(r"gn|ny(?=[aeiou])", "nh", key)
    key = re.sub(r"c(?!h)", "ch", key.replace("d", "t").replace("b", "p"))
    key = re.sub(r"t?(ch)+h*", "ch", key)
    key = re.sub(r"(?<=[^aeiouy])r$", "", key)  # Vichetr: a final subscript r is not read
    key = re.sub(r"(?<=[kptsnl])h+", "", key)  # kh th ph sh nh lh: aspiration is not kept
    key = key.replace("chh", "ch")
    key = re.sub(r"w(?=[aeiouy])", "v", key)
    key = re.sub(r"(?<=[aeiouy])[rwvh]+(?![aeiouy])", _final_glide, key)
    key = re.sub(r"y(?![aeiou])", "i", key)
    key = re.sub(r"(?<=[aeiou])y", "i", key)
    key = _VOWEL_RUN.sub(lambda m: _vowel_class(m.group()), key)
    return _squeeze(key)


def _final_glide(match: re.Match[str]) -> str:
    # Final w/v after a vowel is the "o/u" glide of Keo/Kaev/Kev, Pov/Pou; r and h are length
    # or tone marks in Sorm, Thorng, Cheurn, Meah, and final r is silent in Khmer.
    return "o" if match.group()[0] in "wv" else ""


def _ascii_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.lower() if "a" <= ch <= "z" or "0" <= ch <= "9")


def _squeeze(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


_VOWEL_RUN = re.compile(r"[aeiou]+")
# Vowel runs spelled for one sound, tried in order (first match wins). The classes are broad on
# purpose: Sopheap/Sophiep/Sophiap, Kosal/Kaosal, Nuon/Noun, Cheurn/Choeun/Chhoeun/Heoun,
# Keo/Kaew/Kev, Saen/Sen, Srey/Srei.
_VOWEL_CLASSES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^(ea|ia|ie|iea|eia|eaa|iaa)$", "ia"),
        (r"^(eu|oe|ue|oeu|eou|aeu|euo|oeo|ueu)$", "eu"),
        (r"^(ieu|ieo|iao|eao|iau|eau)$", "iao"),
        (r"^(eo|aeo|aeu?o|eio)$", "eo"),
        (r"^(ai|aii|ay)$", "ai"),
        (r"^(i|ei|ii|ee|eii|iy)$", "i"),
        (r"^(e|ae|aee)$", "e"),
        (r"^(o|u|ou|uo|oo|ao|au|aou|oau|uu|oou)$", "o"),
        (r"^(oa|ua|oua|uoa|ooa)$", "oa"),
        (r"^(a|aa)$", "a"),
    )
)


def _vowel_class(run: str) -> str:
    for pattern, key in _VOWEL_CLASSES:
        if pattern.match(run):
            return key
    return _squeeze(run)


# --- Khmer readings -----------------------------------------------------------------------------


def _parts(cluster: str) -> tuple[str, list[str], int, str, bool]:
    """(base letter, subscript letters, series, vowel signs, silent) of one consonant cluster."""
    base = cluster[0]
    series = _CONSONANTS[base][2]
    subscripts: list[str] = []
    vowel_marks = ""
    silent = False
    index = 1
    while index < len(cluster):
        ch = cluster[index]
        if ch == _COENG and index + 1 < len(cluster):
            subscripts.append(cluster[index + 1])
            index += 2
            continue
        if ch == _MUUSIKATOAN:
            series = 1
        elif ch == _TRIISAP:
            series = 2
        elif ch == _TOANDAKHIAT:
            silent = True
        elif ch == _BANTOC:
            pass
        elif ch not in _SIGNS_IGNORED:
            vowel_marks += ch
        index += 1
    return base, subscripts, series, vowel_marks, silent


# Letters written with a silent ហ above them to read as series 1 (ហ្គ is the borrowed "g").
_SILENT_HA_LETTERS = frozenset("គងញនមយរលវ")


def _onsets(base: str, subscripts: list[str], cluster: str) -> list[str]:
    if base == "ប" and _MUUSIKATOAN in cluster:  # ប៉ is p (ប៉ុល "Pol")
        first = ["p"]
    else:
        first = list(_CONSONANTS[base][0]) if base in _CONSONANTS else [""]
    tail = "".join(_CONSONANTS[s][0][0] for s in subscripts if s in _CONSONANTS)
    return [o + tail for o in first]


def _vowel_options(vowel_marks: str, series: int, closed: bool) -> tuple[str, ...]:
    if not vowel_marks:
        return _INHERENT_CLOSED[series] if closed else _INHERENT_OPEN[series]
    pair = _VOWELS.get(vowel_marks)
    if pair is not None:
        return pair[series - 1]
    return ("".join(_VOWELS.get(m, (("",), ("",)))[series - 1][0] for m in vowel_marks),)


def _word_options(clusters: list[str]) -> list[list[str]]:
    """For each cluster of one Khmer word, its spellings.

    A bare letter after a syllable is that syllable's final consonant when it ends the word,
    carries a bantoc (ចាន់), or is followed by a closed syllable (ប៊ុន|ថន "Bunthan"); otherwise
    it opens a syllable with the inherent vowel (កុ|សល "Kosal"). Inside a word, a letter with a
    subscript closes the syllable before it and the subscript opens the next (វិជ្ជា "Vichchea",
    សម្បត្តិ "Sambath"). A last ិ or ុ after a subscript is often not read (សិទ្ធិ "Sith")."""
    count = len(clusters)
    kinds = [_parts(c) if c[0] in _CONSONANTS else None for c in clusters]
    bare = [k is not None and not k[3] for k in kinds]
    options: list[list[str]] = []
    open_before = False  # the syllable before this cluster has no final yet
    for index, cluster in enumerate(clusters):
        kind = kinds[index]
        if kind is None:
            options.append(list(_INDEPENDENT_VOWELS.get(cluster[0], ("",))))
            open_before = cluster[0] in _INDEPENDENT_VOWELS
            continue
        base, subscripts, series, vowels, silent = kind
        if silent:
            options.append([""])
            continue
        nxt = kinds[index + 1] if index + 1 < count else None
        next_closes = nxt is not None and (not nxt[3] or bool(nxt[1]))
        if bare[index] and open_before:
            after_two_bare = index + 2 < count and bare[index + 1] and bare[index + 2]
            last = index == count - 1  # a last subscript is not read: ពេជ្រ "Pich"
            if last or (not subscripts and (_BANTOC in cluster or after_two_bare)):
                options.append(list(_CONSONANTS[base][1]))
                open_before = False
                continue
            if not subscripts and nxt is not None and nxt[3] and not nxt[1]:
                # CV-C-CV: the bare letter closes the first syllable (វាស|នា "Veasna") or
                # opens one of its own (ម|ក|រា "Makara"); both are in use.
                readings = [
                    o + v
                    for o in _onsets(base, [], cluster)
                    for v in _vowel_options("", series, False)
                ]
                options.append(list(dict.fromkeys([*readings, *_CONSONANTS[base][1]])))
                open_before = True
                continue
        prefix = [""]
        onset_letters = subscripts
        onset_base = base
        if base == "ហ" and subscripts and subscripts[0] in _SILENT_HA_LETTERS:
            onset_base, onset_letters = subscripts[0], subscripts[1:]  # ហ្គ "g", ហ្ម "m"
        elif subscripts and index > 0 and open_before:
            prefix = list(_CONSONANTS[base][1])
            if base == "ស":  # ស្ម etc. inside a word is often read "ks": រស្មី "Reaksmey"
                prefix.append("ks")
            onset_base, onset_letters = subscripts[0], subscripts[1:]
            if _MUUSIKATOAN not in cluster and _TRIISAP not in cluster:
                series = _CONSONANTS.get(onset_base, ("", "", series))[2]
        onsets = _onsets(onset_base, onset_letters, cluster)
        if onset_base == "គ" and base == "ហ":
            onsets = ["g" + o[1:] for o in onsets]
        readings = [
            p + o + v
            for p in prefix
            for o in onsets
            for v in _vowel_options(vowels, series, next_closes)
        ]
        if index == count - 1 and index > 0 and vowels in ("ិ", "ុ") and subscripts:
            readings.extend(prefix)  # the last vowel is not read: សិទ្ធិ "Sith"
        open_before = not vowels.endswith(("ំ", "ះ", "ៈ"))
        if vowels.endswith("ំ") and index + 1 < count and clusters[index + 1] == "ង":
            # តាំង "Tang", កាំង "Kang" or "Kaing"
            readings = [r[:-1] if r.endswith("m") else r for r in readings] + [
                r[:-2] + "ai" for r in readings if r.endswith("am")
            ]
            open_before = True
        options.append(list(dict.fromkeys(readings)))
    return options


@lru_cache(maxsize=4096)
def khmer_word_keys(word: str) -> tuple[str, ...]:
    """The keys of the usual Latin spellings of one Khmer word, most usual first (at most
    MAX_WORD_KEYS)."""
    clusters = [c for c in grapheme_clusters(word) if c.strip()]
    if not clusters:
        return ()
    keys: dict[str, None] = {}
    for tried, combination in enumerate(product(*_word_options(clusters))):
        key = latin_key("".join(combination))
        if key:
            keys.setdefault(key)
        if len(keys) >= MAX_WORD_KEYS or tried >= _MAX_READINGS_TRIED:
            break
    return tuple(keys)


def _khmer_words(text: str) -> list[str]:
    folded = normalize_for_search(text)
    return [w for w in re.split(r"[^\u1780-\u17ff\u19e0-\u19ff]+", folded) if w]


def _latin_words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9A-Za-z\u00c0-\u024f]+", text) if w]


def full_name_keys(name_km: str, name_latin: str = "") -> list[str]:
    """The keys of the whole name: its Khmer words' readings run together (capped at
    MAX_NAME_KEYS, most usual first) and the Latin name as written, without spaces. Two records
    whose names share one of these keys have names that can be spelled alike."""
    keys: dict[str, None] = {}
    word_keys = [khmer_word_keys(w) for w in _khmer_words(name_km)]
    if word_keys:
        for count, combination in enumerate(product(*word_keys)):
            if count >= MAX_NAME_KEYS:
                break
            keys.setdefault(latin_key("".join(combination)))
    latin = latin_key("".join(_latin_words(name_latin)))
    if latin:
        keys.setdefault(latin)
    keys.pop("", None)
    return list(keys)


def name_keys(name_km: str, name_latin: str = "") -> list[str]:
    """Every key under which a person's name is found: each word of the Khmer name in its usual
    readings, the whole name (``full_name_keys``: Sreymom typed for ស្រី មុំ, or a full name
    typed without spaces), and each word of the Latin name as written."""
    keys: dict[str, None] = {}
    for word in _khmer_words(name_km):
        for key in khmer_word_keys(word):
            keys.setdefault(key)
    for key in full_name_keys(name_km, name_latin):
        keys.setdefault(key)
    for word in _latin_words(name_latin):
        keys.setdefault(latin_key(word))
    keys.pop("", None)
    return list(keys)


def query_keys(typed: str) -> list[str]:
    """The keys to look for when an officer types ``typed`` in Latin letters: the whole query as
    one key (Srey Mom finds ស្រីមុំ) and, for several words, each word's key (all must match)."""
    if is_khmer(typed):
        return []
    words = _latin_words(typed)
    keys = [latin_key("".join(words))] if words else []
    if len(words) > 1:
        keys.extend(latin_key(w) for w in words)
    return [k for k in keys if k]


def spelling_matches(typed: str, name_km: str, name_latin: str = "") -> bool:
    """True when the Latin spelling ``typed`` is a way of writing the whole name (or one of its
    words): the duplicate check and the measurement use this."""
    candidates = set(name_keys(name_km, name_latin))
    keys = query_keys(typed)
    if not keys:
        return False
    if keys[0] in candidates:
        return True
    return len(keys) > 1 and all(k in candidates for k in keys[1:])


def name_key(name_km: str, name_latin: str) -> str:
    """The phonetic keys of the whole name, space-separated: what a typed Latin spelling is
    looked for in (the stored ``people.name_key`` column)."""
    return " ".join(full_name_keys(name_km, name_latin))[:300]
