"""The receipt handed to the applicant: half an A4 page (the other half is the office copy, with a
cut line between), reference number large and as a QR code, plain Khmer first."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame

from app.core.forms import Text
from app.pdf.fonts import FONT_REGULAR
from app.pdf.khmer_text import TextRun, draw_text, khmer_paragraph
from app.pdf.layout import (
    GREY,
    INK,
    LIGHT,
    Output,
    bilingual_runs,
    both,
    build_pdf,
    draw_print_banner,
    english_date,
    khmer_date,
    styles,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
HALF_HEIGHT = PAGE_HEIGHT / 2
MARGIN = 12 * mm
QR_SIZE = 34 * mm
QR_X = PAGE_WIDTH - MARGIN - QR_SIZE
# Top edge of the QR code of the applicant's copy (the upper half), in points from the page bottom.
QR_TOP = PAGE_HEIGHT - MARGIN - 16 * mm
# Nothing on a receipt is printed smaller than this (points): elderly readers, cheap printers.
SMALL_PRINT_MIN = 8.0

DEFAULT_NEXT_STEPS = Text(
    "អង្គភាពគាំពារជនរងគ្រោះនឹងពិនិត្យពាក្យរបស់អ្នក។ បើត្រូវការព័ត៌មានបន្ថែម "
    "យើងនឹងទាក់ទងអ្នក។ ការពិនិត្យអាចចំណាយពេលច្រើនខែ។ អ្នកមិនចាំបាច់បង់ប្រាក់អ្វីទេ។",
    "The Victims Support Section will review your application. If more information is needed, "
    "we will contact you. The review can take several months. You do not have to pay anything.",
)
DEFAULT_CONTACT = Text(
    "អង្គភាពគាំពារជនរងគ្រោះ អង្គជំនុំជម្រះវិសាមញ្ញក្នុងតុលាការកម្ពុជា ផ្លូវជាតិលេខ៤ "
    "សង្កាត់ចោមចៅ ខណ្ឌពោធិ៍សែនជ័យ រាជធានីភ្នំពេញ។ ឬសួរមន្ត្រីដែលបានទទួលពាក្យរបស់អ្នក។",
    "Victims Support Section, Extraordinary Chambers in the Courts of Cambodia, National Road 4, "
    "Chaom Chau, Porsenchey, Phnom Penh. Or ask the officer who took your application.",
)
RECEIPT_TITLE = Text("បង្កាន់ដៃទទួលពាក្យ", "Receipt")
APPLICANT_COPY = Text("ច្បាប់សម្រាប់អ្នកដាក់ពាក្យ", "Applicant's copy")
OFFICE_COPY = Text("ច្បាប់សម្រាប់ការិយាល័យ", "Office copy")
REFERENCE = Text("លេខយោង", "Reference")
APPLICANT = Text("ឈ្មោះអ្នកដាក់ពាក្យ", "Applicant")
SUBMITTED = Text("ឯកសារដែលបានដាក់", "Submitted")
SUBMITTED_ON = Text("ថ្ងៃដាក់ពាក្យ", "Date")
NEXT = Text("តើនឹងមានអ្វីកើតឡើងបន្ទាប់?", "What happens next?")
CONTACT = Text("ទាក់ទងយើង", "How to contact us")
KEEP = Text(
    "សូមរក្សាបង្កាន់ដៃនេះ។ សូមប្រាប់លេខយោងនេះ រាល់ពេលអ្នកទាក់ទងមកយើង។",
    "Keep this receipt. Give this reference number whenever you contact us.",
)
CUT_HERE = Text("កាត់តាមបន្ទាត់នេះ", "Cut along this line")
NAME_WITHHELD = Text(
    "មិនបង្ហាញ (អ្នកដាក់ពាក្យបានស្នើសុំការការពារអត្តសញ្ញាណ)",
    "not shown (the applicant asked for identity protection)",
)


class ReceiptTooLong(ValueError):
    """The receipt's text does not fit on its half page even at the smallest type size."""


@dataclass(frozen=True)
class ReceiptMeta:
    reference: str
    applicant_name_km: str
    applicant_name_latin: str
    form_title: Text
    submitted_on: date
    contact_km: str = DEFAULT_CONTACT.km
    contact_en: str = DEFAULT_CONTACT.en
    next_steps_km: str = DEFAULT_NEXT_STEPS.km
    next_steps_en: str = DEFAULT_NEXT_STEPS.en
    # An identity-protected applicant's receipt names nobody unless a full copy was asked for.
    name_withheld: bool = False


QR_QUIET_MODULES = 4  # white border around the code, in modules


def _qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """Draw `value` as a QR code (error correction M) filling the square at (x, y).

    The modules are drawn as rectangles (ReportLab's renderer would also set an unused
    Helvetica font on the page).
    """
    code = QrCodeWidget(value, barLevel="M").qr
    code.make()  # the matrix exists only after make(); before it the code has 0 modules
    count = code.getModuleCount()
    if count == 0:
        raise ValueError(f"no QR code could be made for {value!r}")
    module = size / (count + 2 * QR_QUIET_MODULES)
    origin_x = x + QR_QUIET_MODULES * module
    top = y + size - QR_QUIET_MODULES * module
    canvas.saveState()
    canvas.setFillColor(INK)
    for row in range(count):
        for col in range(count):
            if code.isDark(row, col):
                canvas.rect(origin_x + col * module, top - (row + 1) * module, module, module, 0, 1)
    canvas.restoreState()


