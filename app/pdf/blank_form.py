"""The blank paper form, filled in by hand where there is no laptop: every section and field with
boxes and lines to write in, then the declaration."""

from __future__ import annotations

import io

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from app.core.forms import Field, FormDefinition, Text
from app.pdf.declaration import declaration
from app.pdf.khmer_text import TextRun, khmer_paragraph
from app.pdf.layout import (
    CanvasRecorder,
    Output,
    SetPageKey,
    bilingual_runs,
    both,
    build_pdf,
    styles,
)
from app.pdf.page_frame import MARGIN, PAGE_WIDTH, PageHeader, decorate_page, new_document
from app.pdf.printed_values import printed_type

BLANK_NOTE = Text(
    "សូមសរសេរឱ្យច្បាស់។ គូសក្នុងប្រអប់ដែលត្រូវ។ បើមិនដឹងកាលបរិច្ឆេទច្បាស់ សូមគូសប្រអប់ «ប្រហែល»។",
    "Write clearly. Tick the right boxes. If a date is not known exactly, tick 'about'.",
)
ONLY_IF = Text("បំពេញតែបើពាក់ព័ន្ធ", "only if it applies")


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
    printed = printed_type(item)
    parts.extend(printed.blank(item, st))
    parts.append(Spacer(1, 2 * mm))
    return [KeepTogether(parts)] if printed.keep_together else parts


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
