"""The frame of every printed page: A4 margins, the header (title, reference, "redacted" mark),
the footer (page x of y, who printed it where and when) and the document template."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from app.core.forms import Text
from app.core.khmer_text import to_khmer_digits
from app.pdf.fonts import FONT_REGULAR
from app.pdf.khmer_text import draw_text, text_width
from app.pdf.layout import (
    GREY,
    INK,
    LIGHT,
    RED,
    PageInfo,
    both,
    english_date,
    khmer_date,
    khmer_time,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
HEADER_HEIGHT = 27 * mm
FOOTER_HEIGHT = 14 * mm

REFERENCE = Text("លេខយោង", "Reference")
REDACTED_MARK = Text("ច្បាប់ចម្លងដែលបានលាក់ឈ្មោះ", "REDACTED COPY")
PRINTED = Text("បោះពុម្ព", "Printed")


@dataclass(frozen=True)
class PrintMeta:
    """Who printed what, where and when; `place_label` turns a stored place into a printed label."""

    reference: str
    printed_at: datetime
    officer_name: str
    organisation: str
    device_name: str
    place_label: Callable[[Mapping[str, Any]], str]
    lang_order: tuple[str, ...] = ("km", "en")


class RenderCancelled(Exception):
    """A batch was cancelled; nothing was written."""


@dataclass(frozen=True)
class PageHeader:
    """What the header and footer of a group of pages show."""

    title: Text
    reference: str  # empty on blank forms: a box to write it in
    redacted: bool
    meta: PrintMeta | None


def decorate_page(canvas: Canvas, page: PageInfo) -> None:
    header: PageHeader = page.key
    if header is None:
        return
    top = PAGE_HEIGHT - MARGIN
    right = PAGE_WIDTH - MARGIN
    canvas.saveState()
    # Reference: large, top right (a box to fill in on blank forms).
    label = both(REFERENCE)
    draw_text(canvas, right, top - 7, label, 8, align="right")
    if header.reference:
        draw_text(canvas, right, top - 27, header.reference, 17, bold=True, align="right")
    else:
        canvas.setStrokeColor(INK)
        canvas.rect(right - 62 * mm, top - 32, 62 * mm, 22, stroke=1, fill=0)
    # Title, Khmer then English, on the left (kept clear of the reference).
    title_room = PAGE_WIDTH - 2 * MARGIN - 68 * mm
    km_size = 13.0
    while km_size > 8 and text_width(header.title.km, km_size, bold=True) > title_room:
        km_size -= 0.5
    draw_text(canvas, MARGIN, top - 13, header.title.km, km_size, bold=True)
    canvas.setFillColor(GREY)
    draw_text(canvas, MARGIN, top - 30, header.title.en, 9.5)
    canvas.setFillColor(INK)
    if header.redacted:
        canvas.setFillColor(RED)
        draw_text(
            canvas, PAGE_WIDTH / 2, top - 46, both(REDACTED_MARK), 10.5, bold=True, align="center"
        )
        canvas.setFillColor(INK)
    canvas.setStrokeColor(LIGHT)
    canvas.setLineWidth(0.7)
    line_y = PAGE_HEIGHT - MARGIN - HEADER_HEIGHT + 6
    canvas.line(MARGIN, line_y, right, line_y)
    # Footer: page x of y, printing details.
    bottom = MARGIN - 2
    canvas.line(MARGIN, bottom + 16, right, bottom + 16)
    numbers = (
        f"ទំព័រ {to_khmer_digits(str(page.number))} នៃ {to_khmer_digits(str(page.total))}"
        f" / Page {page.number} of {page.total}"
    )
    canvas.setFillColor(GREY)
    draw_text(canvas, right, bottom + 4, numbers, 8, align="right")
    meta = header.meta
    if meta is not None:
        moment = meta.printed_at
        details = (
            f"{PRINTED.km} {khmer_date(moment.date())} {khmer_time(moment)} / "
            f"{PRINTED.en} {english_date(moment.date())} {moment:%H:%M}"
            f" · {meta.officer_name} · {meta.organisation} · {meta.device_name}"
        )
        draw_text(canvas, MARGIN, bottom + 4, details, 7)
    if header.redacted:
        canvas.setFillColor(RED)
        canvas.setFillAlpha(0.12)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(40)
        draw_text(canvas, 0, 0, REDACTED_MARK.en, 54, bold=True, align="center")
    canvas.restoreState()


def new_document(buffer: io.BytesIO, title: str, subject: str) -> BaseDocTemplate:
    frame = Frame(
        MARGIN,
        MARGIN + FOOTER_HEIGHT,
        PAGE_WIDTH - 2 * MARGIN,
        PAGE_HEIGHT - 2 * MARGIN - HEADER_HEIGHT - FOOTER_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        subject=subject,
        author="VSS Outreach",
        creator="VSS Outreach",
        initialFontName=FONT_REGULAR,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    return doc
