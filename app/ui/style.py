"""The app's look: large, readable text (officers read aloud to elderly applicants)."""

STYLE_SHEET = """
QWidget { font-size: 12pt; }
QLabel#pageTitle { font-size: 18pt; font-weight: bold; padding: 6px 0; }
QListWidget#navigation { font-size: 13pt; }
QListWidget#navigation::item { padding: 10px 8px; }
QStatusBar QLabel { padding: 0 10px; }
"""
