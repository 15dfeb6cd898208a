"""The declaration block closing every application: the applicant's signature or thumbprint and
the intermediary's name, signature and date."""

from __future__ import annotations

from datetime import date

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from app.core.forms import Text
from app.pdf.fonts import FONT_REGULAR
from app.pdf.khmer_text import TextRun, draw_text, khmer_paragraph
from app.pdf.layout import GREY, INK, ChoiceGrid, bilingual_runs, english_date, khmer_date
from app.pdf.printed_values import SIGNATURE_MARKS

DECLARATION_TITLE = Text("សេចក្តីប្រកាស", "Declaration")
DECLARATION_TEXT = Text(
    "ព័ត៌មានខាងលើត្រូវបានអានឱ្យខ្ញុំស្តាប់ ជាភាសាដែលខ្ញុំយល់។ ព័ត៌មាននេះពិតប្រាកដ។",
    "The information above was read to me in a language I understand. It is true.",
)
APPLICANT_MARK = Text("ហត្ថលេខា ឬស្នាមមេដៃរបស់អ្នកដាក់ពាក្យ", "Signature or thumbprint of the applicant")
INTERMEDIARY = Text("ឈ្មោះ និងហត្ថលេខារបស់អ្នកទទួលពាក្យ", "Name and signature of the intermediary")
NAME = Text("ឈ្មោះ", "Name")
DATE = Text("កាលបរិច្ឆេទ", "Date")


def declaration(
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
