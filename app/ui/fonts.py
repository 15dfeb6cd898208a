"""Registering the bundled Khmer fonts, so the app never depends on what the laptop has installed."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

from app.core.resources import fonts_dir

UI_FONT_FAMILY = "Noto Sans Khmer"


class FontError(RuntimeError):
    pass


def register_bundled_fonts() -> list[str]:
    """Register every TTF/OTF in assets/fonts; returns the family names Qt now knows from them."""
    families: set[str] = set()
    for path in sorted(fonts_dir().glob("*.[ot]tf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            raise FontError(f"Qt could not load the bundled font {path}")
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    if UI_FONT_FAMILY not in families:
        raise FontError(f"The bundled font {UI_FONT_FAMILY!r} is missing from {fonts_dir()}")
    return sorted(families)


def ui_font(point_size: float = 12.0, bold: bool = False) -> QFont:
    font = QFont(UI_FONT_FAMILY)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font
