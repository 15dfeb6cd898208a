"""The app's look: large, readable text (officers read aloud to elderly applicants), and its icon.
Light on purpose: the sign-in window is painted before the rest of the app is imported."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from app.core.resources import assets_dir

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The app icon in every rendered size (for ``QApplication.setWindowIcon``)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = assets_dir() / "icons" / f"vss-outreach-{size}.png"
        if path.exists():
            icon.addFile(str(path))
    return icon


STYLE_SHEET = """
QWidget { font-size: 12pt; }
QLabel#pageTitle { font-size: 18pt; font-weight: bold; padding: 6px 0; }
QListWidget#navigation { font-size: 13pt; }
QListWidget#navigation::item { padding: 10px 8px; }
QStatusBar QLabel { padding: 0 10px; }
"""
