"""Status letters: one A4 page per applicant telling them, in plain Khmer with English after it,
what the court status of their application means and what they can do next.

The texts come from ``assets/letters/<status>.yaml`` (loaded by the services layer); this module
only lays them out. All text is shaped and wrapped between words by ``app.pdf.khmer_text``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate, Spacer

from app.core.forms import Text
from app.pdf.fonts import FONT_REGULAR
from app.pdf.khmer_text import TextRun, draw_text, khmer_paragraph
from app.pdf.layout import (
    GREY,
    INK,
    LIGHT,
    CanvasRecorder,
    Output,
    PageInfo,
    SetPageKey,
    bilingual_runs,
    both,
    build_pdf,
    english_date,
    khmer_date,
    styles,
)
from app.pdf.receipt import DEFAULT_CONTACT

PAGE_WIDTH, PAGE_HEIGHT = A4
T = TypeVar("T")
MARGIN = 20 * mm
HEADER_HEIGHT = 22 * mm

LETTER_TITLE = Text("លិខិតជូនដំណឹងអំពីពាក្យរបស់លោកអ្នក", "Letter about your application")
ORGANISATION = Text(
    "អង្គភាពគាំពារជនរងគ្រោះ អង្គជំនុំជម្រះវិសាមញ្ញក្នុងតុលាការកម្ពុជា",
    "Victims Support Section, Extraordinary Chambers in the Courts of Cambodia",
)
REFERENCE = Text("លេខយោង", "Reference")
APPLICANT = Text("ជូនចំពោះ", "To")
DATE = Text("កាលបរិច្ឆេទ", "Date")
MEANING = Text("តើនេះមានន័យដូចម្តេច?", "What does this mean?")
NEXT = Text("តើលោកអ្នកអាចធ្វើអ្វីបន្ទាប់?", "What can you do next?")
CONTACT = Text("ទាក់ទងយើង", "How to contact us")
KEEP = Text(
    "សូមរក្សាលិខិតនេះទុក។ សូមប្រាប់លេខយោងខាងលើ រាល់ពេលលោកអ្នកទាក់ទងមកយើង។",
    "Keep this letter. Give the reference number above whenever you contact us.",
)
NAME_WITHHELD = Text(
    "(ឈ្មោះមិនបានបោះពុម្ព ដើម្បីការពារអត្តសញ្ញាណ)", "(name not printed: identity protected)"
)
# Rule 29(2): where direct contact could put the person in danger, the court communicates through
# the lawyer or the victims' association.
THROUGH_REPRESENTATIVE = Text(
    "ប្រគល់លិខិតនេះតាមរយៈមេធាវី ឬសមាគមជនរងគ្រោះរបស់អ្នកដាក់ពាក្យប៉ុណ្ណោះ "
    "កុំប្រគល់ក្នុងភូមិ (សមាជិកគ្រួសារមានគ្រោះថ្នាក់ វិធាន ២៩)។",
    "Hand this letter over only through the applicant's lawyer or victims' association, never in "
    "the village (family members in danger, Rule 29).",
)


@dataclass(frozen=True)
class StatusLetter:
    """One applicant's letter. ``name_km``/``name_latin`` empty: the name is not printed."""

    reference: str
    status: str
    title: Text
    meaning: Text
    next_steps: Text
    dated: date
    name_km: str = ""
    name_latin: str = ""
    name_withheld: bool = False
    through_representative: bool = False  # family in danger: not handed over in the village
    contact: Text = DEFAULT_CONTACT


def draw_letterhead(canvas: Canvas, reference: str | None) -> None:
    """The VSS's name, the reference at the top right (when given) and a rule under them: the
    head of every one-page letter (status letters, forum invitations)."""
    top = PAGE_HEIGHT - MARGIN
    canvas.saveState()
    canvas.setFillColor(INK)
    draw_text(canvas, MARGIN, top - 10, ORGANISATION.km, 10, bold=True)
    canvas.setFillColor(GREY)
    draw_text(canvas, MARGIN, top - 24, ORGANISATION.en, 8)
    if reference:
        draw_text(canvas, PAGE_WIDTH - MARGIN, top - 10, both(REFERENCE), 8, align="right")
        canvas.setFillColor(INK)
        draw_text(canvas, PAGE_WIDTH - MARGIN, top - 26, reference, 13, bold=True, align="right")
    canvas.setStrokeColor(LIGHT)
    canvas.setLineWidth(0.6)
    rule = top - HEADER_HEIGHT + 4 * mm
    canvas.line(MARGIN, rule, PAGE_WIDTH - MARGIN, rule)
    canvas.restoreState()


