"""Render the app icon (assets/icons/vss-outreach.svg) to PNG sizes and a Windows .ico.

Run once after changing the SVG; the outputs are committed:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py

Qt (QtSvg) renders each size from the vector drawing, so small sizes stay sharp; Pillow writes the
.ico from those renders.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"
SVG = ICONS / "vss-outreach.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return ICONS / f"vss-outreach-{size}.png"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"cannot read {SVG}", file=sys.stderr)
        return 1
    for size in PNG_SIZES:
        if not render(renderer, size).save(str(png_path(size))):
            print(f"cannot write {png_path(size)}", file=sys.stderr)
            return 1
    images = [Image.open(png_path(size)).convert("RGBA") for size in ICO_SIZES]
    largest = images[-1]
    largest.save(
        ICONS / "vss-outreach.ico",
        format="ICO",
        sizes=[(size, size) for size in ICO_SIZES],
        append_images=images[:-1],
    )
    print(f"wrote {len(PNG_SIZES)} PNGs and vss-outreach.ico to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
