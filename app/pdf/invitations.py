"""Forum invitations: one A4 page per invited person, Khmer first with English after it.

The stack is carried to a commune and handed out by a village chief or an officer, so a person
whose identity is protected gets an invitation without a name (their reference only, which the
officer matches on the list). The texts (what the forum is, what it cannot promise) come from
the services layer; this module lays them out, shaped and wrapped by ``app.pdf.khmer_text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer

from app.core.forms import Text
from app.pdf.khmer_text import TextRun, khmer_paragraph
from app.pdf.layout import (
    GREY,
    Output,
    PageInfo,
    SetPageKey,
    bilingual_runs,
    both,
    english_date,
    khmer_date,
    styles,
)
from app.pdf.letters import NAME_WITHHELD, draw_letterhead, render_one_per_page

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
    draw_letterhead(canvas, invitation.reference if isinstance(invitation, Invitation) else None)


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
    return render_one_per_page(invitations, _story, _decorate, both(INVITATION_TITLE), out)


__all__ = ["Invitation", "render_invitations"]
