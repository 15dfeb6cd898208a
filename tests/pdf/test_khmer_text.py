"""Real PDFs through ReportLab, checked with poppler (pdftotext, pdffonts, pdftoppm)."""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from app.core.khmer_text import grapheme_clusters
from app.core.line_breaks import break_plan
from app.pdf.fonts import (
    FONT_BOLD,
    FONT_FAMILY,
    FONT_REGULAR,
    font_path,
    register_pdf_fonts,
)
from app.pdf.khmer_text import (
    ZWSP,
    KhmerParagraph,
    TextRun,
    actual_text_hex,
    draw_text,
    khmer_paragraph,
    make_styles,
    text_width,
)

# The test strings of /work/shared/khmer/README.md, in logical order.
KHMER_STRINGS = [
    "សិទ្ធិរបស់ជនរងគ្រោះ",
    "ដើមបណ្តឹងរដ្ឋប្បវេណី",
    "ពាក្យបណ្តឹង",
    "អង្គជំនុំជម្រះវិសាមញ្ញក្នុងតុលាការកម្ពុជា",
    "ព្រះរាជាណាចក្រកម្ពុជា ជាតិ សាសនា ព្រះមហាក្សត្រ",
    "ស្ត្រី ខ្មែរ ក្រុមប្រឹក្សា ឆ្នាំ",
    "ខេត្តបាត់ដំបង ខេត្តកំពង់ស្ពឺ រាជធានីភ្នំពេញ",
    "១៧ មេសា ១៩៧៥ – ៦ មករា ១៩៧៩",
    "០១២៣៤៥៦៧៨៩",
]
MIXED_STRINGS = [
    "Victims Support Section (VSS) — សិទ្ធិរបស់ជនរងគ្រោះ — civil party",
    "Name / ឈ្មោះ: សុខ សុភា, born ១៩៦០, Battambang ខេត្តបាត់ដំបង",
    'Rule 23bis: <admissibility> & "injury" > 0',
]
# Khmer words joined only by U+200B, long enough to need several lines in a narrow frame.
ZWSP_WORDS = [
    "សិទ្ធិ",
    "របស់",
    "ជនរងគ្រោះ",
    "ដើមបណ្តឹង",
    "រដ្ឋប្បវេណី",
    "អង្គជំនុំជម្រះ",
    "វិសាមញ្ញ",
    "ក្នុង",
    "តុលាការ",
    "កម្ពុជា",
    "ស្ត្រី",
    "ក្រុមប្រឹក្សា",
] * 3


def canonical(text: str) -> str:
    """What the project compares: NFC, without whitespace and U+200B."""
    text = unicodedata.normalize("NFC", text).replace(ZWSP, "")
    return "".join(text.split())


