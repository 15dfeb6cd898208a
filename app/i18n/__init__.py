"""Translations (gettext catalogs managed with Babel) and locale-aware formatting.

Babel is imported where it formats, not here: the sign-in window is painted before it is needed.

Khmer is the default language. The language can change at run time: code that shows text registers
a listener with :func:`on_language_changed` and re-reads its strings with :func:`_` when called.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

from app.core import clock
from app.core.khmer_text import to_khmer_digits
from app.core.resources import locales_dir

DOMAIN = "vss_outreach"
LANGUAGES: tuple[str, ...] = ("km", "en")
DEFAULT_LANGUAGE = "km"
LANGUAGE_NAMES = {"km": "ខ្មែរ", "en": "English"}

LanguageListener = Callable[[str], None]


def load_translations(language: str, folder: Path | None = None) -> gettext.NullTranslations:
    """The catalog for ``language``: the compiled .mo when it is current, else the .po compiled in
    memory (so a fresh checkout works before ``pybabel compile`` has run)."""
    base = (folder or locales_dir()) / language / "LC_MESSAGES"
    po_path = base / f"{DOMAIN}.po"
    mo_path = base / f"{DOMAIN}.mo"
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if po_path.exists():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    return gettext.NullTranslations()


class Translator:
    """The current language, its catalog, and who wants to know when it changes."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self._catalogs: dict[str, gettext.NullTranslations] = {}
        self._listeners: list[LanguageListener] = []
        self.khmer_digits = True
        self.language = DEFAULT_LANGUAGE
        self.set_language(language)

    def catalog(self, language: str) -> gettext.NullTranslations:
        if language not in self._catalogs:
            self._catalogs[language] = load_translations(language)
        return self._catalogs[language]

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"Unsupported language {language!r}; choose one of {LANGUAGES}")
        changed = language != self.language
        self.language = language
        self.catalog(language)
        if changed:
            for listener in list(self._listeners):
                listener(language)

    def gettext(self, message: str) -> str:
        return self.catalog(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.catalog(self.language).ngettext(singular, plural, count)

    def gettext_in(self, language: str, message: str) -> str:
        """The translation in a given language, whatever the current one (bilingual print)."""
        return self.catalog(language).gettext(message)

    def add_listener(self, listener: LanguageListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: LanguageListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)


translator = Translator()


def _(message: str) -> str:
    return translator.gettext(message)


def N_(message: str) -> str:
    """Marks a string for extraction without translating it yet (translated where shown)."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    return translator.ngettext(singular, plural, count)


def set_language(language: str) -> None:
    translator.set_language(language)


def current_language() -> str:
    return translator.language


def on_language_changed(listener: LanguageListener) -> None:
    translator.add_listener(listener)


def remove_language_listener(listener: LanguageListener) -> None:
    translator.remove_listener(listener)


def localize_digits(text: str, language: str | None = None) -> str:
    """Khmer digits ០-៩ in Khmer when the setting asks for them (Babel's km locale gives Latin digits)."""
    language = language or translator.language
    if language == "km" and translator.khmer_digits:
        return to_khmer_digits(text)
    return text


def format_date(value: date | datetime, language: str | None = None, style: str = "long") -> str:
    from babel import Locale
    from babel import dates as babel_dates

    language = language or translator.language
    text = babel_dates.format_date(value, format=style, locale=Locale.parse(language))
    return localize_digits(text, language)


# Khmer names the part of the day instead of AM/PM ("ម៉ោង ៣:០៤ រសៀល" is 3:04 in the afternoon).
KHMER_DAY_PARTS = (
    (5, "យប់"),  # 00:00-04:59 night
    (12, "ព្រឹក"),  # morning
    (13, "ថ្ងៃត្រង់"),  # the noon hour
    (18, "រសៀល"),  # afternoon
    (20, "ល្ងាច"),  # evening
    (24, "យប់"),  # night
)


def format_time(value: datetime | time, language: str | None = None) -> str:
    """A time of day: Khmer with the part of the day (never "AM"), English as Babel gives it."""
    from babel import Locale
    from babel import dates as babel_dates

    language = language or translator.language
    if language != "km":
        return babel_dates.format_time(value, format="short", locale=Locale.parse(language))
    part = next(name for end, name in KHMER_DAY_PARTS if value.hour < end)
    hour = value.hour % 12 or 12
    return localize_digits(f"ម៉ោង {hour}:{value.minute:02d} {part}", language)


def format_datetime(value: datetime, language: str | None = None) -> str:
    from babel import Locale
    from babel import dates as babel_dates

    language = language or translator.language
    if language == "km":
        return f"{format_date(value, language, 'medium')} {format_time(value, language)}"
    text = babel_dates.format_datetime(value, format="medium", locale=Locale.parse(language))
    return localize_digits(text, language)


def format_stamp(stamp: datetime, language: str | None = None) -> str:
    """A stored stamp (naive UTC: drafts, versions, signatures, the audit log) as the date and time
    on the laptop's clock, which is what the officer lived through; ``format_datetime`` shows a
    time as given."""
    return format_datetime(clock.local_time(stamp), language)


# Legal citations written in English in code and data, in the words the Khmer rights texts use
# ("ច្បាប់ អ.វ.ត.ក មាត្រា ៣៣", "វិធានផ្ទៃក្នុងនៃ អ.វ.ត.ក វិធាន ២៣bis"). Longest phrases first.
_CITATION_KM = (
    ("ECCC Internal Rules, Rules ", "វិធានផ្ទៃក្នុងនៃ អ.វ.ត.ក វិធាន "),
    ("ECCC Internal Rules, Rule ", "វិធានផ្ទៃក្នុងនៃ អ.វ.ត.ក វិធាន "),
    ("ECCC Internal Rule ", "វិធានផ្ទៃក្នុងនៃ អ.វ.ត.ក វិធាន "),
    ("ECCC Law, Articles ", "ច្បាប់ អ.វ.ត.ក មាត្រា "),
    ("ECCC Law, Article ", "ច្បាប់ អ.វ.ត.ក មាត្រា "),
    ("ECCC Law Art. ", "ច្បាប់ អ.វ.ត.ក មាត្រា "),
    ("Internal Rules", "វិធានផ្ទៃក្នុង"),
    ("Rules ", "វិធាន "),
    ("Rule ", "វិធាន "),
    ("Articles ", "មាត្រា "),
    ("Article ", "មាត្រា "),
    ("(1956 Penal Code)", "(ក្រមព្រហ្មទណ្ឌឆ្នាំ១៩៥៦)"),
    ("(other inhumane acts)", "(អំពើអមនុស្សធម៌ផ្សេងទៀត)"),
    (" and ", " និង "),
    (" to ", " ដល់ "),
)


def citation(source: str, language: str | None = None) -> str:
    """A citation of the ECCC Law or the Internal Rules in the reading language."""
    language = language or translator.language
    if language != "km":
        return source
    for english, khmer in _CITATION_KM:
        source = source.replace(english, khmer)
    return localize_digits(source, language)


def birth_year_text(year: int | None) -> str:
    """ "born 1955" in a duplicate or suggestion line (Khmer digits in Khmer)."""
    if year is None:
        return _("birth year unknown")
    return _("born {year}").format(year=localize_digits(str(year)))


def format_number(value: int | float, language: str | None = None) -> str:
    from babel import Locale
    from babel import numbers as babel_numbers

    language = language or translator.language
    text = babel_numbers.format_decimal(value, locale=Locale.parse(language))
    return localize_digits(text, language)
