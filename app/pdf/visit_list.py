"""The list an officer takes on a village visit: the people of one commune from the office's list
whom nobody has contacted for a year, village by village, with only what the visit needs
(number, name, village) and a box to tick. People whose identity the office protects are never
printed: the page says how many there are, to be looked up on the laptop.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer, Table
from reportlab.platypus import TableStyle as Style

from app.core.forms import Text
from app.core.khmer_text import to_khmer_digits
from app.pdf.fonts import FONT_REGULAR
from app.pdf.khmer_text import TextRun, draw_text, khmer_paragraph
from app.pdf.layout import (
    GREY,
    INK,
    LIGHT,
    CanvasRecorder,
    Output,
    PageInfo,
    bilingual_runs,
    both,
    build_pdf,
    english_date,
    khmer_date,
    styles,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm

TITLE = Text("បញ្ជីសម្រាប់ចុះភូមិ", "Village visit list")
SUBTITLE = Text(
    "ដើមបណ្តឹងរដ្ឋប្បវេណី និងអ្នកដាក់ពាក្យ ដែលមិនបានទាក់ទងក្នុងរយៈពេល ១២ ខែ",
    "Civil parties and applicants not contacted for 12 months",
)
COMMUNE = Text("ឃុំ/សង្កាត់", "Commune")
NUMBER = Text("លេខ", "Number")
NAME = Text("ឈ្មោះ", "Name")
VILLAGE = Text("ភូមិ", "Village")
MET = Text("បានជួប", "Met")
PROTECTED = Text(
    "ការិយាល័យការពារអត្តសញ្ញាណ មិនបានបោះពុម្ព៖ {count} នាក់ (សូមមើលនៅលើកុំព្យូទ័រ)។",
    "Identity protected by the office, not printed: {count} (see the laptop).",
)
NOBODY = Text("គ្មាននរណាត្រូវទាក់ទងទេ។", "Nobody to contact.")
KEEP_SAFE = Text(
    "ឯកសារនេះមានឈ្មោះមនុស្ស។ កុំទុកចោល កុំឲ្យអ្នកដទៃ។ បំផ្លាញចោលក្រោយពេលចុះភូមិ។",
    "This paper names people. Do not leave it or hand it on. Destroy it after the visit.",
)


@dataclass(frozen=True)
class VisitRow:
    number: str
    name_km: str
    name_latin: str
    village: str  # the village's name in Khmer and Latin


@dataclass(frozen=True)
class VisitList:
    commune: str  # names of the commune, district and province
    rows: Sequence[VisitRow]
    protected_left_out: int
    dated: date


def _decorate(canvas: Canvas, page: PageInfo) -> None:
    canvas.saveState()
    canvas.setFillColor(GREY)
    numbers = f"{page.number} / {page.total}"
    draw_text(canvas, PAGE_WIDTH - MARGIN, MARGIN / 2, numbers, 8, align="right")
    draw_text(canvas, MARGIN, MARGIN / 2, both(KEEP_SAFE, "  "), 6.5)
    canvas.restoreState()


def _story(visit: VisitList) -> list[Flowable]:
    st = styles(10)
    day = visit.dated
    story: list[Flowable] = [
        khmer_paragraph(bilingual_runs(TITLE), st["title"]),
        khmer_paragraph(both(SUBTITLE), st["small"]),
        khmer_paragraph([*bilingual_runs(COMMUNE), TextRun(f":  {visit.commune}")], st["normal"]),
        khmer_paragraph(f"{khmer_date(day)} / {english_date(day)}", st["small"]),
        Spacer(1, 3 * mm),
    ]
    if visit.protected_left_out:
        count = str(visit.protected_left_out)
        text = Text(
            PROTECTED.km.format(count=to_khmer_digits(count)), PROTECTED.en.format(count=count)
        )
        story.append(khmer_paragraph(both(text), st["small"]))
        story.append(Spacer(1, 2 * mm))
    if not visit.rows:
        story.append(khmer_paragraph(both(NOBODY), st["normal"]))
        return story
    header = [
        khmer_paragraph(bilingual_runs(t, separator="\n"), st["small"])
        for t in (NUMBER, NAME, VILLAGE, MET)
    ]
    table_rows: list[list[Flowable | str]] = [list(header)]
    for row in visit.rows:
        name = " / ".join(p for p in (row.name_km, row.name_latin) if p)
        table_rows.append(
            [
                khmer_paragraph(row.number, st["small"]),
                khmer_paragraph(name, st["normal"]),
                khmer_paragraph(row.village, st["small"]),
                "",
            ]
        )
    width = PAGE_WIDTH - 2 * MARGIN
    table = Table(
        table_rows,
        colWidths=[32 * mm, width - 32 * mm - 58 * mm - 14 * mm, 58 * mm, 14 * mm],
        repeatRows=1,
    )
    table.setStyle(
        Style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.9, INK),
                ("BOX", (3, 1), (3, -1), 0.6, INK),
                ("INNERGRID", (3, 1), (3, -1), 0.6, INK),
            ]
        )
    )
    story.append(table)
    return story


def render_visit_list(visit: VisitList, out: Output) -> int:
    """Print the visit list on A4; returns the number of pages."""

    def build(buffer: io.BytesIO) -> int:
        frame = Frame(MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN, id="list")
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            title=both(TITLE),
            author="VSS Outreach",
            initialFontName=FONT_REGULAR,
        )
        doc.addPageTemplates([PageTemplate(id="list", frames=[frame])])
        recorder = CanvasRecorder(_decorate)
        doc.build(_story(visit), canvasmaker=recorder)
        return recorder.pages

    return build_pdf(build, out)


__all__ = ["VisitList", "VisitRow", "render_visit_list"]