def pdftotext(pdf: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def build(pdf: Path, story: list[Flowable], **kwargs: object) -> None:
    register_pdf_fonts()  # initialFontName must name a registered font
    doc = SimpleDocTemplate(
        str(pdf),
        pagesize=A4,
        initialFontName=FONT_REGULAR,  # keeps ReportLab's default Helvetica out of the file
        **kwargs,
    )
    doc.build(story)


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    styles = make_styles()
    story: list[Flowable] = [khmer_paragraph(KHMER_STRINGS[0], styles["title"])]
    story += [khmer_paragraph(s, styles["normal"]) for s in KHMER_STRINGS]
    story += [khmer_paragraph(s, styles["heading"]) for s in MIXED_STRINGS]
    story.append(
        khmer_paragraph([TextRun("ឈ្មោះ Name: ", bold=True), TextRun("សុខ")], styles["normal"])
    )
    pdf = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    register_pdf_fonts()

    def header(canvas: Canvas, _doc: object) -> None:
        draw_text(canvas, 40, 810, "លេខយោង Ref. ០០១/២០២៥", 9, bold=True)
        draw_text(canvas, A4[0] - 40, 810, KHMER_STRINGS[2], 9, align="right")
        draw_text(canvas, A4[0] / 2, 30, "ទំព័រ ១ — Page 1", 9, align="center")

    doc = SimpleDocTemplate(str(pdf), pagesize=A4, initialFontName=FONT_REGULAR)
    doc.build(story, onFirstPage=header)
    return pdf


def test_bundled_fonts_are_static_with_distinct_names_and_latin_and_khmer() -> None:
    register_pdf_fonts()
    register_pdf_fonts()  # idempotent
    regular = pdfmetrics.getFont(FONT_REGULAR)
    bold = pdfmetrics.getFont(FONT_BOLD)
    assert regular.face.name != bold.face.name
    for font in (regular, bold):
        widths = font.face.charWidths
        for char in "AZaz09&<>()–" + "".join(KHMER_STRINGS).replace(" ", ""):
            assert ord(char) in widths, (font.fontName, char)
    assert pdfmetrics.stringWidth("Bold", FONT_BOLD, 10) > pdfmetrics.stringWidth(
        "Bold", FONT_REGULAR, 10
    )
    assert font_path().stat().st_size < 200_000
    assert (font_path().parent / "OFL.txt").read_text().startswith("Copyright")
    from reportlab.lib.fonts import tt2ps

    assert tt2ps(FONT_FAMILY, 1, 0) == FONT_BOLD


def test_grapheme_clusters_keep_subscripts_and_vowels_with_their_base() -> None:
    assert grapheme_clusters("ស្ត្រី") == ["ស្ត្រី"]
    assert grapheme_clusters("ខ្មែរ") == ["ខ្មែ", "រ"]
    assert grapheme_clusters("សិទ្ធិ") == ["សិ", "ទ្ធិ"]
    assert grapheme_clusters("ab ក") == ["a", "b", " ", "ក"]
    text = "".join(KHMER_STRINGS)
    assert "".join(grapheme_clusters(text)) == text


def test_extracted_text_equals_logical_text(sample_pdf: Path) -> None:
    extracted = canonical(pdftotext(sample_pdf))
    for string in KHMER_STRINGS + MIXED_STRINGS:
        assert canonical(string) in extracted, string
    assert canonical("ឈ្មោះ Name: សុខ") in extracted
    # Header/footer drawn with draw_text at absolute positions.
    for string in ("លេខយោង Ref. ០០១/២០២៥", "ទំព័រ ១ — Page 1"):
        assert canonical(string) in extracted
    # User text is printed as typed, never parsed as markup.
    assert '<admissibility> & "injury" > 0' in pdftotext(sample_pdf)


def test_fonts_are_embedded_and_subset(sample_pdf: Path) -> None:
    output = subprocess.run(
        ["pdffonts", str(sample_pdf)], capture_output=True, check=True, text=True
    ).stdout
    rows = [line.split() for line in output.splitlines()[2:] if line.strip()]
    names = {row[0].split("+", 1)[-1] for row in rows}
    assert names == {FONT_REGULAR, FONT_BOLD}
    for row in rows:
        emb, sub = row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), row


def test_zwsp_is_a_break_opportunity_that_is_never_drawn(tmp_path: Path) -> None:
    assert text_width("ក" + ZWSP + "ខ", 11) == pytest.approx(text_width("កខ", 11))
    style = make_styles()["normal"]
    paragraph = khmer_paragraph(ZWSP.join(ZWSP_WORDS), style)
    frame_width = 200.0
    _width, height = paragraph.wrap(frame_width, 1000)
    assert height >= 4 * style.leading  # it really wrapped

    pdf = tmp_path / "zwsp.pdf"
    build(
        pdf,
        [khmer_paragraph(ZWSP.join(ZWSP_WORDS), style)],
        leftMargin=100,
        rightMargin=A4[0] - 300,
    )
    lines = [canonical(line) for line in pdftotext(pdf).splitlines() if canonical(line)]
    assert len(lines) >= 4
    assert "".join(lines) == canonical("".join(ZWSP_WORDS))
    # Every line is a whole number of words: breaks happened only at a typed U+200B or at a word
    # end of the segmenter (which may split a compound the typist joined).
    word_ends = set(break_plan("".join(ZWSP_WORDS)).breaks) | {len("".join(ZWSP_WORDS))}
    offset = 0
    for word in ZWSP_WORDS:
        offset += len(word)
        word_ends.add(offset)
    offset = 0
    for line in lines:
        offset += len(line)
        assert offset in word_ends, line


def test_unspaced_khmer_without_zwsp_breaks_between_words(tmp_path: Path) -> None:
    text = "".join(ZWSP_WORDS)
    style = make_styles()["normal"]
    paragraph = khmer_paragraph(text, style)
    paragraph.wrap(200.0, 1000)
    assert len(paragraph._lines_for(200.0)) >= 4
    for laid_out in paragraph._lines_for(200.0):
        assert laid_out.width <= 200.0 + 1e-6  # nothing overflows the frame

    pdf = tmp_path / "clusters.pdf"
    build(pdf, [khmer_paragraph(text, style)], leftMargin=100, rightMargin=A4[0] - 300)
    lines = [canonical(line) for line in pdftotext(pdf).splitlines() if canonical(line)]
    assert len(lines) >= 4
    assert "".join(lines) == text
    word_ends = set(break_plan(text).breaks) | {len(text)}
    offset = 0
    for line in lines:
        offset += len(line)
        assert offset in word_ends, line


