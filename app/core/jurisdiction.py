"""Plain-language pre-screening of a complaint against the court's jurisdiction.

Sources: the ECCC Law (2001, amended 2004), Article 1 (period 17 April 1975 – 6 January 1979) and
Articles 3–8 (crimes), and the Internal Rules 23bis (civil party admissibility) and 49
(complaints). The screening only explains: it warns and informs, it never rejects. Whether a
complaint or application is admissible is decided by the court, not by the field officer or this
app, so every note is worded as information for the applicant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

PERIOD_START = date(1975, 4, 17)
PERIOD_END = date(1979, 1, 6)  # inclusive

Severity = Literal["info", "warning"]

_PERIOD_EN = "17 April 1975 to 6 January 1979"
_PERIOD_KM = "ពីថ្ងៃទី១៧ ខែមេសា ឆ្នាំ១៩៧៥ ដល់ថ្ងៃទី៦ ខែមករា ឆ្នាំ១៩៧៩"
_SOURCE_PERIOD = "ECCC Law, Article 1"
_SOURCE_RULE_23BIS = "ECCC Internal Rules, Rule 23bis"


class CrimeCategory(StrEnum):
    """Kinds of crime an applicant can describe; codes are stored in records, do not rename."""

    HOMICIDE = "homicide"
    TORTURE = "torture"
    RELIGIOUS_PERSECUTION = "religious_persecution"
    PERSECUTION = "persecution"  # on political, racial or religious grounds (Article 5)
    RAPE_SEXUAL_VIOLENCE = "rape_sexual_violence"  # rape (Article 5); other sexual violence
    GENOCIDE = "genocide"
    CRIMES_AGAINST_HUMANITY = "crimes_against_humanity"
    GRAVE_BREACHES_GENEVA = "grave_breaches_geneva"
    DESTRUCTION_CULTURAL_PROPERTY = "destruction_cultural_property"
    CRIMES_AGAINST_PROTECTED_PERSONS = "crimes_against_protected_persons"
    FORCED_MARRIAGE = "forced_marriage"
    FORCED_TRANSFER = "forced_transfer"
    IMPRISONMENT = "imprisonment"
    ENSLAVEMENT_FORCED_LABOUR = "enslavement_forced_labour"
    STARVATION = "starvation"
    DISAPPEARANCE = "disappearance"
    OTHER = "other"


class CrimeAgainstHumanityKind(StrEnum):
    """The acts Article 5 lists as crimes against humanity (optional detail)."""

    MURDER = "murder"
    EXTERMINATION = "extermination"
    ENSLAVEMENT = "enslavement"
    DEPORTATION = "deportation"
    IMPRISONMENT = "imprisonment"
    TORTURE = "torture"
    RAPE = "rape"
    PERSECUTION = "persecution"
    OTHER_INHUMANE_ACTS = "other_inhumane_acts"


# Where each category sits in the law. The everyday categories (forced marriage, transfer,
# starvation, disappearance...) are not named in Articles 3–8; they are listed with the articles
# under which such acts can fall, e.g. crimes against humanity as "other inhumane acts".
LEGAL_BASIS: dict[CrimeCategory, str] = {
    CrimeCategory.HOMICIDE: "ECCC Law, Article 3 (1956 Penal Code)",
    CrimeCategory.TORTURE: "ECCC Law, Articles 3 and 5",
    CrimeCategory.RELIGIOUS_PERSECUTION: "ECCC Law, Articles 3 and 5",
    CrimeCategory.PERSECUTION: "ECCC Law, Article 5 (persecution on political, racial or "
    "religious grounds)",
    CrimeCategory.RAPE_SEXUAL_VIOLENCE: "ECCC Law, Article 5 (rape; other inhumane acts)",
    CrimeCategory.GENOCIDE: "ECCC Law, Article 4",
    CrimeCategory.CRIMES_AGAINST_HUMANITY: "ECCC Law, Article 5",
    CrimeCategory.GRAVE_BREACHES_GENEVA: "ECCC Law, Article 6",
    CrimeCategory.DESTRUCTION_CULTURAL_PROPERTY: "ECCC Law, Article 7 (during armed conflict)",
    CrimeCategory.CRIMES_AGAINST_PROTECTED_PERSONS: "ECCC Law, Article 8",
    CrimeCategory.FORCED_MARRIAGE: "ECCC Law, Article 5 (other inhumane acts)",
    CrimeCategory.FORCED_TRANSFER: "ECCC Law, Articles 5 and 6",
    CrimeCategory.IMPRISONMENT: "ECCC Law, Articles 5 and 6",
    CrimeCategory.ENSLAVEMENT_FORCED_LABOUR: "ECCC Law, Article 5",
    CrimeCategory.STARVATION: "ECCC Law, Articles 4 and 5",
    CrimeCategory.DISAPPEARANCE: "ECCC Law, Article 5 (other inhumane acts)",
    CrimeCategory.OTHER: "ECCC Law, Articles 3–8",
}


@dataclass(frozen=True)
class ScreeningNote:
    code: str
    severity: Severity
    message_en: str
    message_km: str
    source: str


def screen(
    *,
    earliest: date | None,
    latest: date | None,
    crimes: Iterable[CrimeCategory] = (),
    crimes_against_humanity_kinds: Iterable[CrimeAgainstHumanityKind] = (),
    claims_direct_injury: bool | None = None,
    applies_as_civil_party: bool | None = None,
    approximate: bool = False,
) -> list[ScreeningNote]:
    """Notes for the officer to read out or show, most important first (warnings before infos).

    ``earliest``/``latest`` bound the time of the events (an approximate date is a range; None is
    an unknown end); ``approximate``: the applicant said "about", so a date within a year of the
    period may fall inside it. None for the yes/no inputs means "not answered yet". There is no
    note on the place: the law sets the period and the crimes, and the court decides the rest.
    """
    crime_set = set(crimes)
    if crimes_against_humanity_kinds:
        crime_set.add(CrimeCategory.CRIMES_AGAINST_HUMANITY)
    notes = [
        *_date_notes(earliest, latest, approximate),
        *_crime_notes(crime_set),
        *_role_notes(claims_direct_injury, applies_as_civil_party),
    ]
    return sorted(notes, key=lambda note: note.severity != "warning")


def _possibly_within(earliest: date | None, latest: date | None) -> list[ScreeningNote]:
    return [
        ScreeningNote(
            "date.possibly_within",
            "info",
            f"This approximate date is close to the court's period ({_PERIOD_EN}): the events "
            "may fall within it. Write down what the applicant remembers; the court decides.",
            f"កាលបរិច្ឆេទប្រហាក់ប្រហែលនេះ នៅជិតរយៈពេលរបស់តុលាការ ({_PERIOD_KM})៖ "
            "ហេតុការណ៍ប្រហែលជាស្ថិតក្នុងរយៈពេលនោះ។ សូមកត់ត្រាអ្វីដែលអ្នកដាក់ពាក្យចងចាំ។ "
            "តុលាការជាអ្នកសម្រេច។",
            _SOURCE_PERIOD,
        )
    ]


def _date_notes(
    earliest: date | None, latest: date | None, approximate: bool = False
) -> list[ScreeningNote]:
    if earliest is None and latest is None:
        return [
            ScreeningNote(
                "date.unknown",
                "info",
                "When did this happen? Please give your best estimate, even just a season or a "
                f"year. The court can only deal with events from {_PERIOD_EN}.",
                "តើរឿងនេះកើតឡើងនៅពេលណា? សូមប្រាប់ប្រហាក់ប្រហែល ទោះបីត្រឹមតែរដូវ ឬឆ្នាំក៏ដោយ។ "
                f"តុលាការអាចពិនិត្យតែហេតុការណ៍ដែលកើតឡើង{_PERIOD_KM}ប៉ុណ្ណោះ។",
                _SOURCE_PERIOD,
            )
        ]
    if earliest is not None and latest is not None and earliest > latest:
        return [
            ScreeningNote(
                "date.reversed",
                "warning",
                "The earliest date is after the latest date. Please check the dates.",
                "ថ្ងៃចាប់ផ្ដើមនៅក្រោយថ្ងៃបញ្ចប់។ សូមពិនិត្យកាលបរិច្ឆេទម្ដងទៀត។",
                "",
            )
        ]
    # "About 1974" or "about 1980": within a year of the period, it may fall inside it.
    if approximate and latest is not None and 0 < (PERIOD_START - latest).days <= 366:
        return _possibly_within(earliest, latest)
    if approximate and earliest is not None and 0 < (earliest - PERIOD_END).days <= 366:
        return _possibly_within(earliest, latest)
    if latest is not None and latest < PERIOD_START:
        return [
            ScreeningNote(
                "date.before_period",
                "warning",
                "Events before 17 April 1975 are outside the court's jurisdiction (ECCC Law, "
                "Article 1). You can still write them down; the court decides.",
                "ហេតុការណ៍មុនថ្ងៃទី១៧ ខែមេសា ឆ្នាំ១៩៧៥ នៅក្រៅអំណាចរបស់តុលាការ។ "
                "អ្នកនៅតែអាចកត់ត្រាវាបាន។ តុលាការជាអ្នកសម្រេច។",
                _SOURCE_PERIOD,
            )
        ]
    if earliest is not None and earliest > PERIOD_END:
        return [
            ScreeningNote(
                "date.after_period",
                "warning",
                "Events after 6 January 1979 are outside the court's jurisdiction (ECCC Law, "
                "Article 1). You can still write them down; the court decides.",
                "ហេតុការណ៍ក្រោយថ្ងៃទី៦ ខែមករា ឆ្នាំ១៩៧៩ នៅក្រៅអំណាចរបស់តុលាការ។ "
                "អ្នកនៅតែអាចកត់ត្រាវាបាន។ តុលាការជាអ្នកសម្រេច។",
                _SOURCE_PERIOD,
            )
        ]
    if earliest is None or latest is None:
        return [
            ScreeningNote(
                "date.one_end_unknown",
                "info",
                "Only one end of the time is known. Please estimate the other one too. The court "
                f"can only deal with events from {_PERIOD_EN}.",
                "យើងដឹងតែពេលចាប់ផ្ដើម ឬពេលបញ្ចប់ប៉ុណ្ណោះ។ សូមប្រាប់ពេលមួយទៀតប្រហាក់ប្រហែល។ "
                f"តុលាការអាចពិនិត្យតែហេតុការណ៍ដែលកើតឡើង{_PERIOD_KM}ប៉ុណ្ណោះ។",
                _SOURCE_PERIOD,
            )
        ]
    if earliest < PERIOD_START or latest > PERIOD_END:
        return [
            ScreeningNote(
                "date.partly_inside",
                "info",
                f"These dates are only partly inside the court's period ({_PERIOD_EN}). Only "
                "what happened inside that period can be considered.",
                f"កាលបរិច្ឆេទទាំងនេះ ស្ថិតក្នុងរយៈពេលរបស់តុលាការតែមួយផ្នែកប៉ុណ្ណោះ ({_PERIOD_KM})។ "
                "តុលាការអាចពិនិត្យតែអ្វីដែលកើតឡើងក្នុងរយៈពេលនេះប៉ុណ្ណោះ។",
                _SOURCE_PERIOD,
            )
        ]
    return []


def _crime_notes(crimes: set[CrimeCategory]) -> list[ScreeningNote]:
    notes: list[ScreeningNote] = []
    if not crimes:
        notes.append(
            ScreeningNote(
                "crime.none",
                "info",
                "No kind of crime is chosen yet. Describe what happened; the officer can choose "
                "the closest kind.",
                "មិនទាន់បានជ្រើសរើសប្រភេទឧក្រិដ្ឋកម្មទេ។ សូមរៀបរាប់អំពីអ្វីដែលបានកើតឡើង។ "
                "មន្ត្រីអាចជ្រើសរើសប្រភេទដែលជិតបំផុត។",
                LEGAL_BASIS[CrimeCategory.OTHER],
            )
        )
    if CrimeCategory.OTHER in crimes:
        notes.append(
            ScreeningNote(
                "crime.other",
                "info",
                "The court's law lists certain crimes (Articles 3 to 8). Describe what happened "
                "in your own words; the court decides whether it is covered.",
                "ច្បាប់របស់តុលាការកំណត់ឧក្រិដ្ឋកម្មមួយចំនួន (មាត្រា៣ ដល់មាត្រា៨)។ "
                "សូមរៀបរាប់អំពីអ្វីដែលបានកើតឡើង តាមពាក្យរបស់អ្នកផ្ទាល់។ "
                "តុលាការជាអ្នកសម្រេចថា តើរឿងនេះស្ថិតក្នុងច្បាប់ឬទេ។",
                LEGAL_BASIS[CrimeCategory.OTHER],
            )
        )
    if CrimeCategory.GENOCIDE in crimes:
        notes.append(
            ScreeningNote(
                "crime.genocide_group",
                "info",
                "Genocide means acts meant to destroy a national, ethnic, racial or religious "
                "group. Please say which group the victims belonged to.",
                "អំពើប្រល័យពូជសាសន៍ គឺជាអំពើដែលមានបំណងបំផ្លាញក្រុមជាតិ ក្រុមជនជាតិ "
                "ក្រុមពូជសាសន៍ ឬក្រុមសាសនា។ សូមប្រាប់ថា តើជនរងគ្រោះជាសមាជិកក្រុមណា។",
                LEGAL_BASIS[CrimeCategory.GENOCIDE],
            )
        )
    return notes


def _role_notes(
    claims_direct_injury: bool | None, applies_as_civil_party: bool | None
) -> list[ScreeningNote]:
    if applies_as_civil_party is True:
        notes = []
        if claims_direct_injury is False:
            notes.append(
                ScreeningNote(
                    "civil_party.no_direct_injury",
                    "warning",
                    "To be a civil party, you must show harm to your body, your property or your "
                    "mind that was a direct result of at least one of the crimes. Without it, you "
                    "can still make a complaint.",
                    "ដើម្បីធ្វើជាដើមបណ្តឹងរដ្ឋប្បវេណី អ្នកត្រូវបង្ហាញថា អ្នកបានរងការខូចខាតលើរាងកាយ "
                    "ទ្រព្យសម្បត្តិ ឬផ្លូវចិត្ត ដោយផ្ទាល់ពីឧក្រិដ្ឋកម្មយ៉ាងហោចណាស់មួយ។ "
                    "បើមិនដូច្នោះទេ អ្នកនៅតែអាចដាក់ពាក្យបណ្តឹងបាន។",
                    _SOURCE_RULE_23BIS,
                )
            )
        elif claims_direct_injury is None:
            notes.append(
                ScreeningNote(
                    "civil_party.injury_unknown",
                    "info",
                    "A civil party must describe the harm they suffered as a direct result of the "
                    "crimes. Please ask about this harm.",
                    "ដើមបណ្តឹងរដ្ឋប្បវេណី ត្រូវរៀបរាប់អំពីការខូចខាតដែលខ្លួនបានរង "
                    "ដោយផ្ទាល់ពីឧក្រិដ្ឋកម្ម។ សូមសួរអំពីការខូចខាតនេះ។",
                    _SOURCE_RULE_23BIS,
                )
            )
        notes.append(
            ScreeningNote(
                "civil_party.deadline",
                "info",
                "A civil party application is admissible only if filed in time: no later than 15 "
                "days after the Co-Investigating Judges notify the end of the investigation in "
                "its case (Rule 23bis(2)). The note on the case's state says whether it still "
                "accepts applications.",
                "ពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី អាចទទួលយកបាន លុះត្រាតែដាក់ទាន់ពេល "
                "គឺយឺតបំផុត ១៥ថ្ងៃ ក្រោយពេលសហចៅក្រមស៊ើបអង្កេតជូនដំណឹងអំពីការបញ្ចប់ការស៊ើបអង្កេត "
                "ក្នុងសំណុំរឿងរបស់វា (វិធាន ២៣ស្ទួន(២))។ កំណត់សម្គាល់អំពីស្ថានភាពសំណុំរឿង "
                "ប្រាប់ថា តើសំណុំរឿងនៅទទួលពាក្យសុំឬទេ។",
                _SOURCE_RULE_23BIS,
            )
        )
        return notes
    if applies_as_civil_party is False:
        notes = [
            ScreeningNote(
                "complainant.role",
                "info",
                "As a complainant you tell the Co-Prosecutors about the crimes. You do not take "
                "part in the hearings and cannot ask for reparations.",
                "ក្នុងនាមជាអ្នកប្ដឹង អ្នកផ្ដល់ព័ត៌មានអំពីឧក្រិដ្ឋកម្មទៅសហព្រះរាជអាជ្ញា។ "
                "អ្នកមិនចូលរួមក្នុងសវនាការ ហើយមិនអាចស្នើសុំសំណងបានទេ។",
                "ECCC Internal Rules, Rule 49",
            )
        ]
        if claims_direct_injury is True:
            notes.append(
                ScreeningNote(
                    "complainant.could_be_civil_party",
                    "info",
                    "You describe harm caused directly by the crimes. You may be able to apply as "
                    "a civil party instead, and then take part in the case.",
                    "អ្នករៀបរាប់ពីការខូចខាតដែលបណ្ដាលដោយផ្ទាល់ពីឧក្រិដ្ឋកម្ម។ "
                    "អ្នកប្រហែលជាអាចដាក់ពាក្យធ្វើជាដើមបណ្តឹងរដ្ឋប្បវេណី ហើយចូលរួមក្នុងរឿងក្តីបាន។",
                    _SOURCE_RULE_23BIS,
                )
            )
        return notes
    return []
