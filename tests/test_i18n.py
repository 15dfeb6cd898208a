from __future__ import annotations

from datetime import date

from babel.messages.pofile import read_po

from app.core.resources import locales_dir
from app.i18n import (
    DOMAIN,
    _,
    current_language,
    format_date,
    format_number,
    on_language_changed,
    set_language,
    translator,
)


def test_every_message_has_a_khmer_translation() -> None:
    with (locales_dir() / "km" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        catalog = read_po(handle, locale="km")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_every_extracted_message_is_in_the_khmer_catalog() -> None:
    with (locales_dir() / "vss_outreach.pot").open("rb") as handle:
        template = read_po(handle)
    with (locales_dir() / "km" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        khmer = read_po(handle, locale="km")
    assert {m.id for m in template if m.id} <= {m.id for m in khmer if m.id}


def test_khmer_is_the_default_and_switching_notifies_listeners() -> None:
    assert current_language() == "km"
    assert _("Applicants") == "អ្នកដាក់ពាក្យ"
    seen: list[str] = []
    on_language_changed(seen.append)
    try:
        set_language("en")
        assert _("Applicants") == "Applicants"
        set_language("km")
    finally:
        translator.remove_listener(seen.append)
    assert seen == ["en", "km"]


def test_dates_and_numbers_in_khmer_use_khmer_months_and_digits() -> None:
    assert format_date(date(1975, 4, 17), "km") == "១៧ មេសា ១៩៧៥"
    assert format_date(date(1979, 1, 6), "km") == "៦ មករា ១៩៧៩"
    assert format_number(4128, "km") == "៤,១២៨"
    translator.khmer_digits = False
    assert format_date(date(1979, 1, 6), "km") == "6 មករា 1979"
    assert format_date(date(1979, 1, 6), "en") == "January 6, 1979"