def test_a_word_longer_than_the_line_breaks_between_clusters(tmp_path: Path) -> None:
    word = "អង្គជំនុំជម្រះវិសាមញ្ញក្នុងតុលាការកម្ពុជា"
    style = make_styles()["normal"]
    cuts = [0, *break_plan(word).breaks, len(word)]
    longest = max(text_width(word[a:b], style.fontSize) for a, b in pairwise(cuts))
    narrow = longest / 2  # the longest word of the segmenter must itself be broken
    paragraph = khmer_paragraph(word, style)
    paragraph.wrap(narrow, 1000)
    lines = [line.logical_text for line in paragraph._lines_for(narrow)]
    assert len(lines) >= 3 and "".join(lines) == word
    for laid_out in paragraph._lines_for(narrow):
        assert laid_out.width <= narrow + 1e-6
    cluster_ends = set()
    offset = 0
    for cluster in grapheme_clusters(word):
        offset += len(cluster)
        cluster_ends.add(offset)
    offset = 0
    for line in lines:
        offset += len(line)
        assert offset in cluster_ends, line


def test_long_paragraph_splits_across_pages_without_losing_text(tmp_path: Path) -> None:
    words = [f"{w} word{i}" for i, w in enumerate(ZWSP_WORDS * 8)]
    text = " ".join(words)
    pdf = tmp_path / "pages.pdf"
    build(pdf, [khmer_paragraph(text, make_styles(14)["normal"])])
    extracted = pdftotext(pdf)
    assert extracted.count("\f") >= 2  # at least two pages
    assert canonical(text) == canonical(extracted)


def test_paragraph_parts_keep_outer_spacing_only(tmp_path: Path) -> None:
    style = make_styles()["heading"]
    paragraph = khmer_paragraph(" ".join(ZWSP_WORDS), style)
    paragraph.wrap(150, 1000)
    parts = paragraph.split(150, style.leading * 2.5)
    assert len(parts) == 2
    first, rest = parts
    assert isinstance(first, KhmerParagraph) and isinstance(rest, KhmerParagraph)
    assert first.getSpaceBefore() == style.spaceBefore and first.getSpaceAfter() == 0
    assert rest.getSpaceBefore() == 0 and rest.getSpaceAfter() == style.spaceAfter
    assert first.wrap(150, 1000)[1] == pytest.approx(2 * style.leading)
    assert canonical(first.text + rest.text) == canonical(paragraph.text)


def test_actual_text_hex_is_utf16be_with_bom() -> None:
    assert actual_text_hex("កA") == "FEFF1780" + "0041"


def _ink_bottom(png: Path, x_from: int, x_to: int) -> int:
    """Lowest row (from the top) with dark pixels between two columns."""
    image = Image.open(png).convert("L")
    bottom = -1
    for y in range(image.height):
        if any(image.getpixel((x, y)) < 128 for x in range(x_from, x_to)):  # type: ignore[operator]
            bottom = y
    return bottom


def _render(tmp_path: Path, draw: Callable[[Canvas], None], name: str) -> Path:
    pdf = tmp_path / f"{name}.pdf"
    register_pdf_fonts()
    canvas = Canvas(str(pdf), pagesize=(400, 100), initialFontName=FONT_REGULAR)
    draw(canvas)
    canvas.save()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-singlefile", str(pdf), str(tmp_path / name)], check=True
    )
    return tmp_path / f"{name}.png"


def test_glyphs_after_a_lowered_mark_stay_on_the_baseline(tmp_path: Path) -> None:
    # ក្នុ lowers its vowel sign; ReportLab 5.1 then printed every later cluster lowered too.
    def draw(canvas: Canvas) -> None:
        draw_text(canvas, 10, 50, "ក្នុ" + "ត" * 8, 40)

    png = _render(tmp_path, draw, "rise")
    baseline_row = 100 - 50
    # The ត glyphs (right of the first cluster) sit on the baseline: no ink well below it.
    assert abs(_ink_bottom(png, 120, 390) - baseline_row) <= 2


def test_page_rasterises_with_ink(sample_pdf: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(sample_pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = Image.open(tmp_path / "page.png").convert("L")
    assert image.size == (827, 1170)
    histogram = image.histogram()
    assert sum(histogram[:128]) > 5000  # real text was drawn


def test_paragraphs_work_inside_table_cells(tmp_path: Path) -> None:
    from reportlab.platypus import Table

    styles = make_styles()
    assert {"normal", "small", "label", "heading", "title"} <= set(styles)
    value = "សុខ សុភា " + KHMER_STRINGS[6] + " " + KHMER_STRINGS[4]
    rows = [
        [khmer_paragraph("ឈ្មោះ Name", styles["label"]), khmer_paragraph(value, styles["normal"])]
    ]
    pdf = tmp_path / "table.pdf"
    build(pdf, [Table(rows, colWidths=[90, 160])])
    extracted = canonical(pdftotext(pdf))
    label = canonical("ឈ្មោះ Name")
    assert label in extracted
    # pdftotext reads the label cell between the value's lines; each cell is intact.
    assert canonical(value) in extracted.replace(label, "")
