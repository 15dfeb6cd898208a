"""The court's own Khmer terms, once: no file of the app uses a spelling the glossary lists as wrong."""

from __future__ import annotations

from pathlib import Path

from app.core.glossary import glossary_path, load_glossary
from app.core.resources import resource_root

SCANNED = ("forms", "assets", "locales", "app")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


def _files() -> list[Path]:
    root = resource_root()
    found: list[Path] = []
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path != glossary_path() and "__pycache__" not in path.parts:
                found.append(path)
    return found


def test_the_glossary_holds_the_courts_terms_with_sources() -> None:
    terms = {term.id: term for term in load_glossary()}
    assert terms["victims_support_section"].km == "អង្គភាពគាំពារជនរងគ្រោះ"
    assert "ផ្នែកគាំទ្រជនរងគ្រោះ" in terms["victims_support_section"].wrong
    assert terms["co_investigating_judges"].km == "សហចៅក្រមស៊ើបអង្កេត"
    assert "ចៅក្រមស៊ើបសួរ" in terms["co_investigating_judges"].wrong
    assert terms["appeal"].km == "បណ្តឹងសាទុក្ខ"
    for needed in ("court", "complainant", "civil_party", "co_prosecutors", "lead_co_lawyers"):
        assert needed in terms
    assert all("eccc.gov.kh" in term.source for term in terms.values())


def test_no_file_uses_a_wrong_variant() -> None:
    wrong = {w: term.km for term in load_glossary() for w in term.wrong}
    files = _files()
    assert len(files) > 50  # the scan really reads the project
    found: list[str] = []
    for path in files:
        # Binary files (fonts, compiled catalogues) are read too: a wrong term in a .mo shows.
        text = path.read_bytes().decode("utf-8", errors="ignore").translate(ZERO_WIDTH)
        for variant, right in wrong.items():
            if variant in text:
                found.append(f"{path.relative_to(resource_root())}: {variant} -> {right}")
    assert found == []
