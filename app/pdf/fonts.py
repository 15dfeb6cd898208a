"""The fonts every printed document uses, registered once with ReportLab.

One bundled family (Noto Sans Khmer, static Regular and Bold, OFL) covers Khmer, Khmer digits and
Latin, so bilingual text never falls back to a font without the glyphs (which would print boxes).
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.core.resources import fonts_dir

# Family name for ReportLab's <b>/<i> mapping and for ParagraphStyle.fontName.
FONT_FAMILY = "NotoSansKhmer"
FONT_REGULAR = "NotoSansKhmer-Regular"
FONT_BOLD = "NotoSansKhmer-Bold"

REGULAR_FILE = "NotoSansKhmer-Regular.ttf"
BOLD_FILE = "NotoSansKhmer-Bold.ttf"

_lock = threading.Lock()
_registered = False


def font_path(bold: bool = False) -> Path:
    """Path of the bundled TTF for the given weight."""
    return fonts_dir() / (BOLD_FILE if bold else REGULAR_FILE)


def font_name(bold: bool = False) -> str:
    """ReportLab font name for the given weight (after `register_pdf_fonts`)."""
    return FONT_BOLD if bold else FONT_REGULAR


def register_pdf_fonts() -> None:
    """Register the bundled fonts with ReportLab; safe to call any number of times."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, bold in ((FONT_REGULAR, False), (FONT_BOLD, True)):
            if name not in registered:
                # shapable=True lets ReportLab hand the text to HarfBuzz (uharfbuzz) for Khmer.
                pdfmetrics.registerFont(TTFont(name, str(font_path(bold)), shapable=True))
        # Italic is not bundled: italic requests map to the upright faces rather than failing.
        # The upright mappings go last because addMapping also records the reverse lookup
        # (font name -> family/bold/italic) and the last call wins.
        addMapping(FONT_FAMILY, 0, 1, FONT_REGULAR)
        addMapping(FONT_FAMILY, 1, 1, FONT_BOLD)
        addMapping(FONT_FAMILY, 0, 0, FONT_REGULAR)
        addMapping(FONT_FAMILY, 1, 0, FONT_BOLD)
        _registered = True
