"""Places for pickers and printing: the bundled gazetteer as the UI and PDFs need it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.gazetteer import Place, load_gazetteer

PlaceOption = Place


def place_children(parent_code: str | None, level: str | None = None) -> list[Place]:
    """Provinces when ``parent_code`` is None, else the places directly under it."""
    return load_gazetteer().children(parent_code, level)


def describe_place(value: Mapping[str, Any] | None, lang: str) -> str:
    """A stored place value as words: "village, commune, district, province"."""
    return load_gazetteer().describe(value, lang)


def search_places(text: str, limit: int = 20) -> list[Place]:
    return load_gazetteer().search(text, limit)
