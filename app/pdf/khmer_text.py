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
  screen, with a fallback between grapheme clusters for a word wider than the line
  (`app.pdf.line_layout` makes the lines; this module draws them). U+200B in the input is never
  drawn and never reaches the text layer.

The text given here is plain text, not ReportLab markup: ``<``, ``&`` and ``>`` in user data are
printed as typed. Bold inside a paragraph is expressed with `TextRun` pieces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.fonts import ps2tt, tt2ps
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from app.pdf.fonts import FONT_BOLD, FONT_REGULAR, register_pdf_fonts
from app.pdf.line_layout import (
    FIT_TOLERANCE,
    ZWSP,
    Line,
    TextRun,
    paragraph_lines,
    paragraph_tokens,
    slice_runs,
    strip_runs,
    trimmed_width,
)
from app.pdf.shaped_runs import ShapedTextObject, shape

COENG = "\u17d2"
# Leading (baseline-to-baseline distance) as a multiple of the font size: Khmer stacks vowel signs
# above and up to two subscripts below the base line, so it needs far more room than Latin.
KHMER_LEADING_FACTOR = 1.75

Align = Literal["left", "center", "right"]

# Unicode spaces that break like an ordinary space (NBSP is deliberately absent: it must not break).
_SPACE_LIKE = re.compile("[\t\u2000-\u200a\u202f\u205f\u3000]")
# Controls that must never reach the PDF (everything but newline) plus a stray byte-order mark.
_INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f\ufeff]")


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


def _bold_font_of(font_name: str) -> str:
    """Bold face of the family `font_name` belongs to (itself when no bold face is mapped)."""
    try:
        family, _bold, italic = ps2tt(font_name)
        return str(tt2ps(family, 1, italic))
    except ValueError:
        return font_name


def _baseline_offset(font_name: str, size: float, leading: float) -> float:
    """Distance from the top of a line box to its baseline, centring the font's box in it."""
    ascent, descent = pdfmetrics.getAscentDescent(font_name, size)
    return (leading - (ascent - descent)) / 2.0 + ascent


def _draw_line(
    canvas: Canvas, line: Line, x: float, baseline: float, size: float, leading: float
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
        self.runs = tuple(strip_runs([TextRun(normalize_text(r.text), r.bold) for r in runs]))
        self.style = style
        self.continuation = continuation  # a later part of a split paragraph
        self.continued = continued  # followed by another part of the same paragraph
        self.keepWithNext = bool(getattr(style, "keepWithNext", False))
        self.font_size = float(style.fontSize)
        self.leading = float(style.leading or style.fontSize * KHMER_LEADING_FACTOR)
        self.regular_font = str(style.fontName)
        self.bold_font = _bold_font_of(self.regular_font)
        self._lines: tuple[Line, ...] = ()
        self._layout_width: float | None = None

    @property
    def text(self) -> str:
        """The logical text this paragraph prints."""
        return "".join(r.text for r in self.runs)

    def _lines_for(self, avail_width: float) -> tuple[Line, ...]:
        if self._layout_width != avail_width:
            width = avail_width - self.style.leftIndent - self.style.rightIndent
            first_indent = 0.0 if self.continuation else float(self.style.firstLineIndent)
            fonts = (self.regular_font, self.bold_font)
            self._lines = paragraph_lines(
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
        fitting = int((availHeight + FIT_TOLERANCE) // self.leading)
        if fitting >= len(lines):
            return [self]
        if fitting <= 0:
            return []
        cut = next((t.start for t in lines[fitting].tokens), None)
        if cut is None:
            return []
        head = slice_runs(self.runs, 0, cut)
        tail = slice_runs(self.runs, cut, len(self.text))
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
            slack = line_width - trimmed_width(line)
            if style.alignment == TA_CENTER:
                indent += slack / 2.0
            elif style.alignment == TA_RIGHT:
                indent += slack
            baseline = self.height - index * self.leading - offset
            _draw_line(canvas, line, indent, baseline, self.font_size, self.leading)
        canvas.restoreState()

    def __repr__(self) -> str:
        return f"KhmerParagraph({self.text[:40]!r}...)"


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
    line = Line(paragraph_tokens((TextRun(single_line),), name, name, font_size))
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
