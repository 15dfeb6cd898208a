"""Putting user and form text into the HTML of Qt labels and text browsers."""

from __future__ import annotations

import html


def html_text(text: str) -> str:
    """``text`` shown as typed inside rich-text widgets (<, > and & escaped; quotes kept)."""
    return html.escape(text, quote=False)
