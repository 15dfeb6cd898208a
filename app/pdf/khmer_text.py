"""Khmer-correct text for ReportLab: shaping, line breaking and a faithful text layer.

ReportLab alone gets Khmer wrong in three ways, so document builders put ALL text (Khmer, English or
mixed) through this module instead of `Paragraph`/`drawString`:

* Shaping: glyphs are positioned by HarfBuzz (ReportLab's own `shapeStr`, backed by uharfbuzz), so
  coeng subscripts stack and pre-base vowels stand left of their consonant.
* Text layer: shaped output maps glyphs back to the wrong characters, so `pdftotext`, copy/paste and
  search would see a scrambled string. Every drawn line is wrapped in marked content
  ``/Span <</ActualText <FEFF...>>> BDC ... EMC`` carrying the logical (typed) text.
* Line breaking: lines break only where `app.core.line_breaks` allows it (between the word
  segmenter's words, after spaces; never before ។ or a closing bracket), the same rules as on
  screen. A word wider than the line falls back to breaking between grapheme clusters (a consonant
  with its coeng+subscripts and vowel signs stays whole) instead of overflowing the frame. U+200B in
  the input is never drawn and never reaches the text layer.

The text given here is plain text, not ReportLab markup: ``<``, ``&`` and ``>`` in user data are
printed as typed. Bold inside a paragraph is expressed with `TextRun` pieces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, NamedTuple

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.fonts import ps2tt, tt2ps
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from app.core.khmer_text import grapheme_clusters
from app.core.line_breaks import break_plan
from app.pdf.fonts import FONT_BOLD, FONT_REGULAR, register_pdf_fonts
from app.pdf.shaped_runs import ShapedTextObject, shape

ZWSP = "\u200b"
COENG = "\u17d2"
# Leading (baseline-to-baseline distance) as a multiple of the font size: Khmer stacks vowel signs
# above and up to two subscripts below the base line, so it needs far more room than Latin.
KHMER_LEADING_FACTOR = 1.75

Align = Literal["left", "center", "right"]
TokenKind = Literal["word", "space", "zwsp", "newline"]

# Unicode spaces that break like an ordinary space (NBSP is deliberately absent: it must not break).
_SPACE_LIKE = re.compile("[\t\u2000-\u200a\u202f\u205f\u3000]")
# Controls that must never reach the PDF (everything but newline) plus a stray byte-order mark.
_INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f\ufeff]")
_PIECES = re.compile("( +|\n)")
_FIT_TOLERANCE = 1e-6
# Paragraphs up to this many characters keep their tokens and lines for the process (bounded LRU):
# labels, choices and headers repeat in every document; a long account is printed once.
CACHED_TEXT_MAX = 400


class TextRun(NamedTuple):
    """A piece of paragraph text with its weight; a paragraph is a sequence of runs."""

    text: str
    bold: bool = False


def normalize_text(text: str) -> str:
    """NFC text with unified line ends, tabs and exotic spaces turned into plain spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACE_LIKE.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFC", text)


def actual_text_hex(text: str) -> str:
    """The PDF hex string (with UTF-16BE byte-order mark) for an /ActualText entry."""
    return "FEFF" + text.encode("utf-16-be").hex().upper()


def text_width(
    text: str, font_size: float, bold: bool = False, font_name: str | None = None
) -> float:
    """Width in points of a single line of shaped text (U+200B counts as nothing)."""
    register_pdf_fonts()
    name = font_name or (FONT_BOLD if bold else FONT_REGULAR)
    clean = normalize_text(text).replace("\n", " ").replace(ZWSP, "")
    return shape(clean, name, font_size)[1] if clean else 0.0


@dataclass(frozen=True, slots=True)
class _Token:
    kind: TokenKind
    text: str
    font_name: str
    width: float
    start: int  # offset of `text` in the paragraph's concatenated logical text


@dataclass(frozen=True, slots=True)
class _Line:
    tokens: tuple[_Token, ...]

    @property
    def width(self) -> float:
        return sum(t.width for t in self.tokens)

    @property
    def logical_text(self) -> str:
        return "".join(t.text for t in self.tokens)