def _story(meta: ReceiptMeta, size: float) -> list[Flowable]:
    st = styles(size)
    label = ParagraphStyle("rlabel", parent=st["label"], spaceBefore=size * 0.35)
    english = _at_least(ParagraphStyle("ren", parent=st["english"], spaceAfter=0), SMALL_PRINT_MIN)
    if meta.name_withheld:
        name = both(NAME_WITHHELD)
    else:
        name = " / ".join(p for p in (meta.applicant_name_km, meta.applicant_name_latin) if p)
    day = meta.submitted_on

    def line(title: Text, value: str) -> Flowable:
        return khmer_paragraph([*bilingual_runs(title), TextRun(f":  {value}")], st["normal"])

    return [
        line(APPLICANT, name),
        line(SUBMITTED, both(meta.form_title)),
        line(SUBMITTED_ON, f"{khmer_date(day)} / {english_date(day)}"),
        khmer_paragraph(bilingual_runs(NEXT), label),
        khmer_paragraph(meta.next_steps_km, st["normal"]),
        khmer_paragraph(meta.next_steps_en, english),
        khmer_paragraph(bilingual_runs(CONTACT), label),
        khmer_paragraph(meta.contact_km, st["normal"]),
        khmer_paragraph(meta.contact_en, english),
    ]


def _at_least(style: ParagraphStyle, size: float) -> ParagraphStyle:
    """``style`` with its font size raised to ``size`` if it was smaller (leading in proportion)."""
    if style.fontSize >= size:
        return style
    scale = size / style.fontSize
    return ParagraphStyle(
        f"{style.name}_min", parent=style, fontSize=size, leading=style.leading * scale
    )


def _fits(story: list[Flowable], width: float, height: float) -> bool:
    used = 0.0
    for index, item in enumerate(story):
        used += item.wrap(width, height)[1] + item.getSpaceAfter()
        if index:
            used += item.getSpaceBefore()
    return used <= height


def _half(canvas: Canvas, meta: ReceiptMeta, bottom: float, copy: Text) -> None:
    top = bottom + HALF_HEIGHT - MARGIN
    right = PAGE_WIDTH - MARGIN
    draw_text(canvas, MARGIN, top - 14, RECEIPT_TITLE.km, 16, bold=True)
    canvas.setFillColor(GREY)
    draw_text(canvas, MARGIN, top - 30, RECEIPT_TITLE.en, 10)
    draw_text(canvas, right, top - 8, both(copy), 8, align="right")
    canvas.setFillColor(INK)
    # Reference: large, beside the title; the same value as a QR code on the right.
    ref_x = MARGIN + 62 * mm
    canvas.setFillColor(GREY)
    draw_text(canvas, ref_x, top - 8, both(REFERENCE), 8)
    canvas.setFillColor(INK)
    draw_text(canvas, ref_x, top - 30, meta.reference, 20, bold=True)
    qr_top = top - 16 * mm
    _qr(canvas, meta.reference, QR_X, qr_top - QR_SIZE, QR_SIZE)
    keep_style = _at_least(
        ParagraphStyle("keep", parent=styles(7.5)["small"], textColor=GREY), SMALL_PRINT_MIN
    )
    keep = khmer_paragraph(f"{KEEP.km}\n{KEEP.en}", keep_style)
    _w, keep_height = keep.wrap(QR_SIZE, 100 * mm)
    keep.drawOn(canvas, QR_X, qr_top - QR_SIZE - 2 * mm - keep_height)
    # The text column, shrunk until it fits.
    width = QR_X - MARGIN - 6 * mm
    height = qr_top - (bottom + MARGIN)
    story = _story(meta, 10)
    for size in (10.0, 9.5, 9.0, 8.5, SMALL_PRINT_MIN):
        story = _story(meta, size)
        if _fits(story, width, height):
            break
    else:
        # A frame silently leaves out what does not fit: the receipt would be handed over
        # without the applicant's name or the next steps. Refuse instead.
        raise ReceiptTooLong(meta.reference)
    frame = Frame(MARGIN, bottom + MARGIN, width, height, 0, 0, 0, 0, showBoundary=0)
    frame.addFromList(story, canvas)


def render_receipt(meta: ReceiptMeta, out: Output) -> int:
    """Print the receipt (upper half: applicant's copy, lower half: office copy); returns 1."""

    def build(buffer: io.BytesIO) -> int:
        canvas = Canvas(buffer, pagesize=A4, initialFontName=FONT_REGULAR)
        canvas.setTitle(f"{RECEIPT_TITLE.en} {meta.reference}")
        canvas.setAuthor("VSS Outreach")
        _half(canvas, meta, HALF_HEIGHT, APPLICANT_COPY)
        _half(canvas, meta, 0, OFFICE_COPY)
        # Cut line between the halves, with its label on a white ground.
        canvas.saveState()
        canvas.setStrokeColor(LIGHT)
        canvas.setDash(4, 3)
        canvas.line(0, HALF_HEIGHT, PAGE_WIDTH, HALF_HEIGHT)
        label = both(CUT_HERE)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(PAGE_WIDTH / 2 - 32 * mm, HALF_HEIGHT - 5, 64 * mm, 10, stroke=0, fill=1)
        canvas.setFillColor(GREY)
        draw_text(canvas, PAGE_WIDTH / 2, HALF_HEIGHT - 2.5, label, SMALL_PRINT_MIN, align="center")
        canvas.restoreState()
        # A training print says so on both halves, since they are cut apart.
        draw_print_banner(canvas, PAGE_WIDTH, PAGE_HEIGHT)
        draw_print_banner(canvas, PAGE_WIDTH, HALF_HEIGHT - 2 * mm)
        canvas.showPage()
        canvas.save()
        return 1

    return build_pdf(build, out)
