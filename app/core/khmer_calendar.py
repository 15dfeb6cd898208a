"""Years as people in Cambodia name them: Buddhist Era years and the twelve animal years.

- Buddhist Era (ព.ស. / ពុទ្ធសករាជ / BE): in Cambodia the BE year begins at Visak Bochea (April or
  May), so BE ``y`` spans parts of the Gregorian years ``y - 544`` and ``y - 543``; e.g. BE 2519 is
  mid-1975 to mid-1976. A bare four-digit year from 2400 to 2600 can only be a BE year.
- Animal years (ឆ្នាំជូត ... ឆ្នាំកុរ) begin at Khmer New Year in mid-April and repeat every twelve
  years; named alone they are read as the occurrence between 1968 and 1979, the years survivors
  speak of (ឆ្នាំថោះ: April 1975 – April 1976). With a Gregorian year the year is used as given.

Pure: returns year ranges; :mod:`app.core.approx_date` turns them into approximate dates.
"""

from __future__ import annotations

import re

BE_OFFSET = 543
ANIMAL_YEARS: dict[str, int] = {
    # Khmer name: the occurrence between 1968 and 1979 (the animal year starting that April).
    "វក": 1968,  # monkey
    "រកា": 1969,  # rooster
    "ច": 1970,  # dog
    "កុរ": 1971,  # pig
    "ជូត": 1972,  # rat
    "ឆ្លូវ": 1973,  # ox
    "ខាល": 1974,  # tiger
    "ថោះ": 1975,  # rabbit
    "រោង": 1976,  # dragon
    "ម្សាញ់": 1977,  # snake
    "មមី": 1978,  # horse
    "មមែ": 1979,  # goat
}
_BE = re.compile(
    r"^(?:ព\.?\s*ស\.?|ពុទ្ធសករាជ|b\.?\s*e\.?)\s*(\d{4})$|^(\d{4})\s*(?:b\.?\s*e\.?|ព\.?\s*ស\.?)$",
    re.IGNORECASE,
)
_BARE_BE = re.compile(r"^(2[45]\d\d|2600)$")
_ANIMAL = re.compile(
    r"^(?:ឆ្នាំ\s*)?(" + "|".join(sorted(ANIMAL_YEARS, key=len, reverse=True)) + r")$"
)


def buddhist_era_years(text: str) -> tuple[int, int] | None:
    """The Gregorian years a Buddhist Era year touches, or None if ``text`` is not one."""
    body = text.strip()
    match = _BE.match(body)
    value = (match.group(1) or match.group(2)) if match else None
    if value is None and _BARE_BE.match(body):
        value = body
    if value is None:
        return None
    year = int(value)
    return year - BE_OFFSET - 1, year - BE_OFFSET


def animal_year(text: str) -> tuple[int, int] | None:
    """The Gregorian years an animal year (named alone) touches, or None."""
    match = _ANIMAL.match(text.strip())
    if match is None:
        return None
    start = ANIMAL_YEARS[match.group(1)]
    return start, start + 1
