"""The statistical Khmer word segmenter, and the word breaks of the app's own texts made with it
when the translations are compiled.

The segmenter is the optional ``khmercut`` package (Apache-2.0, a CRF model bundled in the wheel,
works offline). Loading its 17 MB model takes 60-100 ms on a field laptop: a third of what painting
the whole sign-in window costs. The texts the app itself shows (every Khmer translation) are
therefore segmented once, when the catalogs are compiled (``python -m app.i18n.word_breaks``,
run by packaging/dev.py and packaging/build.py beside the .mo files), into a table next to the
Khmer catalog. A run of Khmer found in that table is broken where the model breaks it, without the
model; any other run (names and other typed data, texts with values put in) loads the model, which
the app does on a thread after its first window is painted (app.ui.preload).

The table records the size of the model file it was made with and is ignored with any other model,
so a text wraps the same whether its breaks come from the table or from the model.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

from app.core.resources import locales_dir

WORD_BREAK_TABLE = "word_breaks.json"
TABLE_FORMAT = 1

Tokenizer = Callable[[str], list[str]]


@cache
def _segmenter() -> tuple[Tokenizer, int] | None:
    """khmercut's tokenizer and the size of its model file (importing it does not load the
    model: its first use does); None when khmercut is not installed."""
    try:
        module = importlib.import_module("khmercut")
    except ImportError:
        return None
    tokenize: Tokenizer = module.tokenize
    try:
        size = os.path.getsize(module.model_path)
    except (AttributeError, OSError):
        size = -1  # an unknown model: no table matches it
    return tokenize, size


def model_available() -> bool:
    """True when the statistical word segmenter (khmercut) is installed."""
    return _segmenter() is not None


def load_model() -> bool:
    """Load the model now rather than with the first Khmer run the table does not hold. False
    when the segmenter is not installed."""
    segmenter = _segmenter()
    if segmenter is not None:
        segmenter[0]("ក")
    return segmenter is not None


def table_path(folder: Path | None = None) -> Path:
    return (folder or locales_dir()) / "km" / "LC_MESSAGES" / WORD_BREAK_TABLE


@cache
def _table() -> dict[str, tuple[int, ...]]:
    segmenter = _segmenter()
    path = table_path()
    if segmenter is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != TABLE_FORMAT or data.get("model_bytes") != segmenter[1]:
            return {}  # made with another model: its breaks might differ from this one's
        return {run: tuple(ends) for run, ends in data["runs"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # an unreadable table only costs the model's loading time


def load_table() -> int:
    """Read the table now (the app does before Qt is imported); the number of runs it holds."""
    return len(_table())


def table_holds(run: str) -> bool:
    return run in _table()


def model_word_ends(run: str) -> tuple[int, ...] | None:
    """Offsets where the model ends a word in ``run`` (a run of Khmer without U+200B), from the
    table when it holds the run; None without the model, or when the model changed the text
    (its offsets cannot be trusted then)."""
    known = _table().get(run)
    if known is not None:
        return known
    return segment_run(run)


def segment_run(run: str) -> tuple[int, ...] | None:
    """What the model says about ``run``, always asking the model (the table is made with it)."""
    segmenter = _segmenter()
    if segmenter is None:
        return None
    ends: list[int] = []
    position = 0
    for token in segmenter[0](run):
        position += len(token)
        ends.append(position)
    return tuple(ends) if position == len(run) else None


def write_table(runs: set[str], folder: Path | None = None) -> Path | None:
    """Segment ``runs`` with the model and write the table; None (nothing written, any old table
    removed) when the segmenter is not installed."""
    segmenter = _segmenter()
    path = table_path(folder)
    if segmenter is None:
        path.unlink(missing_ok=True)
        return None
    table: dict[str, list[int]] = {}
    for run in sorted(runs):
        ends = segment_run(run)
        if ends is not None:
            table[run] = list(ends)
    data = {"format": TABLE_FORMAT, "model_bytes": segmenter[1], "runs": table}
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path
