"""The printed documents: filled applications (plain or redacted, one or a batch), blank forms,
receipts and leaflets. A4, Khmer first with English after it, all text shaped by
`app.pdf.khmer_text`.

Filled applications are built here; the page frame is in `app.pdf.page_frame`, printed values in
`app.pdf.printed_values`, the declaration in `app.pdf.declaration`, blank forms in
`app.pdf.blank_form`, receipts in `app.pdf.receipt` and leaflets in `app.pdf.leaflet`; what callers
need is re-exported, so they import everything from this module.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer

from app.core.forms import (
    Field,
    FieldRole,
    FormDefinition,
    Text,
    effective_answers,
    is_empty,
    visible_fields,
    visible_sections,
)
from app.core.protection import Hidden, withholds
from app.pdf.blank_form import render_blank_form
from app.pdf.declaration import declaration
from app.pdf.khmer_text import TextRun, khmer_paragraph
from app.pdf.layout import (
    BlackBar,
    Callback,
    CanvasRecorder,
    Output,
    SetPageKey,
    bilingual_runs,
    build_pdf,
    styles,
)
from app.pdf.leaflet import LeafletTopic, render_leaflet
from app.pdf.page_frame import (
    MARGIN,
    PAGE_WIDTH,
    REDACTED_MARK,
    PageHeader,
    PrintMeta,
    RenderCancelled,
    decorate_page,
    new_document,
)
from app.pdf.people_present import people_present
from app.pdf.printed_values import IDENTITY_PROTECTED, format_value, text_in_order
from app.pdf.receipt import DEFAULT_CONTACT, DEFAULT_NEXT_STEPS, ReceiptMeta, render_receipt

# The first thing a redacted copy says: what it withholds and what it shows, by what the
# applicant's protection level hides (app.core.protection: from the public, also from the
# parties, family in danger).
REDACTED_SHOWS = Text(
    "ច្បាប់ចម្លងនេះលាក់ឈ្មោះ ទីកន្លែង លេខអត្តសញ្ញាណ ព័ត៌មានទំនាក់ទំនង មូលហេតុនៃការការពារ "
    "និងរាល់ការរៀបរាប់ជាលាយលក្ខណ៍អក្សរ។ វាបង្ហាញតែចម្លើយដែលជាជម្រើស កាលបរិច្ឆេទ "
    "និងព័ត៌មាននៃការទទួលពាក្យប៉ុណ្ណោះ។",
    "This copy withholds names, places, identity numbers, contact details, the reason for "
    "protection and every written account. It shows only the answers chosen from lists, dates "
    "and the details of the intake.",
)
REDACTED_FROM_PARTIES_SHOWS = Text(
    "ច្បាប់ចម្លងនេះលាក់ឈ្មោះ ទីកន្លែង លេខអត្តសញ្ញាណ ព័ត៌មានទំនាក់ទំនង មូលហេតុនៃការការពារ "
    "រាល់ការរៀបរាប់ជាលាយលក្ខណ៍អក្សរ កាលបរិច្ឆេទ និងអាយុ។ វាបង្ហាញតែចម្លើយដែលជាជម្រើស "
    "និងព័ត៌មាននៃការទទួលពាក្យប៉ុណ្ណោះ។",
    "This copy withholds names, places, identity numbers, contact details, the reason for "
    "protection, every written account, and all dates and ages. It shows only the answers chosen "
    "from lists and the details of the intake.",
)
REDACTED_FAMILY_DANGER_SHOWS = Text(
    "ច្បាប់ចម្លងនេះលាក់ឈ្មោះ ទីកន្លែង លេខអត្តសញ្ញាណ ព័ត៌មានទំនាក់ទំនង មូលហេតុនៃការការពារ "
    "រាល់ការរៀបរាប់ កាលបរិច្ឆេទ អាយុ រាល់ចម្លើយដែលជាជម្រើស និងទីកន្លែង និងថ្ងៃនៃការទទួលពាក្យ "
    "ដើម្បីការពារសមាជិកគ្រួសារ។ វាបង្ហាញតែសំណួរ និងឈ្មោះមន្ត្រីប៉ុណ្ណោះ។",
    "This copy withholds names, places, identity numbers, contact details, the reason for "
    "protection, every written account, all dates and ages, every answer chosen from lists, and "
    "where and when the intake took place, to protect the family. It shows only the questions "
    "and the officer's name.",
)


def redacted_shows(hides: Set[Hidden]) -> Text:
    """What a redacted copy that hides ``hides`` says it withholds and shows."""
    if Hidden.CHOSEN in hides:
        return REDACTED_FAMILY_DANGER_SHOWS
    if Hidden.DATES_AND_NUMBERS in hides:
        return REDACTED_FROM_PARTIES_SHOWS
    return REDACTED_SHOWS


def _application_story(
    form: FormDefinition,
    answers: Mapping[str, Any],
    meta: PrintMeta,
    hides: Set[Hidden],
    st: dict[str, ParagraphStyle],
    width: float,
) -> list[Flowable]:
    today = meta.printed_at.date()
    effective = effective_answers(form, answers, today)
    story: list[Flowable] = []
    order = meta.lang_order
    if hides:
        story.append(khmer_paragraph(bilingual_runs(redacted_shows(hides)), st["value"]))
    for section in visible_sections(form, effective, today):
        items: list[tuple[Field, Any]] = [
            (item, effective.get(item.id))
            for item in visible_fields(section, effective, today)
            if item.pdf and not is_empty(effective.get(item.id))
        ]
        if not items:
            continue
        story.append(khmer_paragraph(bilingual_runs(section.title), st["section"]))
        for item, value in items:
            story.append(khmer_paragraph(_label_runs(item.label, order), st["field_label"]))
            if withholds(hides, item):
                story.append(BlackBar(f"({text_in_order(IDENTITY_PROTECTED, order)})", st["value"]))
            else:
                story.append(khmer_paragraph(format_value(item, value, meta), st["value"]))
    # How the applicant marks the declaration: the answer of the field with that role.
    mark_field = form.field_with_role(FieldRole.SIGNATURE_MARK)
    mark = answers.get(mark_field.id) if mark_field is not None else None
    story.append(CondPageBreak(90 * mm))
    story.append(Spacer(1, 4 * mm))
    story.append(
        declaration(
            st,
            width,
            officer=meta.officer_name,
            organisation=meta.organisation,
            when=today,
            mark=str(mark) if isinstance(mark, str) else None,
        )
    )
    if not hides:  # the signed original; a redacted copy names nobody
        visible = {
            item.id: effective.get(item.id)
            for section in visible_sections(form, effective, today)
            for item in visible_fields(section, effective, today)
        }
        story.extend(people_present(form, visible, st, width))
    return story


def _label_runs(label: Text, order: Sequence[str]) -> list[TextRun]:
    if tuple(order[:1]) == ("en",):
        return [TextRun(label.en, True), TextRun(f" / {label.km}")]
    return bilingual_runs(label)


def render_application(
    form: FormDefinition,
    answers: Mapping[str, Any],
    meta: PrintMeta,
    out: Output,
    hidden: Set[Hidden] = frozenset(),
) -> int:
    """Print one filled application; returns the number of pages.

    Prints every answered, relevant field with `pdf: true`, then the declaration block. With
    `hidden` (what the applicant's protection level hides on a redacted application, see
    app.core.protection), the answers it covers are masked and every page is marked.
    """
    return render_applications_batch([(form, answers, meta)], out, hidden=[hidden])


def render_applications_batch(
    items: Iterable[tuple[FormDefinition, Mapping[str, Any], PrintMeta]],
    out: Output,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    hidden: Sequence[Set[Hidden]] | None = None,
) -> int:
    """Print many applications into one PDF, each starting on a new page; returns the pages.

    `hidden` says, per record, what its redacted copy hides (empty: printed in full), so
    identity-protected records are redacted to their level while the others print in full.

    `progress(done, total)` is called after each record is laid out. When `cancelled()` returns
    true (checked before each record) the build stops, nothing is written to `out`, and
    `RenderCancelled` is raised.
    """
    records = list(items)
    total = len(records)
    flags = [frozenset(h) for h in hidden] if hidden is not None else [frozenset()] * total
    if len(flags) != total:
        raise ValueError("one set of hidden answers per record is needed")
    st = styles()
    width = PAGE_WIDTH - 2 * MARGIN

    def build(buffer: io.BytesIO) -> int:
        title = records[0][0].title.both() if total == 1 else "VSS Outreach"
        subject = records[0][2].reference if total == 1 else f"{total} records"
        doc = new_document(buffer, title, subject)
        story: list[Flowable] = []
        for index, (form, answers, meta) in enumerate(records):
            masked = flags[index]
            header = PageHeader(form.title, meta.reference, bool(masked), meta)

            def check(cancel: Callable[[], bool] | None = cancelled) -> None:
                if cancel is not None and cancel():
                    raise RenderCancelled()

            def report(done: int = index + 1) -> None:
                if progress is not None:
                    progress(done, total)

            if index:
                story.append(PageBreak())
            story.append(SetPageKey(header, check))
            story.extend(_application_story(form, answers, meta, masked, st, width))
            story.append(Callback(report))
        if not story:
            story.append(Spacer(1, 1))
        recorder = CanvasRecorder(decorate_page)
        doc.build(story, canvasmaker=recorder)
        return recorder.pages

    if cancelled is not None and cancelled():
        raise RenderCancelled()
    return build_pdf(build, out)


__all__ = [
    "DEFAULT_CONTACT",
    "DEFAULT_NEXT_STEPS",
    "IDENTITY_PROTECTED",
    "REDACTED_MARK",
    "LeafletTopic",
    "PrintMeta",
    "ReceiptMeta",
    "RenderCancelled",
    "format_value",
    "render_application",
    "render_applications_batch",
    "render_blank_form",
    "render_leaflet",
    "render_receipt",
]
