"""Putting user and form text into the HTML of Qt labels and text browsers."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QProgressBar

from app.i18n import localize_digits


def html_text(text: str) -> str:
    """``text`` shown as typed inside rich-text widgets (<, > and & escaped; quotes kept)."""
    return html.escape(text, quote=False)


class ReadingProgressBar(QProgressBar):
    """A progress bar whose text is "3 / 12" in the reading language's digits (Qt's own "%p%"
    is always in Latin digits)."""

    def text(self) -> str:
        total = self.maximum() - self.minimum()
        if total <= 0:
            return ""
        return localize_digits(f"{self.value() - self.minimum()} / {total}")
