"""Places for pickers and printing: the bundled gazetteer as the UI and PDFs need it."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from app.core.gazetteer import LEVELS, Place, load_gazetteer

PlaceOption = Place


def place_children(parent_code: str | None, level: str | None = None) -> list[Place]:
    """Provinces when ``parent_code`` is None, else the places directly under it."""
    return load_gazetteer().children(parent_code, level)


def random_place(rng: random.Random) -> dict[str, str]:
    """A place picked at random, province down to village, as a place answer stores it (the
    place picker of demo data)."""
    path = [rng.choice(place_children(None))]
    for level in LEVELS[1:]:
        options = place_children(path[-1].code, level)
        if not options:
            break
        path.append(rng.choice(options))
    return {place.level: place.code for place in path}


def describe_place(value: Mapping[str, Any] | None, lang: str) -> str:
    """A stored place value as words: "village, commune, district, province"."""
    return load_gazetteer().describe(value, lang)


def search_places(text: str, limit: int = 20) -> list[Place]:
    return load_gazetteer().search(text, limit)
