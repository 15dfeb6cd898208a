"""Status letters: every status renders on its own page, Khmer shaped and extractable."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from app.core.forms import Text
from app.pdf.letters import StatusLetter, render_status_letters
from app.services.letters import letter_templates
from app.sync.protocol import COURT_STATUSES

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


def canonical(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u200b", "")
    return "".join(text.split())


def pdftotext(pdf: Path, *options: str) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def _letter(status: str, index: int, **changes: object) -> StatusLetter:
    template = letter_templates()[status]
    values: dict[str, object] = {
        "reference": f"VSS-WMNR-00{index}A-M",
        "status": status,
        "title": template.title,
        "meaning": template.meaning,
        "next_steps": template.next_steps,
        "dated": date(2027, 3, 5),
        "name_km": "ស្រី ពិសិដ្ឋ",
        "name_latin": "Srey Piseth",
    }
    values.update(changes)
    return StatusLetter(**values)  # type: ignore[arg-type]


def test_every_status_has_a_template_in_both_languages() -> None:
    templates = letter_templates()
    assert set(templates) == set(COURT_STATUSES)
    for template in templates.values():
        for text in (template.title, template.meaning, template.next_steps):
            assert isinstance(text, Text) and text.km and text.en
            assert any("\u1780" <= ch <= "\u17ff" for ch in text.km)


def test_letters_for_every_status_print_khmer_extractably(tmp_path: Path) -> None:
    letters = [_letter(status, i) for i, status in enumerate(COURT_STATUSES)]
    pdf = tmp_path / "letters.pdf"
    seen: list[tuple[int, int]] = []
    pages = render_status_letters(letters, pdf, progress=lambda d, t: seen.append((d, t)))
    assert pages == len(COURT_STATUSES)
    assert seen[-1] == (len(letters), len(letters))
    for number, letter in enumerate(letters, start=1):
        page = canonical(pdftotext(pdf, "-f", str(number), "-l", str(number)))
        for text in (letter.title, letter.meaning, letter.next_steps):
            assert canonical(text.km) in page, (letter.status, text.km)
            assert canonical(text.en) in page
        assert letter.reference in page
        assert canonical("ស្រី ពិសិដ្ឋ") in page
        assert canonical("ថ្ងៃទី៥ ខែមីនា ឆ្នាំ២០២៧") in page
        # The contact is on every letter.
        assert canonical("អង្គភាពគាំពារជនរងគ្រោះ") in page
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansKhmer" in fonts and "Helvetica" not in fonts


def test_withheld_name_is_not_printed(tmp_path: Path) -> None:
    pdf = tmp_path / "protected.pdf"
    render_status_letters(
        [_letter("admitted", 1, name_km="", name_latin="", name_withheld=True)], pdf
    )
    page = canonical(pdftotext(pdf))
    assert "SreyPiseth" not in page
    assert canonical("ការពារអត្តសញ្ញាណ") in page


def test_letter_page_has_ink_where_the_khmer_is(tmp_path: Path) -> None:
    """A rasterised page has real glyphs (not blank or tofu-only boxes)."""
    from PIL import Image

    pdf = tmp_path / "one.pdf"
    render_status_letters([_letter("rejected", 1)], pdf)
    prefix = tmp_path / "one"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", "-png", "-singlefile", str(pdf), str(prefix)], check=True
    )
    image = Image.open(prefix.with_suffix(".png")).convert("L")
    dark = sum(image.histogram()[:200]) / (image.width * image.height)
    assert 0.01 < dark < 0.3
