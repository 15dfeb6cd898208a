"""The printed documents: filled applications (plain or redacted, one or a batch), blank forms,
receipts and leaflets. A4, Khmer first with English after it, all text shaped by
`app.pdf.khmer_text`.

Applications and blank forms are built here; receipts live in `app.pdf.receipt` and leaflets in
`app.pdf.leaflet` and are re-exported, so callers import everything from this module.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.core.approx_date import ApproxDate, ApproxDateError
from app.core.forms import (
    Field,
    FieldType,
    FormDefinition,
    Text,
    effective_answers,
    is_empty,
    visible_fields,
    visible_sections,
)
from app.core.khmer_text import to_khmer_digits
from app.pdf.fonts import FONT_REGULAR
from app.pdf.khmer_text import TextRun, draw_text, khmer_paragraph, text_width
from app.pdf.layout import (
    BOX_SIZE,
    GREY,
    INK,
    LIGHT,
    RED,
    BlackBar,
    Callback,
    CanvasRecorder,
    ChoiceGrid,
    Output,
    PageInfo,
    RuledLines,
    SetPageKey,
    bilingual_runs,
    both,
    build_pdf,
    english_date,
    khmer_date,
    khmer_time,
    styles,
    tick_box,
)
from app.pdf.leaflet import LeafletTopic, render_leaflet
from app.pdf.receipt import DEFAULT_CONTACT, DEFAULT_NEXT_STEPS, ReceiptMeta, render_receipt

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
HEADER_HEIGHT = 27 * mm
FOOTER_HEIGHT = 14 * mm

YES = Text("បាទ/ចាស", "Yes")
NO = Text("ទេ", "No")
AGREED = Text("បានយល់ព្រម", "Agreed")
NOT_AGREED = Text("មិនទាន់យល់ព្រម", "Not agreed")
SIGNATURE_MARKS: dict[str, Text] = {
    "signature": Text("ហត្ថលេខា", "Signature"),
    "thumbprint": Text("ស្នាមមេដៃ", "Thumbprint"),
    "to_be_taken": Text("នឹងចុះលើឯកសារដែលបានបោះពុម្ពនេះ", "To be put on this printed copy"),
}
REFERENCE = Text("លេខយោង", "Reference")
REDACTED_MARK = Text("ច្បាប់ចម្លងដែលបានលាក់ឈ្មោះ", "REDACTED COPY")
IDENTITY_PROTECTED = Text("ការពារអត្តសញ្ញាណ", "identity protected")
DECLARATION_TITLE = Text("សេចក្តីប្រកាស", "Declaration")
DECLARATION_TEXT = Text(
    "ព័ត៌មានខាងលើត្រូវបានអានឱ្យខ្ញុំស្តាប់ ជាភាសាដែលខ្ញុំយល់។ ព័ត៌មាននេះពិតប្រាកដ។",
    "The information above was read to me in a language I understand. It is true.",
)
APPLICANT_MARK = Text("ហត្ថលេខា ឬស្នាមមេដៃរបស់អ្នកដាក់ពាក្យ", "Signature or thumbprint of the applicant")
INTERMEDIARY = Text("ឈ្មោះ និងហត្ថលេខារបស់អ្នកទទួលពាក្យ", "Name and signature of the intermediary")
NAME = Text("ឈ្មោះ", "Name")
DATE = Text("កាលបរិច្ឆេទ", "Date")
PRINTED = Text("បោះពុម្ព", "Printed")
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
class _Header:
    """What the header and footer of a group of pages show."""

    title: Text
    reference: str  # empty on blank forms: a box to write it in
    redacted: bool
    meta: PrintMeta | None


# --- values ----------------------------------------------------------------------------------------


def _pair(km: str, en: str, order: Sequence[str]) -> str:
    parts = [km, en] if tuple(order[:1]) != ("en",) else [en, km]
    return " / ".join(p for p in parts if p)


def _text(value: Text, order: Sequence[str]) -> str:
    return _pair(value.km, value.en, order)


def _attachment_name(item: Any) -> str:
    if isinstance(item, Mapping):
        for key in ("name", "filename", "title", "path", "file"):
            if item.get(key):
                return PurePath(str(item[key])).name
        return str(item)
    return PurePath(str(item)).name


def format_value(field: Field, value: Any, meta: PrintMeta) -> str:
    """The printed form of one stored answer (both languages where there is a label)."""
    order = meta.lang_order
    kind = field.type
    if kind in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        codes = value if isinstance(value, list) else [value]
        lines = []
        for code in codes:
            choice = field.choice(str(code))
            lines.append(_text(choice.label, order) if choice else str(code))
        return "\n".join(("• " + line) if len(lines) > 1 else line for line in lines)
    if kind is FieldType.YES_NO:
        return _text(YES if value else NO, order)
    if kind is FieldType.CONSENT:
        return _text(AGREED if value is True else NOT_AGREED, order)
    if kind is FieldType.NAME and isinstance(value, Mapping):
        return _pair(
            str(value.get("km") or "").strip(), str(value.get("latin") or "").strip(), ("km",)
        )
    if kind is FieldType.APPROX_DATE:
        try:
            approx = ApproxDate.from_dict(value)
        except ApproxDateError:
            return str(value)
        return _pair(approx.display("km"), approx.display("en"), order)
    if kind is FieldType.PLACE and isinstance(value, Mapping):
        return meta.place_label(value)
    if kind is FieldType.INTEGER:
        return _pair(to_khmer_digits(str(value)), str(value), order)
    if kind is FieldType.ATTACHMENT:
        items = value if isinstance(value, list) else [value]
        return "\n".join("• " + _attachment_name(item) for item in items)
    if kind is FieldType.SIGNATURE_MARK:
        mark = SIGNATURE_MARKS.get(str(value))
        return _text(mark, order) if mark else str(value)
    return str(value)


# --- header and footer ------------------------------------------------------------------------------


def _decorate(canvas: Canvas, page: PageInfo) -> None:
    header: _Header = page.key
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


def _doc(buffer: io.BytesIO, title: str, subject: str) -> BaseDocTemplate:
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


# --- filled application ------------------------------------------------------------------------------


def _declaration(
    st: dict[str, ParagraphStyle],
    width: float,
    *,
    officer: str,
    organisation: str,
    when: date | None,
    mark: str | None,
) -> Flowable:
    """Boxes for the applicant's signature or thumbprint and the intermediary's name and signature."""
    small = st["small"]
    half = (width - 6 * mm) / 2
    mark_labels = [SIGNATURE_MARKS["signature"], SIGNATURE_MARKS["thumbprint"]]
    applicant = [
        khmer_paragraph(bilingual_runs(APPLICANT_MARK), small),
        ChoiceGrid(
            mark_labels,
            small,
            columns=2,
            ticked=[mark == "signature", mark == "thumbprint"],
            indent=0,
        ),
    ]
    intermediary = [
        khmer_paragraph(bilingual_runs(INTERMEDIARY), small),
        khmer_paragraph([TextRun(f"{NAME.km} / {NAME.en}: ", True), TextRun(officer or "")], small),
        khmer_paragraph(organisation, st["help"]),
    ]
    if when is not None:
        date_line = f"{khmer_date(when)} / {english_date(when)}"
    else:
        date_line = "........ / ........ / ............"
    date_para = khmer_paragraph(
        [TextRun(f"{DATE.km} / {DATE.en}: ", True), TextRun(date_line)], st["normal"]
    )
    table = Table(
        [[applicant, intermediary], ["", ""]],
        colWidths=[half, half],
        rowHeights=[None, 34 * mm],
        spaceBefore=2,
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, 1), 0.9, INK),
                ("BOX", (1, 0), (1, 1), 0.9, INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    thumb = _ThumbBox(half)
    return KeepTogether(
        [
            khmer_paragraph(bilingual_runs(DECLARATION_TITLE), st["section"]),
            khmer_paragraph(DECLARATION_TEXT.km, st["normal"]),
            khmer_paragraph(DECLARATION_TEXT.en, st["english"]),
            table,
            thumb,
            date_para,
        ]
    )


class _ThumbBox(Flowable):
    """A square for the thumbprint drawn into the applicant's box above (zero height)."""

    def __init__(self, half: float) -> None:
        super().__init__()
        self.half = half

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        size = 26 * mm
        x = self.half - size - 4 * mm
        canvas = self.canv
        canvas.saveState()
        canvas.setDash(2, 2)
        canvas.setStrokeColor(GREY)
        canvas.rect(x, 4 * mm, size, size, stroke=1, fill=0)
        canvas.setFillColor(GREY)
        label = SIGNATURE_MARKS["thumbprint"]
        draw_text(canvas, x + size / 2, 4 * mm + size / 2 + 2, label.km, 7, align="center")
        draw_text(canvas, x + size / 2, 4 * mm + size / 2 - 9, label.en, 7, align="center")
        canvas.restoreState()


