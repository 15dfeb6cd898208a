"""The public list of Khmer names and their Latin spellings (tests/data/khmer_name_spellings.tsv)
and the recall/precision of a matcher on it, shared by the tests and tests/bench."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SPELLINGS_FILE = Path(__file__).resolve().parents[1] / "data" / "khmer_name_spellings.tsv"


@dataclass(frozen=True)
class Spelling:
    kind: str  # "word" (one name word) or "full" (family and given name)
    khmer: str
    latin: str
    source: str


def load_spellings() -> list[Spelling]:
    lines = SPELLINGS_FILE.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    assert rows[0] == ["kind", "khmer", "latin", "source"]
    return [Spelling(*row) for row in rows[1:]]


@dataclass(frozen=True)
class Measure:
    pairs: int
    found: int
    true_hits: int
    false_hits: int
    misses: tuple[Spelling, ...]

    @property
    def recall(self) -> float:
        return self.found / self.pairs

    @property
    def precision(self) -> float:
        return self.true_hits / max(1, self.true_hits + self.false_hits)


def measure(
    spellings: Iterable[Spelling],
    name_keys: Callable[[str], Iterable[str]],
    query_keys: Callable[[str], list[str]],
) -> Measure:
    """Recall: the share of (spelling, name) pairs where the spelling finds the name. Precision:
    over every distinct spelling searched among all names of the same kind, the share of names
    found that the list gives that spelling for (a name the list does not spell that way is a
    false hit, even when the spelling is plausible for it: a strict count)."""
    rows = list(spellings)
    spelled: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        spelled[row.khmer].add(row.latin.lower())
    by_key: dict[str, set[str]] = defaultdict(set)
    for name in spelled:
        for key in name_keys(name):
            by_key[key].add(name)

    def found(latin: str) -> set[str]:
        keys = query_keys(latin)
        if not keys:
            return set()
        names = set(by_key.get(keys[0], set()))
        if len(keys) > 1:
            names |= set.intersection(*(by_key.get(k, set()) for k in keys[1:]))
        return names

    hits = [row for row in rows if row.khmer in found(row.latin)]
    misses = tuple(row for row in rows if row not in hits)
    true_hits = false_hits = 0
    for latin in {row.latin.lower() for row in rows}:
        for name in found(latin):
            if latin in spelled[name]:
                true_hits += 1
            else:
                false_hits += 1
    return Measure(len(rows), len(hits), true_hits, false_hits, misses)