def _bold_font_of(font_name: str) -> str:
    """Bold face of the family `font_name` belongs to (itself when no bold face is mapped)."""
    try:
        family, _bold, italic = ps2tt(font_name)
        return str(tt2ps(family, 1, italic))
    except ValueError:
        return font_name


def _strip_runs(runs: Sequence[TextRun]) -> list[TextRun]:
    """The runs with U+200B removed: break opportunities come from `app.core.line_breaks`, and
    the text layer must carry the logical text only."""
    return [TextRun(run.text.replace(ZWSP, ""), run.bold) for run in runs]


def _tokenize(runs: Sequence[TextRun], regular: str, bold: str, size: float) -> list[_Token]:
    """Tokens of the runs' text, cut where `break_plan` allows a line break.

    A break between two words without a space becomes an empty "zwsp" token (nothing drawn,
    nothing in the text layer); a space where a line must not break (before ។, after an opening
    bracket) is glued to its words as part of a "word" token.
    """
    full = "".join(run.text for run in runs)
    plan = break_plan(full)
    logical = plan.text
    if not logical:
        return []
    breaks = set(plan.breaks)
    # Map the runs onto the logical text (break_plan only drops U+200B).
    run_ends: list[tuple[int, str]] = []
    offset = 0
    for run, stripped in zip(runs, _strip_runs(runs), strict=True):
        offset += len(stripped.text)
        run_ends.append((offset, bold if run.bold else regular))
    cuts = set(breaks) | {end for end, _font in run_ends}
    for match in _PIECES.finditer(logical):
        cuts.add(match.start())
        cuts.add(match.end())
    cuts.discard(0)
    cuts.add(len(logical))
    tokens: list[_Token] = []
    start = 0
    run_index = 0
    for end in sorted(cuts):
        while run_ends[run_index][0] <= start:
            run_index += 1
        font_name = run_ends[run_index][1]
        piece = logical[start:end]
        kind: TokenKind
        if piece == "\n":
            kind, width = "newline", 0.0
        elif piece[0] == " " and (end in breaks or start == 0 or end == len(logical)):
            kind, width = "space", shape(piece, font_name, size)[1]
        else:
            kind, width = "word", shape(piece, font_name, size)[1]
            if start in breaks and tokens and tokens[-1].kind == "word":
                tokens.append(_Token("zwsp", "", font_name, 0.0, start))
        tokens.append(_Token(kind, piece, font_name, width, start))
        start = end
    return tokens


def _paragraph_tokens(
    runs: tuple[TextRun, ...], regular: str, bold: str, size: float
) -> tuple[_Token, ...]:
    """`_tokenize`, kept for short texts (labels, choices, headers repeat in every document)."""
    if sum(len(run.text) for run in runs) <= CACHED_TEXT_MAX:
        return _kept_tokens(runs, regular, bold, size)
    return tuple(_tokenize(runs, regular, bold, size))


@lru_cache(maxsize=4096)
def _kept_tokens(
    runs: tuple[TextRun, ...], regular: str, bold: str, size: float
) -> tuple[_Token, ...]:
    return tuple(_tokenize(runs, regular, bold, size))


def _paragraph_lines(
    runs: tuple[TextRun, ...],
    fonts: tuple[str, str],
    size: float,
    first_width: float,
    width: float,
) -> tuple[_Line, ...]:
    """The lines of a paragraph at a width; kept for short texts like `_paragraph_tokens`."""
    if sum(len(run.text) for run in runs) <= CACHED_TEXT_MAX:
        return _kept_lines(runs, fonts, size, first_width, width)
    return tuple(_layout(_paragraph_tokens(runs, *fonts, size), first_width, width, size))


@lru_cache(maxsize=4096)
def _kept_lines(
    runs: tuple[TextRun, ...],
    fonts: tuple[str, str],
    size: float,
    first_width: float,
    width: float,
) -> tuple[_Line, ...]:
    return tuple(_layout(_paragraph_tokens(runs, *fonts, size), first_width, width, size))