def _application_story(
    form: FormDefinition,
    answers: Mapping[str, Any],
    meta: PrintMeta,
    redacted: bool,
    st: dict[str, ParagraphStyle],
    width: float,
) -> list[Flowable]:
    today = meta.printed_at.date()
    effective = effective_answers(form, answers, today)
    story: list[Flowable] = []
    order = meta.lang_order
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
            if redacted and item.identifying:
                story.append(BlackBar(f"({_text(IDENTITY_PROTECTED, order)})", st["value"]))
            else:
                story.append(khmer_paragraph(format_value(item, value, meta), st["value"]))
    mark = answers.get("signature_mark")
    story.append(CondPageBreak(90 * mm))
    story.append(Spacer(1, 4 * mm))
    story.append(
        _declaration(
            st,
            width,
            officer=meta.officer_name,
            organisation=meta.organisation,
            when=today,
            mark=str(mark) if isinstance(mark, str) else None,
        )
    )
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
    redacted: bool = False,
) -> int:
    """Print one filled application; returns the number of pages.

    Prints every answered, relevant field with `pdf: true`, then the declaration block. With
    `redacted`, answers of `identifying` fields are masked and every page is marked.
    """
    return render_applications_batch([(form, answers, meta)], out, redacted=redacted)


def render_applications_batch(
    items: Iterable[tuple[FormDefinition, Mapping[str, Any], PrintMeta]],
    out: Output,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    redacted: bool | Sequence[bool] = False,
) -> int:
    """Print many applications into one PDF, each starting on a new page; returns the pages.

    `redacted` is one flag for all records or one flag per record (identity-protected records
    are redacted while the others in the same batch print in full).

    `progress(done, total)` is called after each record is laid out. When `cancelled()` returns
    true (checked before each record) the build stops, nothing is written to `out`, and
    `RenderCancelled` is raised.
    """
    records = list(items)
    total = len(records)
    flags = [redacted] * total if isinstance(redacted, bool) else [bool(f) for f in redacted]
    if len(flags) != total:
        raise ValueError("one redaction flag per record is needed")
    st = styles()
    width = PAGE_WIDTH - 2 * MARGIN

    def build(buffer: io.BytesIO) -> int:
        title = records[0][0].title.both() if total == 1 else "VSS Outreach"
        subject = records[0][2].reference if total == 1 else f"{total} records"
        doc = _doc(buffer, title, subject)
        story: list[Flowable] = []
        for index, (form, answers, meta) in enumerate(records):
            masked = flags[index]
            header = _Header(form.title, meta.reference, masked, meta)

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
        recorder = CanvasRecorder(_decorate)
        doc.build(story, canvasmaker=recorder)
        return recorder.pages

    if cancelled is not None and cancelled():
        raise RenderCancelled()
    return build_pdf(build, out)


# --- blank form --------------------------------------------------------------------------------------


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
        columns = 2 if len(item.choices) > 4 else 1
        parts.append(ChoiceGrid([c.label for c in item.choices], small, columns=columns))
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
        doc = _doc(buffer, form.title.both(), "blank form")
        header = _Header(form.title, "", False, None)
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
        story.append(_declaration(st, width, officer="", organisation="", when=None, mark=None))
        recorder = CanvasRecorder(_decorate)
        doc.build(story, canvasmaker=recorder)
        return recorder.pages

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
