"""A folded leaflet: landscape A4 printed on both sides (two pages), three panels per side.

The caller gives the topics; their text flows from panel to panel (left to right on each side),
Khmer first with the English below it, and the source of each topic under it. Fold marks show
where to fold. An odd page count is padded with a blank side so the leaflet prints duplex.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from app.pdf.fonts import FONT_REGULAR
from app.pdf.khmer_text import khmer_paragraph
from app.pdf.layout import GREY, LIGHT, CanvasRecorder, Output, PageInfo, build_pdf, styles

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
PANEL_WIDTH = PAGE_WIDTH / 3
PANEL_MARGIN = 9 * mm
SOURCE_KM = "ប្រភព"


@dataclass(frozen=True)
class LeafletTopic:
    title_km: str
    title_en: str
    body_km: str
    body_en: str
    source: str = ""


def _fold_marks(canvas: Canvas, page: PageInfo) -> None:
    canvas.saveState()
    canvas.setStrokeColor(LIGHT)
    canvas.setLineWidth(0.5)
    canvas.setDash(2, 2)
    for panel in (1, 2):
        x = panel * PANEL_WIDTH
        canvas.line(x, 0, x, 6 * mm)
        canvas.line(x, PAGE_HEIGHT - 6 * mm, x, PAGE_HEIGHT)
    canvas.restoreState()


def _paragraphs(text: str, style: ParagraphStyle) -> list[Flowable]:
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [khmer_paragraph(block, style) for block in blocks if block]


def _story(topics: Sequence[LeafletTopic]) -> list[Flowable]:
    st = styles(9.5)
    title_km = ParagraphStyle("ltitle", parent=st["heading"], keepWithNext=True, spaceBefore=8)
    title_en = ParagraphStyle(
        "ltitle_en",
        parent=st["subheading"],
        textColor=GREY,
        keepWithNext=True,
        spaceBefore=0,
        spaceAfter=3,
    )
    english = ParagraphStyle("len", parent=st["english"], fontSize=8.5, leading=8.5 * 1.6)
    source = ParagraphStyle("lsrc", parent=st["help"], fontSize=7, leading=7 * 1.75, spaceAfter=4)
    story: list[Flowable] = []
    for topic in topics:
        # keepWithNext on both titles keeps them with the first paragraph of the body.
        story.append(khmer_paragraph(topic.title_km, title_km))
        story.append(khmer_paragraph(topic.title_en, title_en))
        story.extend(_paragraphs(topic.body_km, st["normal"]))
        story.extend(_paragraphs(topic.body_en, english))
        if topic.source:
            story.append(khmer_paragraph(f"{SOURCE_KM} / Source: {topic.source}", source))
    return story


def render_leaflet(topics: Sequence[LeafletTopic], out: Output) -> int:
    """Print a tri-fold leaflet of the given topics; returns the number of pages (even, >= 2)."""

    def build(buffer: io.BytesIO) -> int:
        frames = [
            Frame(
                panel * PANEL_WIDTH + PANEL_MARGIN,
                PANEL_MARGIN,
                PANEL_WIDTH - 2 * PANEL_MARGIN,
                PAGE_HEIGHT - 2 * PANEL_MARGIN,
                0,
                0,
                0,
                0,
                id=f"panel{panel}",
            )
            for panel in range(3)
        ]
        doc = BaseDocTemplate(
            buffer,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            title=topics[0].title_en if topics else "Leaflet",
            author="VSS Outreach",
            initialFontName=FONT_REGULAR,
        )
        doc.addPageTemplates([PageTemplate(id="panels", frames=frames)])
        story = _story(topics) or [khmer_paragraph(" ", styles()["normal"])]
        recorder = CanvasRecorder(_fold_marks, pad_to_even=True)
        doc.build(story, canvasmaker=recorder)
        return recorder.pages

    return build_pdf(build, out)
