"""The Cambodian gazetteer: provinces, districts, communes and villages with their official codes.

The bundled file ``assets/gazetteer/cambodia.csv`` (see its README for source and coverage) has one
row per place: ``code,level,parent,name_km,name_latin``. Codes nest: a province has 2 digits, a
district 4 (its province's code + 2), a commune 6 and a village 8, so a code's parent is the code
without its last two digits.

The ``place`` field of a form stores ``{"province", "district", "commune", "village": code|None,
"village_text": str}`` (a ``commune_text`` may also be present): the codes come from this
gazetteer, the free texts hold a commune or village that the list does not have. ``describe``
renders such a value for people, ``validate`` checks it against the list.

Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

import bisect
import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.core.khmer_text import normalize_for_search, normalize_name
from app.core.resources import assets_dir

LEVELS: tuple[str, ...] = ("province", "district", "commune", "village")
CODE_LENGTHS: dict[str, int] = {"province": 2, "district": 4, "commune": 6, "village": 8}
HEADER: tuple[str, ...] = ("code", "level", "parent", "name_km", "name_latin")
# Free-text keys of a place value, by the level they stand in for.
TEXT_KEYS: dict[str, str] = {"commune": "commune_text", "village": "village_text"}

_LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
# Characters a search ignores: people type "Ta Khmau", "Takhmau" or "Ta-Khmau" alike.
_SEARCH_IGNORED = str.maketrans("", "", " -'’.")
# Subscript DA and subscript TA look the same and are typed either way (កណ្ដាល / កណ្តាល).
_COENG_DA = "\u17d2\u178a"
_COENG_TA = "\u17d2\u178f"


class GazetteerError(ValueError):
    """The gazetteer file cannot be used; ``line`` is the 1-based line of the problem, if any."""

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = str(path) if path is not None else "gazetteer"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Place:
    code: str
    level: str
    parent: str | None
    name_km: str
    name_latin: str

    def name(self, lang: str) -> str:
        """The name in ``lang`` ("km" for Khmer, anything else Latin), falling back to the other."""
        if lang == "km":
            return self.name_km or self.name_latin
        return self.name_latin or self.name_km


def search_key(text: str) -> str:
    """The form in which names and queries are compared: NFC, no zero-width characters,
    case-folded, Khmer digits as ASCII, no spaces, hyphens, apostrophes or dots, and subscript DA
    written as subscript TA."""
    return normalize_for_search(text).translate(_SEARCH_IGNORED).replace(_COENG_DA, _COENG_TA)


class Gazetteer:
    """An immutable, in-memory gazetteer. Build it with ``load_gazetteer`` or ``read_gazetteer``."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._places: dict[str, Place] = {}
        self._children: dict[str | None, list[Place]] = {}
        for place in sorted(places, key=lambda p: p.code):
            if place.code in self._places:
                raise GazetteerError(f"code {place.code} appears twice")
            self._places[place.code] = place
            self._children.setdefault(place.parent, []).append(place)
        for place in self._places.values():
            if place.parent is not None and place.parent not in self._places:
                raise GazetteerError(f"code {place.code}: parent {place.parent} is not listed")
        self._keys: list[tuple[Place, str, str]] | None = None  # built by the first search
        self._sorted_codes = list(self._places)  # inserted in code order above
        # children(parent, level) as worked out once (demo data asks again and again).
        self._under: dict[tuple[str, str], list[Place]] = {}

    def __len__(self) -> int:
        return len(self._places)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._places

    def get(self, code: str | None) -> Place | None:
        """The place with this code, or None (also for None or a code with spaces around it)."""
        if not isinstance(code, str):
            return None
        return self._places.get(code.strip())

    def children(self, parent_code: str | None, level: str | None = None) -> list[Place]:
        """The places directly under ``parent_code`` (None: the provinces), sorted by code.

        With ``level``, every place of that level under ``parent_code`` at any depth instead
        (``children("08", "commune")``: all communes of Kandal; ``children(None, "district")``:
        all districts). An unknown parent gives an empty list.
        """
        if level is None:
            key = parent_code.strip() if parent_code is not None else None
            return list(self._children.get(key, []))
        if level not in _LEVEL_RANK:
            raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
        if parent_code is None:
            return [p for p in self._places.values() if p.level == level]
        parent = self.get(parent_code)
        if parent is None:
            return []
        known = self._under.get((parent.code, level))
        if known is None:
            known = self._under[(parent.code, level)] = self._of_level_under(parent, level)
        return list(known)

    def _of_level_under(self, parent: Place, level: str) -> list[Place]:
        # The places are kept sorted by code, so those under the parent's code are one run.
        codes = self._sorted_codes
        found: list[Place] = []
        for index in range(bisect.bisect_right(codes, parent.code), len(codes)):
            if not codes[index].startswith(parent.code):
                break
            place = self._places[codes[index]]
            if place.level == level:
                found.append(place)
        return found

    def path(self, code: str | None) -> list[Place]:
        """The chain province → … → the place itself; empty for an unknown code."""
        place = self.get(code)
        chain: list[Place] = []
        while place is not None:
            chain.append(place)
            place = self._places.get(place.parent) if place.parent is not None else None
        chain.reverse()
        return chain

    def search(self, text: str, limit: int = 20) -> list[Place]:
        """Places whose Khmer or Latin name contains ``text`` (see ``search_key``), best first:
        exact names, then names starting with the text, then the rest; within each, provinces
        before districts before communes before villages, then by code."""
        query = search_key(text)
        if not query or limit <= 0:
            return []
        if self._keys is None:
            self._keys = [
                (place, search_key(place.name_km), search_key(place.name_latin))
                for place in self._places.values()
            ]
        ranked: list[tuple[int, int, str, Place]] = []
        for place, key_km, key_latin in self._keys:
            best = min(_match_rank(query, key_km), _match_rank(query, key_latin))
            if best < 3:
                ranked.append((best, _LEVEL_RANK[place.level], place.code, place))
        ranked.sort(key=lambda item: item[:3])
        return [item[3] for item in ranked[:limit]]

    def resolve(self, value: Mapping[str, object] | None) -> dict[str, Place]:
        """The listed places of a stored place value, by level. A level without a (known) code is
        filled from the path of the most specific known code below it."""
        resolved: dict[str, Place] = {}
        if not isinstance(value, Mapping):
            return resolved
        for level in LEVELS:
            place = self.get(_code_at(value, level))
            if place is not None and place.level == level:
                resolved[level] = place
        deepest = next((resolved[level] for level in reversed(LEVELS) if level in resolved), None)
        if deepest is not None:
            for ancestor in self.path(deepest.code):
                resolved.setdefault(ancestor.level, ancestor)
        return resolved

    def describe(self, value: Mapping[str, object] | None, lang: str) -> str:
        """A stored place value as "village, commune, district, province" in ``lang`` ("km" or
        Latin). Free texts stand in for a commune or village without a code; a code the list
        does not know is shown as is, so nothing entered is hidden. Empty value: ""."""
        if not isinstance(value, Mapping):
            return ""
        resolved = self.resolve(value)
        parts: list[str] = []
        for level in reversed(LEVELS):
            if level in resolved:
                parts.append(resolved[level].name(lang))
                continue
            text_key = TEXT_KEYS.get(level)
            text = value.get(text_key) if text_key else None
            if isinstance(text, str) and normalize_name(text):
                parts.append(normalize_name(text))
                continue
            code = _code_at(value, level)
            if code:
                parts.append(code)
        return ", ".join(parts)

    def validate(self, value: object) -> list[str]:
        """Problem codes of a stored place value, each once, in the order found:

        - ``not_a_mapping``: the value is neither None nor a mapping;
        - ``invalid_code``: a code that is not a string of the level's number of digits;
        - ``unknown_code``: a well-formed code that the gazetteer does not list;
        - ``not_child_of_parent``: a code that does not lie inside the code given a level above;
        - ``invalid_text``: a free text (village_text, commune_text) that is not a string.

        None and an empty mapping are valid here: whether an answer is required is the form's job.
        """
        if value is None:
            return []
        if not isinstance(value, Mapping):
            return ["not_a_mapping"]
        problems: list[str] = []

        def add(problem: str) -> None:
            if problem not in problems:
                problems.append(problem)

        given: dict[str, Place] = {}
        for level in LEVELS:
            raw = value.get(level)
            if raw is None or raw == "":
                continue
            if not isinstance(raw, str) or not _well_formed(raw.strip(), level):
                add("invalid_code")
                continue
            place = self.get(raw)
            if place is None:
                add("unknown_code")
                continue
            given[level] = place
        for level in LEVELS:
            place = given.get(level)
            if place is None:
                continue
            above = next(
                (
                    given[upper]
                    for upper in reversed(LEVELS[: _LEVEL_RANK[level]])
                    if upper in given
                ),
                None,
            )
            if above is not None and not place.code.startswith(above.code):
                add("not_child_of_parent")
        for text_key in TEXT_KEYS.values():
            text = value.get(text_key)
            if text is not None and not isinstance(text, str):
                add("invalid_text")
        return problems


