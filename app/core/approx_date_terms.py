"""What a remembered date is made of (`app.core.approx_date`): the precisions a date can have, the
two seasons of the Cambodian year, the month names in Khmer and English, and the error that gives
the officer its reason in both languages."""

from __future__ import annotations

import calendar
from enum import StrEnum

KHMER_MONTHS = (
    "មករា",
    "កុម្ភៈ",
    "មីនា",
    "មេសា",
    "ឧសភា",
    "មិថុនា",
    "កក្កដា",
    "សីហា",
    "កញ្ញា",
    "តុលា",
    "វិច្ឆិកា",
    "ធ្នូ",
)
ENGLISH_MONTHS = tuple(calendar.month_name[m] for m in range(1, 13))


class Precision(StrEnum):
    EXACT = "exact"
    MONTH = "month"
    YEAR = "year"
    SEASON = "season"
    AGE_IN_YEAR = "age_in_year"
    RANGE = "range"
    UNKNOWN = "unknown"


class Season(StrEnum):
    DRY = "dry"  # November (of the year before) to April
    RAINY = "rainy"  # May to October


class ApproxDateError(ValueError):
    """A date that cannot be stored, with the reason in English and Khmer for the officer."""

    def __init__(self, en: str, km: str) -> None:
        super().__init__(en)
        self.en = en
        self.km = km
