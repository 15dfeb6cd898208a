"""Shared building blocks of the printed documents: page geometry, dates in Khmer and English,
tick boxes, ruled lines, and a canvas that draws headers and footers once the page count is known.

All text goes through `app.pdf.khmer_text` (shaped Khmer with a faithful text layer).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from app.core.approx_date import ENGLISH_MONTHS, KHMER_MONTHS
from app.core.forms import Text
from app.core.khmer_text import to_khmer_digits
from app.core.private_file import write_private_file
from app.pdf.fonts import FONT_REGULAR, register_pdf_fonts
from app.pdf.khmer_text import KhmerParagraph, TextRun, draw_text, khmer_paragraph, make_styles

Output = Path | BinaryIO

INK = colors.black
GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#999999")
RED = colors.HexColor("#b00020")
BOX_SIZE = 3.6 * mm


# --- the training banner ---------------------------------------------------------------------------

# Set while a document is rendered for a training session run as of a past date: every page then
# carries this line at its top edge, so a training print can never pass for today's truth.
_PRINT_BANNER: ContextVar[str | None] = ContextVar("print_banner", default=None)


@contextmanager
def print_banner(text: str | None) -> Iterator[None]:
    """Print ``text`` across the top of every page rendered inside the block (None: nothing)."""
    token = _PRINT_BANNER.set(text)
    try:
        yield
    finally:
        _PRINT_BANNER.reset(token)


def draw_print_banner(canvas: Canvas, page_width: float, page_height: float) -> None:
    """Draw the training banner, if one is set, on the current page of ``canvas``."""
    text = _PRINT_BANNER.get()
    if not text:
        return
    canvas.saveState()
    canvas.setFillColor(RED)
    canvas.rect(0, page_height - 6.5 * mm, page_width, 6.5 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    # 8 pt: the smallest size anything on a receipt is printed at.
    draw_text(canvas, page_width / 2, page_height - 4.7 * mm, text, 8, bold=True, align="center")
    canvas.restoreState()


# --- text helpers ----------------------------------------------------------------------------------


def khmer_date(day: date) -> str:
    """A calendar date the way Khmer documents write it: ថ្ងៃទី៥ ខែមីនា ឆ្នាំ២០២៤."""
    return (
        f"ថ្ងៃទី{to_khmer_digits(str(day.day))} ខែ{KHMER_MONTHS[day.month - 1]} "
        f"ឆ្នាំ{to_khmer_digits(str(day.year))}"
    )


def english_date(day: date) -> str:
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def khmer_time(moment: datetime) -> str:
    return to_khmer_digits(f"{moment.hour:02d}:{moment.minute:02d}")


def both(text: Text, separator: str = " / ") -> str:
    """Khmer, then English."""
    return f"{text.km}{separator}{text.en}"


def bilingual_runs(text: Text, bold_km: bool = True, separator: str = " / ") -> list[TextRun]:
    """Khmer (bold by default), then English in the regular face."""
    return [TextRun(text.km, bold_km), TextRun(f"{separator}{text.en}")]


def styles(base_size: float = 10) -> dict[str, ParagraphStyle]:
    """`make_styles` plus the few extra styles the documents use."""
    found = make_styles(base_size)
    found["english"] = ParagraphStyle(
        "english", parent=found["small"], textColor=GREY, spaceAfter=base_size * 0.3
    )
    found["help"] = ParagraphStyle("help", parent=found["small"], textColor=GREY)
    found["value"] = ParagraphStyle(
        "value", parent=found["normal"], leftIndent=5 * mm, spaceAfter=base_size * 0.5
    )
    found["field_label"] = ParagraphStyle(
        "field_label", parent=found["label"], keepWithNext=True, spaceBefore=base_size * 0.2
    )
    found["section"] = ParagraphStyle(
        "section", parent=found["heading"], keepWithNext=True, textColor=INK
    )
    return found


# --- writing the result ------------------------------------------------------------------------------


def write_output(data: bytes, out: Output) -> None:
    """Write a finished PDF to a path (whole or not at all) or a binary stream."""
    if isinstance(out, Path):
        write_private_file(out, data)
    else:
        out.write(data)


# --- canvas with deferred page decoration -----------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    """What a page decorator knows about a page: its group (e.g. one record) and its place in it."""

    key: Any
    number: int  # 1-based, within the group
    total: int  # pages of the group


PageDecorator = Callable[[Canvas, PageInfo], None]


class DeferredCanvas(Canvas):
    """Holds every page until `save`, then draws headers and footers knowing the page counts.

    Pages are grouped by the key set with `SetPageKey` (one group per record in a batch), so
    "page x of y" counts within each group.
    """

    def __init__(
        self, *args: Any, decorate: PageDecorator, pad_to_even: bool = False, **kwargs: Any
    ) -> None:
        register_pdf_fonts()
        kwargs.setdefault("initialFontName", FONT_REGULAR)
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._pad_to_even = pad_to_even
        self._held: list[tuple[dict[str, Any], Any]] = []
        self.page_key: Any = None
        self.page_total = 0

    def showPage(self) -> None:
        self._held.append((dict(self.__dict__), self.page_key))
        self._startPage()

    def save(self) -> None:
        held = self._held
        if self._pad_to_even and len(held) % 2:
            self._held.append((dict(self.__dict__), self.page_key))
        totals: dict[int, int] = {}
        for _state, key in held:
            totals[id(key)] = totals.get(id(key), 0) + 1
        counters: dict[int, int] = {}
        for state, key in held:
            self.__dict__.update(state)
            counters[id(key)] = counters.get(id(key), 0) + 1
            self._decorate(self, PageInfo(key, counters[id(key)], totals[id(key)]))
            width, height = self._pagesize
            draw_print_banner(self, width, height)
            Canvas.showPage(self)
        self.page_total = len(held)
        self._held = []
        Canvas.save(self)


class CanvasRecorder:
    """A `canvasmaker` for doc.build that remembers the canvas it made (for the page count)."""

    def __init__(self, decorate: PageDecorator, pad_to_even: bool = False) -> None:
        self.decorate = decorate
        self.pad_to_even = pad_to_even
        self.canvas: DeferredCanvas | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> DeferredCanvas:
        self.canvas = DeferredCanvas(
            *args, decorate=self.decorate, pad_to_even=self.pad_to_even, **kwargs
        )
        return self.canvas

    @property
    def pages(self) -> int:
        return self.canvas.page_total if self.canvas is not None else 0


class SetPageKey(Flowable):
    """Zero-size marker: the pages from here on belong to `key`; runs `on_draw` when placed."""

    def __init__(self, key: Any, on_draw: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.key = key
        self.on_draw = on_draw
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        canvas = self.canv
        if isinstance(canvas, DeferredCanvas) and self.key is not None:
            canvas.page_key = self.key
        if self.on_draw is not None:
            self.on_draw()


class Callback(SetPageKey):
    """Zero-size marker that only runs `on_draw` when placed on a page."""

    def __init__(self, on_draw: Callable[[], None]) -> None:
        super().__init__(None, on_draw)


# --- drawn elements ---------------------------------------------------------------------------------


def tick_box(
    canvas: Canvas, x: float, y: float, size: float = BOX_SIZE, ticked: bool = False
) -> None:
    """A square tick box with its lower-left corner at (x, y); a drawn tick when `ticked`."""
    canvas.saveState()
    canvas.setLineWidth(0.8)
    canvas.setStrokeColor(INK)
    canvas.rect(x, y, size, size, stroke=1, fill=0)
    if ticked:
        canvas.setLineWidth(1.4)
        path = canvas.beginPath()
        path.moveTo(x + size * 0.18, y + size * 0.5)
        path.lineTo(x + size * 0.42, y + size * 0.2)
        path.lineTo(x + size * 0.85, y + size * 0.85)
        canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


class ChoiceGrid(Flowable):
    """Tick boxes with bilingual labels in one or more columns; splits between rows."""

    def __init__(
        self,
        labels: Sequence[Text],
        style: ParagraphStyle,
        columns: int = 1,
        ticked: Sequence[bool] | None = None,
        indent: float = 5 * mm,
    ) -> None:
        super().__init__()
        self.labels = list(labels)
        self.style = style
        self.columns = max(1, columns)
        self.ticked = list(ticked) if ticked is not None else [False] * len(self.labels)
        self.indent = indent
        self._rows: list[tuple[list[KhmerParagraph], float]] = []

    def _layout(self, avail_width: float) -> None:
        column_width = (avail_width - self.indent) / self.columns
        text_width = column_width - BOX_SIZE - 2.5 * mm
        self._rows = []
        for start in range(0, len(self.labels), self.columns):
            cells = [
                khmer_paragraph(bilingual_runs(label, bold_km=False), self.style)
                for label in self.labels[start : start + self.columns]
            ]
            height = max(cell.wrap(text_width, 10_000)[1] for cell in cells)
            self._rows.append((cells, height))
        self._column_width = column_width
        self._text_width = text_width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._layout(availWidth)
        self.width = availWidth
        self.height = sum(height for _cells, height in self._rows) + 2
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._layout(availWidth)
        used = 0.0
        fitting = 0
        for _cells, height in self._rows:
            if used + height > availHeight:
                break
            used += height
            fitting += 1
        if fitting == 0 or fitting == len(self._rows):
            return [] if fitting == 0 else [self]
        cut = fitting * self.columns
        return [
            ChoiceGrid(self.labels[:cut], self.style, self.columns, self.ticked[:cut], self.indent),
            ChoiceGrid(self.labels[cut:], self.style, self.columns, self.ticked[cut:], self.indent),
        ]

    def draw(self) -> None:
        top = self.height
        index = 0
        leading = float(self.style.leading)
        for cells, height in self._rows:
            for column, cell in enumerate(cells):
                x = self.indent + column * self._column_width
                box_y = top - leading / 2 - BOX_SIZE / 2
                tick_box(self.canv, x, box_y, ticked=self.ticked[index])
                cell.drawOn(self.canv, x + BOX_SIZE + 2.5 * mm, top - cell.height)
                index += 1
            top -= height


class RuledLines(Flowable):
    """Lines to write on by hand, optionally with a small caption before the first one."""

    def __init__(
        self, count: int, spacing: float = 9 * mm, indent: float = 5 * mm, caption: str = ""
    ) -> None:
        super().__init__()
        self.count = count
        self.spacing = spacing
        self.indent = indent
        self.caption = caption

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.count * self.spacing
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        fitting = int(availHeight // self.spacing)
        if fitting <= 0 or fitting >= self.count:
            return [] if fitting <= 0 else [self]
        return [
            RuledLines(fitting, self.spacing, self.indent, self.caption),
            RuledLines(self.count - fitting, self.spacing, self.indent),
        ]

    def draw(self) -> None:
        from app.pdf.khmer_text import draw_text, text_width

        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(LIGHT)
        canvas.setLineWidth(0.6)
        start = self.indent
        if self.caption:
            canvas.setFillColor(GREY)
            draw_text(canvas, self.indent, self.height - self.spacing + 2, self.caption, 8)
            start += text_width(self.caption, 8) + 2 * mm
        for line in range(self.count):
            y = self.height - (line + 1) * self.spacing + 1
            canvas.line(start if line == 0 else self.indent, y, self.width, y)
        canvas.restoreState()


class BlackBar(Flowable):
    """A solid black bar (a redaction mask) followed by a short notice."""

    def __init__(self, notice: str, style: ParagraphStyle, bar_width: float = 28 * mm) -> None:
        super().__init__()
        self.notice = khmer_paragraph(notice, style)
        self.bar_width = bar_width
        self.style = style

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        text_w = availWidth - self.style.leftIndent - self.bar_width - 3 * mm
        _w, h = self.notice.wrap(text_w, availHeight)
        self.width, self.height = availWidth, h
        return self.width, self.height + float(self.style.spaceAfter)

    def draw(self) -> None:
        canvas = self.canv
        x = float(self.style.leftIndent)
        leading = float(self.style.leading)
        top = self.height + float(self.style.spaceAfter)
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.rect(x, top - leading * 0.8, self.bar_width, leading * 0.6, stroke=0, fill=1)
        canvas.restoreState()
        self.notice.drawOn(canvas, x + self.bar_width + 3 * mm, top - self.notice.height)


def build_pdf(build: Callable[[io.BytesIO], int], out: Output) -> int:
    """Run `build` into memory and write the bytes to `out` only when it succeeded."""
    register_pdf_fonts()
    buffer = io.BytesIO()
    pages = build(buffer)
    write_output(buffer.getvalue(), out)
    return pages
