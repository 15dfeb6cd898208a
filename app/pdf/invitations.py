"""Forum invitations: one A4 page per invited person, Khmer first with English after it.

The stack is carried to a commune and handed out by a village chief or an officer, so a person
whose identity is protected gets an invitation without a name (their reference only, which the
officer matches on the list). The texts (what the forum is, what it cannot promise) come from
the services layer; this module lays them out, shaped and wrapped by ``app.pdf.khmer_text``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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
from app.pdf.letters import HEADER_HEIGHT, MARGIN, NAME_WITHHELD, ORGANISATION, PAGE_WIDTH
from app.pdf.letters import PAGE_HEIGHT as LETTER_HEIGHT

INVITATION_TITLE = Text("លិខិតអញ្ជើញចូលរួមវេទិកា", "Invitation to a forum")
TO = Text("ជូនចំពោះ", "To")
REFERENCE = Text("លេខយោង", "Reference")
FORUM = Text("វេទិកា", "Forum")
WHEN = Text("កាលបរិច្ឆេទ", "Date")
WHERE = Text("ទីកន្លែង", "Place")
BRING = Text(
    "សូមយកលិខិតនេះមកជាមួយ។ លោកអ្នកអាចនាំសមាជិកគ្រួសារម្នាក់មកជាមួយបាន។",
    "Please bring this letter. You may come with a family member.",
)


@dataclass(frozen=True)
class Invitation:
    """One person's invitation; ``name_withheld``: the name is not printed (identity protected)."""

    reference: str
    forum_name: str
    held_on: date
    place: str
    about: Text  # what the forum is for, true on the day (from the services layer)
    name_km: str = ""
    name_latin: str = ""
    name_withheld: bool = False
    # Reparation projects the court awarded that run in the person's province (one line each).
    projects: tuple[Text, ...] = ()


def _decorate(canvas: Canvas, page: PageInfo) -> None:
    invitation = page.key
    top = LETTER_HEIGHT - MARGIN
    canvas.saveState()
    canvas.setFillColor(INK)
    draw_text(canvas, MARGIN, top - 10, ORGANISATION.km, 10, bold=True)
    canvas.setFillColor(GREY)
    draw_text(canvas, MARGIN, top - 24, ORGANISATION.en, 8)
    if isinstance(invitation, Invitation):
        draw_text(canvas, PAGE_WIDTH - MARGIN, top - 10, both(REFERENCE), 8, align="right")
        canvas.setFillColor(INK)
        draw_text(
            canvas,
            PAGE_WIDTH - MARGIN,
            top - 26,
            invitation.reference,
            13,
            bold=True,
            align="right",
        )
    canvas.setStrokeColor(LIGHT)
    canvas.setLineWidth(0.6)
    rule = top - HEADER_HEIGHT + 4 * mm
    canvas.line(MARGIN, rule, PAGE_WIDTH - MARGIN, rule)
    canvas.restoreState()


def _story(invitation: Invitation) -> list[Flowable]:
    st = styles(12)
    english = ParagraphStyle("ien", parent=st["english"], fontSize=10, leading=10 * 1.6)
    title = ParagraphStyle("ititle", parent=st["title"], alignment=0, spaceAfter=2)
    title_en = ParagraphStyle("ititle_en", parent=st["subtitle"], alignment=0, textColor=GREY)
    if invitation.name_withheld:
        name = both(NAME_WITHHELD)
    else:
        name = " / ".join(p for p in (invitation.name_km, invitation.name_latin) if p)
    day = invitation.held_on

    def line(label: Text, value: str) -> Flowable:
        return khmer_paragraph([*bilingual_runs(label), TextRun(f":  {value}")], st["normal"])

    return [
        SetPageKey(invitation),
        khmer_paragraph(INVITATION_TITLE.km, title),
        khmer_paragraph(INVITATION_TITLE.en, title_en),
        Spacer(1, 4 * mm),
        line(TO, name),
        line(FORUM, invitation.forum_name),
        line(WHEN, f"{khmer_date(day)} / {english_date(day)}"),
        line(WHERE, invitation.place),
        Spacer(1, 4 * mm),
        khmer_paragraph(invitation.about.km, st["normal"]),
        khmer_paragraph(invitation.about.en, english),
        *(
            paragraph
            for project in invitation.projects
            for paragraph in (
                khmer_paragraph(project.km, st["normal"]),
                khmer_paragraph(project.en, english),
            )
        ),
        Spacer(1, 4 * mm),
        khmer_paragraph(BRING.km, st["normal"]),
        khmer_paragraph(BRING.en, english),
    ]


def render_invitations(invitations: Sequence[Invitation], out: Output) -> int:
    """Print the invitations, one per page; returns the number of pages."""

    def build(buffer: io.BytesIO) -> int:
        frame = Frame(
            MARGIN,
            MARGIN,
            PAGE_WIDTH - 2 * MARGIN,
            LETTER_HEIGHT - 2 * MARGIN - HEADER_HEIGHT,
            0,
            0,
            0,
            0,
            id="invitation",
        )
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            title=both(INVITATION_TITLE),
            author="VSS Outreach",
            initialFontName=FONT_REGULAR,
        )
        doc.addPageTemplates([PageTemplate(id="invitation", frames=[frame])])
        story: list[Flowable] = []
        for index, invitation in enumerate(invitations):
            if index:
                story.append(PageBreak())
            story.extend(_story(invitation))
        if not story:
            story.append(khmer_paragraph(" ", styles()["normal"]))
        recorder = CanvasRecorder(_decorate)
        doc.build(story, canvasmaker=recorder)
        return recorder.pages

    return build_pdf(build, out)


__all__ = ["Invitation", "render_invitations"]
