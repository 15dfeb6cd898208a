"""How much text an answer may hold, and which characters can be printed.

Every answer ends up on paper, so two limits hold at entry and again when answers are checked:

* a maximum length per kind of answer, so that a name or a short answer always fits on the
  receipt and the form (a 5,000-character name used to leave the receipt empty);
* only characters the printed forms' font has (Noto Sans Khmer: Khmer, Latin with the accents
  used in names, common punctuation). An emoji or another script would print as an empty box,
  so it is refused. The ranges below are the font's own character map; a test checks them
  against the font file, so the two cannot drift apart.
"""

from __future__ import annotations

import re

# Each of the Khmer and the Latin spelling of a name, on a form or in the office's list.
MAX_NAME_PART_CHARACTERS = 100


# (first, last) code points, inclusive, from NotoSansKhmer-Regular.ttf's character map.
PRINTABLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x20, 0x7E),
    (0xA0, 0xA3),
    (0xA5, 0xA5),
    (0xA7, 0xAB),
    (0xAD, 0xB0),
    (0xB4, 0xB4),
    (0xB6, 0xB8),
    (0xBA, 0xBB),
    (0xBF, 0x107),
    (0x10A, 0x113),
    (0x116, 0x11B),
    (0x11E, 0x123),
    (0x126, 0x127),
    (0x12A, 0x12B),
    (0x12E, 0x131),
    (0x136, 0x137),
    (0x139, 0x13E),
    (0x141, 0x148),
    (0x14A, 0x14D),
    (0x150, 0x15B),
    (0x15E, 0x161),
    (0x164, 0x165),
    (0x16A, 0x17E),
    (0x218, 0x21B),
    (0x237, 0x237),
    (0x2C6, 0x2C7),
    (0x2C9, 0x2C9),
    (0x2D8, 0x2DD),
    (0x300, 0x304),
    (0x306, 0x308),
    (0x30A, 0x30C),
    (0x312, 0x312),
    (0x326, 0x328),
    (0x1780, 0x17DD),
    (0x17E0, 0x17E9),
    (0x17F0, 0x17F9),
    (0x19E0, 0x19FF),
    (0x1E80, 0x1E85),
    (0x1E9E, 0x1E9E),
    (0x1EF2, 0x1EF3),
    (0x200B, 0x200D),
    (0x2010, 0x2010),
    (0x2013, 0x2014),
    (0x2018, 0x201A),
    (0x201C, 0x201E),
    (0x2022, 0x2022),
    (0x2026, 0x2026),
    (0x2039, 0x203A),
    (0x20AC, 0x20AC),
    (0x2122, 0x2122),
    (0x2212, 0x2212),
)
# Line breaks and tabs are layout, not glyphs: allowed in long answers.
LAYOUT_CHARACTERS = frozenset("\n\r\t")


def _character_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(
        re.escape(chr(first))
        if first == last
        else f"{re.escape(chr(first))}-{re.escape(chr(last))}"
        for first, last in ranges
    )


# Everything outside the ranges (and, for long answers, outside the layout characters too): one
# regular expression finds it in a whole answer at C speed (every answer of a bulk import).
_UNPRINTABLE = re.compile(f"[^{_character_class(PRINTABLE_RANGES)}]")
_UNPRINTABLE_MULTILINE = re.compile(
    f"[^{_character_class(PRINTABLE_RANGES)}{re.escape(''.join(sorted(LAYOUT_CHARACTERS)))}]"
)


def is_printable(character: str, multiline: bool = False) -> bool:
    pattern = _UNPRINTABLE_MULTILINE if multiline else _UNPRINTABLE
    return pattern.fullmatch(character) is None


def unprintable_characters(text: str, multiline: bool = False) -> str:
    """The distinct characters of ``text`` the printed form cannot show, in order of appearance."""
    pattern = _UNPRINTABLE_MULTILINE if multiline else _UNPRINTABLE
    return "".join(dict.fromkeys(pattern.findall(text)))


def without_unprintable(text: str, multiline: bool = False) -> str:
    return "".join(c for c in text if is_printable(c, multiline))
