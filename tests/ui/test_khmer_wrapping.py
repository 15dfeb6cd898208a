"""Long unspaced Khmer wraps between words on screen and in print, by the same rules (issue 18).

Texts: every Khmer help text of the forms, the rights texts (their stored U+200B removed) and a
narrative typed without spaces. Each is printed into a PDF and shown in a Qt label at several
widths; every line must start at a break of `app.core.line_breaks` (a segmenter word end or
after a space), no line may start with a dependent sign or ។, the PDF's text layer must give back
the logical text, and no label may need more width than it has.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFontMetricsF, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QLabel
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

from app.core.forms import load_form
from app.core.khmer_text import ZWSP, grapheme_clusters, is_khmer
from app.core.line_breaks import break_plan, line_starts_are_valid, strip_display_marks
from app.core.resources import assets_dir, forms_dir
from app.pdf.fonts import FONT_REGULAR, register_pdf_fonts
from app.pdf.khmer_text import khmer_paragraph, make_styles, text_width
from app.ui.text import WrapLabel, display

NARRATIVE = (
    "នៅឆ្នាំ១៩៧៥ខ្មែរក្រហមបានជម្លៀសគ្រួសារខ្ញុំចេញពីភ្នំពេញឪពុកខ្ញុំត្រូវគេយកទៅហើយមិនដែល"
    "ត្រឡប់មកវិញទេ។យើងត្រូវធ្វើការនៅការដ្ឋានទំនប់ពីព្រឹកដល់យប់ដោយគ្មានអាហារគ្រប់គ្រាន់។"
    "បងប្រុសខ្ញុំស្លាប់ដោយសារការអត់អាហារនៅរដូវប្រាំងឆ្នាំ១៩៧៧។ខ្ញុំត្រូវគេឃុំនៅមន្ទីរសន្តិសុខ"
    "ស្រុកហើយត្រូវគេធ្វើទារុណកម្ម (នៅក្នុងបន្ទប់ងងឹត) ។ម្តាយខ្ញុំនៅតែយំរាល់យប់ហើយខ្ញុំនៅតែសុបិនអាក្រក់។"
)
PDF_WIDTHS = (130.0, 220.0, 380.0)
QT_WIDTHS = (180, 320, 560)


def _form_help_text() -> str:
    texts: list[str] = []
    for path in sorted(forms_dir().glob("*.yaml")):
        form = load_form(path)
        for section in form.sections:
            for item in section.fields:
                if item.help is not None and is_khmer(item.help.get("km")):
                    texts.append(item.help.get("km"))
    assert len(texts) > 20
    return " ".join(texts)


def _rights_text(name: str) -> str:
    body = (assets_dir() / "rights" / f"{name}.km.md").read_text(encoding="utf-8")
    body = body.split("---", 2)[2]  # after the front matter
    paragraphs = [p.strip() for p in body.split("---") if p.strip()]
    return " ".join(paragraphs).replace(ZWSP, "").replace("\n", " ")


def _texts() -> dict[str, str]:
    return {
        "form_help": _form_help_text(),
        "rights_process": _rights_text("process"),
        "rights_protection": _rights_text("protection"),
        "narrative": NARRATIVE,
    }


def _assert_breaks_are_allowed(logical: str, lines: list[str], fits: object = None) -> None:
    """Every line is the next piece of ``logical`` and starts where a break is allowed."""
    plan = break_plan(logical)
    assert plan.text == logical
    breaks = set(plan.breaks)
    position = 0
    for index, line in enumerate(lines):
        while position < len(logical) and logical[position] == " ":
            position += 1
        assert logical.startswith(line, position), (index, line[:30], logical[position:][:30])
        if index:
            assert position in breaks, (index, line[:30])
        position += len(line)
    assert logical[position:].strip() == ""
    assert line_starts_are_valid(lines)


def _pdf_lines(pdf: Path) -> list[str]:
    output = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [line.strip(" ") for line in output.replace("\f", "\n").splitlines() if line.strip()]


@pytest.mark.parametrize("width", PDF_WIDTHS)
def test_printed_khmer_breaks_only_between_words(tmp_path: Path, width: float) -> None:
    register_pdf_fonts()
    style = make_styles(11)["normal"]
    for name, text in _texts().items():
        paragraph = khmer_paragraph(text, style)
        paragraph.wrap(width, 10_000)
        for laid_out in paragraph._lines_for(width):
            assert laid_out.width <= width + 1e-6  # nothing sticks out of the column
        pdf = tmp_path / f"{name}_{int(width)}.pdf"
        margin = (A4[0] - width) / 2
        SimpleDocTemplate(
            str(pdf), pagesize=A4, leftMargin=margin, rightMargin=margin,
            initialFontName=FONT_REGULAR,
        ).build([khmer_paragraph(text, style)])  # fmt: skip
        lines = _pdf_lines(pdf)
        assert len(lines) > 1
        assert all(ZWSP not in line for line in lines)
        _assert_breaks_are_allowed(text, lines)
        # The text layer gives back the logical text exactly: each line is the next piece of it
        # (checked above, only spaces at line ends are not repeated), nothing more, nothing less.
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_no_printed_line_starts_with_a_stop_even_after_a_space() -> None:
    style = make_styles(11)["normal"]
    text = "ខ្ញុំ ។" * 40
    for width in (60.0, 90.0, 140.0):
        paragraph = khmer_paragraph(text, style)
        paragraph.wrap(width, 10_000)
        lines = [line.logical_text.strip() for line in paragraph._lines_for(width)]
        assert len(lines) > 3
        assert not any(line.startswith("។") for line in lines)


def _qt_lines(label: QLabel, width: int) -> list[tuple[str, float]]:
    """The lines Qt lays out for the label's text at ``width``, with their natural widths."""
    layout = QTextLayout(label.text(), label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines: list[tuple[str, float]] = []
    y = 0.0
    text = label.text()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
        piece = text[line.textStart() : line.textStart() + line.textLength()]
        lines.append((piece, line.naturalTextWidth()))
    layout.endLayout()
    return lines


@pytest.mark.parametrize("width", QT_WIDTHS)
def test_khmer_on_screen_wraps_between_words_within_the_width(
    vss_qapp: QApplication, qtbot, width: int
) -> None:  # type: ignore[no-untyped-def]
    for name, text in _texts().items():
        label = WrapLabel(text)
        qtbot.addWidget(label)
        label.setFixedWidth(width)
        label.show()
        # The label can be as narrow as it is: its longest word fits, nothing is cut.
        assert label.minimumSizeHint().width() <= width, name
        assert label.heightForWidth(width) > QFontMetricsF(label.font()).height() * 2
        lines = _qt_lines(label, width)
        assert len(lines) > 1
        for piece, natural in lines:
            assert natural <= width + 0.5, (name, piece[:30])
        logical_lines = [strip_display_marks(piece).strip(" ") for piece, _w in lines]
        _assert_breaks_are_allowed(text, [line for line in logical_lines if line])
        assert strip_display_marks(label.text()) == text


def test_a_label_without_break_preparation_would_not_wrap(vss_qapp: QApplication) -> None:
    """Why `display` exists: Qt alone keeps unspaced Khmer on one line, far too wide."""
    raw = QLabel(NARRATIVE.split(" ")[0])
    raw.setWordWrap(True)
    prepared = QLabel(display(NARRATIVE.split(" ")[0]))
    prepared.setWordWrap(True)
    assert raw.minimumSizeHint().width() > 3 * prepared.minimumSizeHint().width()


def test_clusters_are_never_split_by_the_display_marks() -> None:
    for text in _texts().values():
        shown = display(text)
        for cluster in grapheme_clusters(shown):
            assert cluster == ZWSP or ZWSP not in cluster
        assert text_width(shown, 11) == pytest.approx(text_width(text, 11))
