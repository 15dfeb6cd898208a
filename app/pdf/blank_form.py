"""The blank paper form, filled in by hand where there is no laptop: every section and field with
boxes and lines to write in, then the declaration."""

from __future__ import annotations

import io

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from app.core.forms import Field, FieldType, FormDefinition, Text
from app.pdf.declaration import declaration
from app.pdf.khmer_text import TextRun, draw_text, khmer_paragraph, text_width
from app.pdf.layout import (
    BOX_SIZE,
    GREY,
    INK,
    CanvasRecorder,
    ChoiceGrid,
    Output,
    RuledLines,
    SetPageKey,
    bilingual_runs,
    both,
    build_pdf,
    styles,
    tick_box,
)
from app.pdf.page_frame import MARGIN, PAGE_WIDTH, PageHeader, decorate_page, new_document
from app.pdf.printed_values import AGREED, NO, SIGNATURE_MARKS, YES

BLANK_NOTE = Text(
    "សូមសរសេរឱ្យច្បាស់។ គូសក្នុងប្រអប់ដែលត្រូវ។ បើមិនដឹងកាលបរិច្ឆេទច្បាស់ សូមគូសប្រអប់ «ប្រហែល»។",
    "Write clearly. Tick the right boxes. If a date is not known exactly, tick 'about'.",
)
ONLY_IF = Text("បំពេញតែបើពាក់ព័ន្ធ", "only if it applies")
NAME_PARTS = (Text("ជាអក្សរខ្មែរ", "In Khmer"), Text("ជាអក្សរឡាតាំង", "In Latin letters"))
PLACE_PARTS = (
    Text("ភូមិ", "Village"),
    Text("ឃុំ/សង្កាត់", "Commune"),
    Text("ស្រុក/ខណ្ឌ", "District"),
    Text("ខេត្ត/រាជធានី", "Province"),
)
DATE_PARTS = (Text("ថ្ងៃ", "Day"), Text("ខែ", "Month"), Text("ឆ្នាំ", "Year"))
ABOUT = Text("ប្រហែល", "about")
UNKNOWN = Text("មិនដឹង", "unknown")


class _DateBoxes(Flowable):
    """Day / month / year boxes and tick boxes for "about" and "unknown"."""

    def __init__(self, style: ParagraphStyle) -> None:
        super().__init__()
        self.style = style

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, 11 * mm
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        cell = 6 * mm
        x = 5 * mm
        y = 2 * mm
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.7)
        for part, cells in zip(DATE_PARTS, (2, 2, 4), strict=True):
            label = both(part)
            canvas.setFillColor(GREY)
            draw_text(canvas, x, y + cell + 3, label, 7)
            canvas.setFillColor(INK)
            for n in range(cells):
                canvas.rect(x + n * cell, y, cell, cell, stroke=1, fill=0)
            x += max(cells * cell, text_width(label, 7)) + 6 * mm
        for extra in (ABOUT, UNKNOWN):
            tick_box(canvas, x, y + 1)
            draw_text(canvas, x + BOX_SIZE + 2 * mm, y + 2, both(extra), 8.5)
            x += BOX_SIZE + 2 * mm + text_width(both(extra), 8.5) + 6 * mm
        canvas.restoreState()


# Two columns only for short labels: a long label wraps, and a reader (or a screen reader, or
# pdftotext) would otherwise read the two columns' lines interleaved.
SHORT_LABEL = 48


def _choices(item: Field, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The tick boxes of a choice; a choice with a help text gets it printed under its label
    (the officer reads it out: what each path or capacity means), one choice per row."""
    small = st["small"]
    if any(choice.help is not None for choice in item.choices):
        help_style = ParagraphStyle(
            "choice_help", parent=st["help"], leftIndent=5 * mm + BOX_SIZE + 2.5 * mm
        )
        parts: list[Flowable] = []
        for choice in item.choices:
            parts.append(ChoiceGrid([choice.label], small))
            if choice.help is not None:
                parts.append(khmer_paragraph(choice.help.km, help_style))
                parts.append(khmer_paragraph(choice.help.en, help_style))
        return parts
    short = all(len(both(choice.label)) <= SHORT_LABEL for choice in item.choices)
    columns = 2 if len(item.choices) > 4 and short else 1
    return [ChoiceGrid([c.label for c in item.choices], small, columns=columns)]


def _blank_field(item: Field, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    runs = bilingual_runs(item.label)
    if item.relevant is not None:
        runs.append(TextRun(f"  ({both(ONLY_IF)})"))
    parts: list[Flowable] = [khmer_paragraph(runs, st["field_label"])]
    if item.help is not None:
        parts.append(
            khmer_paragraph(
                both(item.help),
                ParagraphStyle("h", parent=st["help"], leftIndent=5 * mm, keepWithNext=True),
            )
        )
    kind = item.type
    small = st["small"]
    if kind in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        parts.extend(_choices(item, st))
    elif kind in (FieldType.YES_NO,):
        parts.append(ChoiceGrid([YES, NO], small, columns=2))
    elif kind is FieldType.CONSENT:
        parts.append(ChoiceGrid([AGREED], small))
    elif kind is FieldType.SIGNATURE_MARK:
        parts.append(ChoiceGrid(list(SIGNATURE_MARKS.values()), small, columns=3))
    elif kind is FieldType.NARRATIVE:
        parts.append(RuledLines(7))
    elif kind is FieldType.NAME:
        parts.extend(RuledLines(1, caption=both(part)) for part in NAME_PARTS)
    elif kind is FieldType.PLACE:
        parts.extend(RuledLines(1, caption=both(part)) for part in PLACE_PARTS)
    elif kind is FieldType.APPROX_DATE:
        parts.append(_DateBoxes(small))
    elif kind is FieldType.ATTACHMENT:
        parts.append(RuledLines(3))
    else:  # text, phone, integer
        parts.append(RuledLines(1))
    parts.append(Spacer(1, 2 * mm))
    return [KeepTogether(parts)] if kind is not FieldType.NARRATIVE else parts


def render_blank_form(form: FormDefinition, out: Output) -> int:
    """Print the form to fill in by hand: every section and field; returns the number of pages."""
    st = styles()
    width = PAGE_WIDTH - 2 * MARGIN

    def build(buffer: io.BytesIO) -> int:
        doc = new_document(buffer, form.title.both(), "blank form")
        header = PageHeader(form.title, "", False, None)
        story: list[Flowable] = [SetPageKey(header)]
        if form.description is not None:
            story.append(khmer_paragraph(form.description.km, st["normal"]))
            story.append(khmer_paragraph(form.description.en, st["english"]))
        story.append(khmer_paragraph(BLANK_NOTE.km, st["help"]))
        story.append(khmer_paragraph(BLANK_NOTE.en, st["help"]))
        for section in form.sections:
            runs = bilingual_runs(section.title)
            if section.relevant is not None:
                runs.append(TextRun(f"  ({both(ONLY_IF)})"))
            story.append(khmer_paragraph(runs, st["section"]))
            if section.help is not None:
                story.append(khmer_paragraph(both(section.help), st["help"]))
            for item in section.fields:
                if item.pdf:
                    story.extend(_blank_field(item, st))
        story.append(CondPageBreak(90 * mm))
        story.append(declaration(st, width, officer="", organisation="", when=None, mark=None))
        recorder = CanvasRecorder(decorate_page)
        doc.build(story, canvasmaker=recorder)
        return recorder.pages

    return build_pdf(build, out)
