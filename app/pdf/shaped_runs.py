"""Shaped text, cached: HarfBuzz runs by text, and their PDF text operators by document state.

Printing a filled application spent most of its time shaping the same labels again and turning
each shaped run into PDF operators glyph by glyph (ReportLab's ``_formatText`` writes one offset
per glyph). Both results depend on few inputs, so they are kept, within bounds, for the process:

* `shape`: a run's HarfBuzz output and width, by (text, font, size). Measuring a word for line
  breaking and drawing it later use the same entry, so nothing is shaped twice.
* `ShapedTextObject.shaped_out`: the operators of a run, by everything they are made of: the
  run, the font size and leading, the text rise and current font subset before it, and the
  codes and subset names this document gave its glyphs (ReportLab numbers glyphs per document in
  the order they are first used, so two documents share an entry only when those agree). A hit
  is the very string ReportLab would have written; the text layer (``ActualText``) is written
  around it by the caller, unchanged.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr
from reportlab.pdfgen.textobject import PDFTextObject

# Bounds: entries are short strings (one line of text or less), so a few thousand stay small.
SHAPED_RUNS_KEPT = 8192
OPERATORS_KEPT = 4096


@lru_cache(maxsize=SHAPED_RUNS_KEPT)
def shape(text: str, font_name: str, font_size: float) -> tuple[str, float]:
    """HarfBuzz-shaped string (a ReportLab ShapedStr when shaping changed anything) and its width."""
    shaped = shapeStr(text, font_name, font_size)
    shape_data = getattr(shaped, "__shapeData__", None)
    if shape_data is not None:
        width = sum(d.x_advance for d in shape_data) * font_size / 1000.0
    else:
        width = pdfmetrics.stringWidth(text, font_name, font_size)
    return shaped, width


class _Operators:
    """A bounded least-recently-used map from a run's inputs to its PDF operators."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.entries: OrderedDict[tuple[Any, ...], tuple[str, int]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> tuple[str, int] | None:
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: tuple[Any, ...], value: tuple[str, int]) -> None:
        self.entries[key] = value
        if len(self.entries) > self.limit:
            self.entries.popitem(last=False)

    def clear(self) -> None:
        self.entries.clear()
        self.hits = self.misses = 0


OPERATORS = _Operators(OPERATORS_KEPT)


class ShapedTextObject(PDFTextObject):
    """A text object for shaped text: correct text-rise bookkeeping, and cached operators.

    ReportLab 5.1's `setRise` merges consecutive ``Ts`` operators but then forgets the new rise, so
    after a glyph with a vertical HarfBuzz offset (e.g. the vowel under the subscript in ក្នុង)
    every following cluster of the run is printed lowered. This keeps `_rise` in step with the
    stream, and copes with the empty code list `_formatText` works on.
    """

    _rise: float
    _curSubset: int

    def setRise(self, rise: float) -> None:
        operator = f"{fp_str(rise)} Ts"
        if self._code and self._code[-1].endswith(" Ts"):
            self._y += self._rise  # the replaced operator's rise never took effect
            self._code[-1] = operator
        else:
            self._code.append(operator)
        self._rise = rise
        self._y -= rise

    def shaped_out(self, text: str) -> float:
        """Print `text` (logical text, shaped here) at the text cursor; returns its width."""
        font_name, size = self._fontname, self._fontsize
        shaped, width = shape(text, font_name, size)
        if not isinstance(shaped, ShapedStr):
            self.textOut(shaped)
            return width
        font: Any = pdfmetrics.getFont(font_name)
        doc = self._canvas._doc
        # The glyph codes and subset names this document uses for the run: computing them is what
        # ReportLab does first anyway (and it repeats the same assignments when it formats).
        chunks = tuple(font.splitString(shaped, doc))
        subset = self._curSubset
        names = []
        for chunk_subset, _codes in chunks:
            if chunk_subset != subset:
                names.append(font.getSubsetInternalName(chunk_subset, doc))
                subset = chunk_subset
        key = (font_name, size, self._leading, text, self._rise, self._curSubset, chunks, *names)
        found = OPERATORS.get(key)
        if found is None:
            found = (self._formatText(shaped), self._curSubset)
            OPERATORS.put(key, found)
        else:
            self._curSubset = found[1]
        self._code.append(found[0])
        self._x += width
        return width