def _decorate(canvas: Canvas, page: PageInfo) -> None:
    letter = page.key
    draw_letterhead(canvas, letter.reference if isinstance(letter, StatusLetter) else None)
    canvas.saveState()
    canvas.setFillColor(GREY)
    draw_text(canvas, PAGE_WIDTH / 2, MARGIN / 2, both(KEEP, "  "), 7, align="center")
    canvas.restoreState()


def _story(letter: StatusLetter) -> list[Flowable]:
    st = styles(11)
    english = ParagraphStyle("len", parent=st["english"], fontSize=9.5, leading=9.5 * 1.6)
    heading = ParagraphStyle("lhead", parent=st["subheading"], spaceBefore=8, spaceAfter=2)
    title = ParagraphStyle("ltitle", parent=st["title"], alignment=0, spaceAfter=2)
    title_en = ParagraphStyle("ltitle_en", parent=st["subtitle"], alignment=0, textColor=GREY)
    if letter.name_withheld:
        name = both(NAME_WITHHELD)
    else:
        name = " / ".join(p for p in (letter.name_km, letter.name_latin) if p)
    day = letter.dated

    def line(label: Text, value: str) -> Flowable:
        return khmer_paragraph([*bilingual_runs(label), TextRun(f":  {value}")], st["normal"])

    story: list[Flowable] = [
        SetPageKey(letter),
        khmer_paragraph(both(LETTER_TITLE), st["small"]),
        Spacer(1, 2 * mm),
        line(APPLICANT, name),
        *(
            [khmer_paragraph([TextRun(both(THROUGH_REPRESENTATIVE), True)], st["normal"])]
            if letter.through_representative
            else []
        ),
        line(DATE, f"{khmer_date(day)} / {english_date(day)}"),
        Spacer(1, 3 * mm),
        khmer_paragraph(letter.title.km, title),
        khmer_paragraph(letter.title.en, title_en),
    ]
    for label, text in (
        (MEANING, letter.meaning),
        (NEXT, letter.next_steps),
        (CONTACT, letter.contact),
    ):
        story.append(khmer_paragraph(bilingual_runs(label), heading))
        story.append(khmer_paragraph(text.km, st["normal"]))
        story.append(khmer_paragraph(text.en, english))
    return story


def render_one_per_page(
    items: Sequence[T],
    story: Callable[[T], list[Flowable]],
    decorate: Callable[[Canvas, PageInfo], None],
    title: str,
    out: Output,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Print one letter per item, each starting on a new A4 page under the letterhead's room;
    returns the number of pages."""

    def build(buffer: io.BytesIO) -> int:
        frame = Frame(
            MARGIN,
            MARGIN,
            PAGE_WIDTH - 2 * MARGIN,
            PAGE_HEIGHT - 2 * MARGIN - HEADER_HEIGHT,
            0,
            0,
            0,
            0,
            id="letter",
        )
        doc = BaseDocTemplate(
            buffer, pagesize=A4, title=title, author="VSS Outreach", initialFontName=FONT_REGULAR
        )
        doc.addPageTemplates([PageTemplate(id="letter", frames=[frame])])
        flowables: list[Flowable] = []
        for index, item in enumerate(items):
            if index:
                flowables.append(PageBreak())
            flowables.extend(story(item))
            if progress is not None:
                progress(index + 1, len(items))
        if not flowables:
            flowables.append(khmer_paragraph(" ", styles()["normal"]))
        recorder = CanvasRecorder(decorate)
        doc.build(flowables, canvasmaker=recorder)
        return recorder.pages

    return build_pdf(build, out)


def render_status_letters(
    letters: Sequence[StatusLetter],
    out: Output,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Print the letters, each on its own A4 page(s); returns the number of pages."""
    return render_one_per_page(letters, _story, _decorate, both(LETTER_TITLE), out, progress)


__all__ = ["StatusLetter", "draw_letterhead", "render_one_per_page", "render_status_letters"]