def _match_rank(query: str, key: str) -> int:
    if key == query:
        return 0
    if key.startswith(query):
        return 1
    if query in key:
        return 2
    return 3


def _code_at(value: Mapping[str, object], level: str) -> str | None:
    raw = value.get(level)
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    return None


def _well_formed(code: str, level: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) == CODE_LENGTHS[level]


# --- reading the file ----------------------------------------------------------------------------


MAX_GAZETTEER_BYTES = 16 * 1024 * 1024  # the whole country's villages are about 2 MB


def read_gazetteer(path: Path) -> Gazetteer:
    """Read and check a gazetteer CSV (UTF-8, a BOM is accepted). Raises ``GazetteerError``
    naming the line of the first problem."""
    try:
        if path.stat().st_size > MAX_GAZETTEER_BYTES:
            raise GazetteerError(
                f"the file is larger than {MAX_GAZETTEER_BYTES // (1024 * 1024)} MB", path=path
            )
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _parse(csv.reader(handle), path)
    except UnicodeDecodeError as exc:
        raise GazetteerError(f"not UTF-8 text ({exc.reason})", path=path) from exc
    except csv.Error as exc:
        raise GazetteerError(f"not a valid CSV file ({exc})", path=path) from exc
    except OSError as exc:
        raise GazetteerError(f"cannot be read ({exc.strerror or exc})", path=path) from exc