def _cluster_tokens(segment: list[_Token], size: float) -> list[_Token]:
    """Explode an unbreakable segment into one token per grapheme cluster."""
    pieces: list[_Token] = []
    for token in segment:
        offset = token.start
        for cluster in grapheme_clusters(token.text):
            width = shape(cluster, token.font_name, size)[1]
            pieces.append(_Token("word", cluster, token.font_name, width, offset))
            offset += len(cluster)
    return pieces


def _merge_words(pieces: list[_Token], size: float) -> list[_Token]:
    """Join adjacent same-font cluster tokens back into words, so each is shaped as a whole."""
    merged: list[_Token] = []
    for piece in pieces:
        if merged and merged[-1].font_name == piece.font_name:
            last = merged[-1]
            text = last.text + piece.text
            merged[-1] = replace(last, text=text, width=shape(text, last.font_name, size)[1])
        else:
            merged.append(piece)
    return merged


def _segments(tokens: Sequence[_Token]) -> list[list[_Token]]:
    """Group tokens: runs of adjacent words (no break allowed inside) and single break tokens."""
    groups: list[list[_Token]] = []
    for token in tokens:
        if token.kind == "word" and groups and groups[-1][0].kind == "word":
            groups[-1].append(token)
        else:
            groups.append([token])
    return groups


def _layout(tokens: Sequence[_Token], first_width: float, width: float, size: float) -> list[_Line]:
    """Greedy line breaking at spaces / U+200B / newlines, with a cluster fallback."""
    lines: list[_Line] = []
    current: list[_Token] = []
    pending: list[_Token] = []  # break tokens seen since the last word on the current line

    def available() -> float:
        return first_width if not lines else width

    def flush() -> None:
        nonlocal current, pending
        lines.append(_Line(tuple(current)))
        current, pending = [], []

    def start_line_with(segment: list[_Token]) -> None:
        nonlocal current
        if sum(t.width for t in segment) <= available() + _FIT_TOLERANCE:
            current = list(segment)
            return
        # Too wide for a whole line: break between grapheme clusters instead of overflowing.
        chunk: list[_Token] = []
        chunk_width = 0.0
        for piece in _cluster_tokens(segment, size):
            if chunk and chunk_width + piece.width > available() + _FIT_TOLERANCE:
                current = _merge_words(chunk, size)
                flush()
                chunk, chunk_width = [], 0.0
            chunk.append(piece)
            chunk_width += piece.width
        current = _merge_words(chunk, size)

    for group in _segments(tokens):
        kind = group[0].kind
        if kind == "newline":
            flush()
        elif kind in ("space", "zwsp"):
            if current:  # breaks at the start of a line are dropped
                pending.extend(group)
        else:
            segment_width = sum(t.width for t in group)
            gap = sum(t.width for t in pending)
            if not current:
                start_line_with(group)
            elif sum(t.width for t in current) + gap + segment_width <= (
                available() + _FIT_TOLERANCE
            ):
                current.extend(pending)
                current.extend(group)
                pending = []
            else:
                flush()
                start_line_with(group)
    if current or not lines:
        lines.append(_Line(tuple(current)))
    return lines


def _baseline_offset(font_name: str, size: float, leading: float) -> float:
    """Distance from the top of a line box to its baseline, centring the font's box in it."""
    ascent, descent = pdfmetrics.getAscentDescent(font_name, size)
    return (leading - (ascent - descent)) / 2.0 + ascent


def _draw_line(
    canvas: Canvas, line: _Line, x: float, baseline: float, size: float, leading: float
) -> None:
    """Draw one line's words from x, inside one ActualText span holding its logical text."""
    logical = line.logical_text
    if not logical.strip(" " + ZWSP):
        return
    canvas.addLiteral(f"/Span <</ActualText <{actual_text_hex(logical)}>>> BDC")
    text_object = ShapedTextObject(canvas)
    # Consecutive tokens in one font are drawn as one shaped string: one text operator per font
    # change instead of one per word keeps printing as fast as before words were segmented.
    groups: list[tuple[str, float, str]] = []  # (font, x, text)
    for token in line.tokens:
        if token.text:
            if groups and groups[-1][0] == token.font_name:
                font, start, text = groups[-1]
                groups[-1] = (font, start, text + token.text)
            else:
                groups.append((token.font_name, x, token.text))
        x += token.width
    for index, (font, start, text) in enumerate(groups):
        if index == 0 or font != groups[index - 1][0]:
            text_object.setFont(font, size, leading)
        text_object.setTextOrigin(start, baseline)
        text_object.shaped_out(text)
    canvas.drawText(text_object)
    canvas.addLiteral("EMC")


def _slice_runs(runs: Sequence[TextRun], start: int, end: int) -> list[TextRun]:
    """The runs covering logical offsets [start, end) of the concatenated text."""
    sliced: list[TextRun] = []
    offset = 0
    for run in runs:
        run_end = offset + len(run.text)
        lo, hi = max(start, offset), min(end, run_end)
        if lo < hi:
            sliced.append(TextRun(run.text[lo - offset : hi - offset], run.bold))
        offset = run_end
    return sliced


class KhmerParagraph(Flowable):
    """A wrapped, shaped paragraph of plain text (Khmer, English or mixed) for a platypus story.

    Honours from the style: fontName, fontSize, leading, alignment (justify is printed as left),
    textColor, leftIndent, rightIndent, firstLineIndent, spaceBefore, spaceAfter, keepWithNext.
    Splits between lines across frames and pages.
    """

    def __init__(
        self,
        runs: Sequence[TextRun],
        style: ParagraphStyle,
        *,
        continuation: bool = False,
        continued: bool = False,
    ) -> None:
        super().__init__()
        register_pdf_fonts()
        self.runs = tuple(_strip_runs([TextRun(normalize_text(r.text), r.bold) for r in runs]))
        self.style = style
        self.continuation = continuation  # a later part of a split paragraph
        self.continued = continued  # followed by another part of the same paragraph
        self.keepWithNext = bool(getattr(style, "keepWithNext", False))
        self.font_size = float(style.fontSize)
        self.leading = float(style.leading or style.fontSize * KHMER_LEADING_FACTOR)
        self.regular_font = str(style.fontName)
        self.bold_font = _bold_font_of(self.regular_font)
        self._lines: tuple[_Line, ...] = ()
        self._layout_width: float | None = None

    @property
    def text(self) -> str:
        """The logical text this paragraph prints."""
        return "".join(r.text for r in self.runs)

    def _lines_for(self, avail_width: float) -> tuple[_Line, ...]:
        if self._layout_width != avail_width:
            width = avail_width - self.style.leftIndent - self.style.rightIndent
            first_indent = 0.0 if self.continuation else float(self.style.firstLineIndent)
            fonts = (self.regular_font, self.bold_font)
            self._lines = _paragraph_lines(
                self.runs, fonts, self.font_size, width - first_indent, width
            )
            self._layout_width = avail_width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        lines = self._lines_for(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self._lines_for(availWidth)
        fitting = int((availHeight + _FIT_TOLERANCE) // self.leading)
        if fitting >= len(lines):
            return [self]
        if fitting <= 0:
            return []
        cut = next((t.start for t in lines[fitting].tokens), None)
        if cut is None:
            return []
        head = _slice_runs(self.runs, 0, cut)
        tail = _slice_runs(self.runs, cut, len(self.text))
        return [
            KhmerParagraph(head, self.style, continuation=self.continuation, continued=True),
            KhmerParagraph(tail, self.style, continuation=True, continued=self.continued),
        ]

    def getSpaceBefore(self) -> float:
        return 0.0 if self.continuation else float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return 0.0 if self.continued else float(self.style.spaceAfter)

    def draw(self) -> None:
        canvas: Canvas = self.canv
        style = self.style
        width = self.width - style.leftIndent - style.rightIndent
        offset = _baseline_offset(self.regular_font, self.font_size, self.leading)
        canvas.saveState()
        canvas.setFillColor(style.textColor)
        for index, line in enumerate(self._lines_for(self.width)):
            indent = float(style.leftIndent)
            line_width = width
            if index == 0 and not self.continuation:
                indent += float(style.firstLineIndent)
                line_width -= float(style.firstLineIndent)
            slack = line_width - _trimmed_width(line)
            if style.alignment == TA_CENTER:
                indent += slack / 2.0
            elif style.alignment == TA_RIGHT:
                indent += slack
            baseline = self.height - index * self.leading - offset
            _draw_line(canvas, line, indent, baseline, self.font_size, self.leading)
        canvas.restoreState()

    def __repr__(self) -> str:
        return f"KhmerParagraph({self.text[:40]!r}...)"


def _trimmed_width(line: _Line) -> float:
    """Line width without trailing break tokens (there are none after layout, but be safe)."""
    tokens = line.tokens
    end = len(tokens)
    while end and tokens[end - 1].kind != "word":
        end -= 1
    return sum(t.width for t in tokens[:end])


def khmer_paragraph(text: str | Sequence[TextRun], style: ParagraphStyle) -> KhmerParagraph:
    """A flowable printing `text` (plain text, or bold/regular runs) with Khmer done right.

    Lines break between words (`app.core.line_breaks`: the segmenter's Khmer words, spaces, a
    typed U+200B); newlines force a break. A word longer than the line wraps between clusters.
    """
    runs = [TextRun(text)] if isinstance(text, str) else list(text)
    return KhmerParagraph(runs, style)


def draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    font_size: float,
    bold: bool = False,
    align: Align = "left",
    font_name: str | None = None,
) -> float:
    """Draw one line of shaped text with its baseline at y; returns the width drawn.

    For headers, footers and reference numbers. `align` says whether x is the left edge, the
    centre or the right edge. Newlines are printed as spaces; nothing is wrapped.
    """
    register_pdf_fonts()
    name = font_name or (FONT_BOLD if bold else FONT_REGULAR)
    single_line = normalize_text(text).replace("\n", " ")
    line = _Line(_paragraph_tokens((TextRun(single_line),), name, name, font_size))
    width = line.width
    if align == "center":
        x -= width / 2.0
    elif align == "right":
        x -= width
    _draw_line(canvas, line, x, y, font_size, font_size * KHMER_LEADING_FACTOR)
    return width


def make_styles(base_size: float = 11) -> dict[str, ParagraphStyle]:
    """The standard paragraph styles for documents, all on the bundled Khmer+Latin font.

    Keys: normal, small, label (bold), heading, subheading, title, subtitle, centered, right.
    `shaping=1` is also set so a style handed to a plain ReportLab Paragraph still shapes Khmer.
    """
    register_pdf_fonts()

    def style(
        name: str,
        size: float,
        bold: bool = False,
        alignment: int = TA_LEFT,
        space_before: float = 0.0,
        space_after: float = 0.0,
        keep_with_next: bool = False,
    ) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=FONT_BOLD if bold else FONT_REGULAR,
            fontSize=size,
            leading=round(size * KHMER_LEADING_FACTOR, 2),
            alignment=alignment,
            spaceBefore=space_before,
            spaceAfter=space_after,
            keepWithNext=int(keep_with_next),
            shaping=1,
        )

    small = base_size * 0.82
    return {
        "normal": style("normal", base_size, space_after=base_size * 0.3),
        "small": style("small", small),
        "label": style("label", base_size, bold=True),
        # Headings stay on the page of the text they introduce (never alone at a page bottom).
        "heading": style(
            "heading",
            base_size * 1.3,
            bold=True,
            space_before=base_size * 0.6,
            space_after=2,
            keep_with_next=True,
        ),
        "subheading": style(
            "subheading",
            base_size * 1.1,
            bold=True,
            space_before=base_size * 0.4,
            keep_with_next=True,
        ),
        "title": style("title", base_size * 1.6, bold=True, alignment=TA_CENTER, space_after=4),
        "subtitle": style("subtitle", base_size * 1.1, alignment=TA_CENTER, space_after=4),
        "centered": style("centered", base_size, alignment=TA_CENTER),
        "right": style("right", base_size, alignment=TA_RIGHT),
    }


__all__ = [
    "KHMER_LEADING_FACTOR",
    "ZWSP",
    "KhmerParagraph",
    "TextRun",
    "actual_text_hex",
    "draw_text",
    "khmer_paragraph",
    "make_styles",
    "normalize_text",
    "text_width",
]