def _parse(reader: Iterable[list[str]], path: Path) -> Gazetteer:
    places: dict[str, Place] = {}
    lines: dict[str, int] = {}
    line = 0
    header_seen = False
    for row in reader:
        line = getattr(reader, "line_num", line + 1)
        if not row or all(not cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row]
        if not header_seen:
            if tuple(cells) != HEADER:
                raise GazetteerError(
                    f"the header must be {','.join(HEADER)}, found {','.join(cells)}",
                    path=path,
                    line=line,
                )
            header_seen = True
            continue
        if len(cells) != len(HEADER):
            raise GazetteerError(
                f"expected {len(HEADER)} columns, found {len(cells)}", path=path, line=line
            )
        code, level, parent, raw_km, raw_latin = cells
        if level not in CODE_LENGTHS:
            raise GazetteerError(
                f"level {level!r} is not one of {', '.join(LEVELS)}", path=path, line=line
            )
        if not _well_formed(code, level):
            raise GazetteerError(
                f"code {code!r} is not {CODE_LENGTHS[level]} digits, as a {level} code must be",
                path=path,
                line=line,
            )
        expected_parent = code[:-2] or None
        if (parent or None) != expected_parent:
            raise GazetteerError(
                f"code {code} must have parent {expected_parent or '(none)'}, found "
                f"{parent or '(none)'}",
                path=path,
                line=line,
            )
        if code in places:
            raise GazetteerError(
                f"code {code} already appears on line {lines[code]}", path=path, line=line
            )
        name_km, name_latin = normalize_name(raw_km), normalize_name(raw_latin)
        if not name_km and not name_latin:
            raise GazetteerError(f"code {code} has no name", path=path, line=line)
        places[code] = Place(code, level, expected_parent, name_km, name_latin)
        lines[code] = line
    if not header_seen:
        raise GazetteerError("the file is empty", path=path, line=1)
    for code, place in places.items():
        if place.parent is not None and place.parent not in places:
            raise GazetteerError(
                f"parent {place.parent} of {code} is not listed", path=path, line=lines[code]
            )
    return Gazetteer(places.values())


def default_gazetteer_path() -> Path:
    return assets_dir() / "gazetteer" / "cambodia.csv"


@lru_cache(maxsize=4)
def _load_cached(path: Path) -> Gazetteer:
    return read_gazetteer(path)


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The gazetteer at ``path``, or the bundled one (read once, then cached) when None."""
    if path is None:
        return _load_cached(default_gazetteer_path())
    return read_gazetteer(path)
