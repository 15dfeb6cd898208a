"""Plain bilingual sentences about the court on a day, built from :mod:`app.core.court`.

One home for "what the court is doing now" as said to a survivor: the Rights screen's first topic,
the leaflet's first panel, the path explainer's note and the receipt all use these texts.
"""

from __future__ import annotations

from datetime import date

from app.core.approx_date import ENGLISH_MONTHS, KHMER_MONTHS
from app.core.court import CaseOnDate, CaseState, CourtOnDate
from app.core.forms.model import Text
from app.core.khmer_text import to_khmer_digits

TITLE = Text("តុលាការនៅថ្ងៃនេះ", "The court today")
FOR_THE_RECORD = Text("សម្រាប់កំណត់ត្រា និងបណ្ណសារ", "For the record and the archive")
SOURCE = "assets/court.yaml"


def date_text(day: date, lang: str) -> str:
    if lang == "km":
        return to_khmer_digits(f"ថ្ងៃទី{day.day} ខែ{KHMER_MONTHS[day.month - 1]} ឆ្នាំ{day.year}")
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def _state(item: CaseOnDate) -> Text:
    closing = item.case.closing_event
    when = closing.day if closing else None
    if item.state is CaseState.FINAL and when:
        return Text(
            f"បានបិទ ដោយសាលដីកាស្ថាពរ ({date_text(when, 'km')})",
            f"closed by a final judgment ({date_text(when, 'en')})",
        )
    if item.state is CaseState.TERMINATED and when:
        return Text(
            f"ត្រូវបានបញ្ចប់ ({date_text(when, 'km')})", f"terminated ({date_text(when, 'en')})"
        )
    if item.state is CaseState.DISMISSED and when:
        return Text(
            f"ត្រូវបានលើកលែងចោទប្រកាន់ ({date_text(when, 'km')})",
            f"dismissed ({date_text(when, 'en')})",
        )
    if item.state is CaseState.NOT_OPEN:
        return Text("មិនទាន់បើក", "not yet opened")
    return Text("នីតិវិធីកំពុងដំណើរការ", "proceedings under way")


def civil_parties_text(item: CaseOnDate) -> Text:
    """Whether the case accepts civil-party applications on the day, in plain words."""
    last = item.case.civil_party_last_day
    if item.accepts_civil_parties is True and last is not None:
        return Text(
            f"ពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី៖ ទទួល រហូតដល់{date_text(last, 'km')}",
            f"Civil party applications: accepted until {date_text(last, 'en')}",
        )
    if item.accepts_civil_parties is None:
        return Text(
            "ពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី៖ មិនដឹងទេ (សូមសួរអង្គភាពគាំពារជនរងគ្រោះ)",
            "Civil party applications: not known (ask the VSS)",
        )
    return Text(
        "ពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី៖ មិនទទួលទេ",
        "Civil party applications: not accepted",
    )


def case_choice_note(item: CaseOnDate) -> Text:
    """A short note after a case's name in a list to choose from: closed, or accepting until."""
    if item.state.closed:
        state = _state(item)
        return Text(f"បានបិទ៖ {state.km}", f"closed: {state.en}")
    return civil_parties_text(item)


def case_line(item: CaseOnDate) -> Text:
    charged_km = ", ".join(p.km for p in item.case.charged)
    charged_en = ", ".join(p.en for p in item.case.charged)
    state = _state(item)
    civil = civil_parties_text(item)
    return Text(
        f"{item.case.name.km} ({charged_km})៖ {state.km}។ {civil.km}។",
        f"{item.case.name.en} ({charged_en}): {state.en}. {civil.en}.",
    )


def accepting_answer(now: CourtOnDate) -> Text:
    """The answer to "is any case accepting civil parties today?"."""
    day_km, day_en = date_text(now.day, "km"), date_text(now.day, "en")
    accepting = now.accepting_civil_parties
    if accepting:
        km = "; ".join(f"{c.case.name.km} — {civil_parties_text(c).km}" for c in accepting)
        en = "; ".join(f"{c.case.name.en} — {civil_parties_text(c).en}" for c in accepting)
        return Text(f"បាទ/ចាស នៅ{day_km}៖ {km}។", f"Yes, on {day_en}: {en}.")
    if now.any_accepting_civil_parties is None:
        return Text(
            f"មិនដឹងទេ នៅ{day_km}៖ សូមសួរអង្គភាពគាំពារជនរងគ្រោះ។",
            f"Not known on {day_en}: ask the VSS.",
        )
    return Text(
        f"ទេ។ នៅ{day_km} គ្មានសំណុំរឿងណាមួយទទួលពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណីទេ។",
        f"No. On {day_en} no case accepts civil party applications.",
    )


def court_today(now: CourtOnDate) -> tuple[Text, tuple[Text, ...], str]:
    """(title, paragraphs, source): the court on the day, for screens and prints."""
    phase = now.phase
    day_km, day_en = date_text(now.day, "km"), date_text(now.day, "en")
    paragraphs: list[Text] = [
        Text(
            f"នៅ{day_km}៖ {phase.name.km}។ {phase.vss.km}",
            f"On {day_en}: {phase.name.en}. {phase.vss.en}",
        ),
        Text(f"ពាក្យបណ្តឹង៖ {phase.complaints.km}", f"Complaints: {phase.complaints.en}"),
        *(case_line(c) for c in now.cases if c.state is not CaseState.NOT_OPEN),
    ]
    paragraphs = [p for p in paragraphs if p.en.strip()]
    # The phase's source and, per case, the source of the fact that sets its state that day
    # (the whole trail of sources is in court.yaml): short enough for a leaflet panel.
    decisive = [c.last_event.source for c in now.cases if c.last_event is not None]
    sources = [phase.source, *dict.fromkeys(decisive)]
    return TITLE, tuple(paragraphs), f"{SOURCE}: " + "; ".join(sources)


def citations_of(source: str) -> str:
    """A source line without the name of the app's data file it begins with: on screen it is
    headed by a translated "Source:" label, and the file's path means nothing to an officer."""
    return source.removeprefix(f"{SOURCE}: ")


__all__ = [
    "FOR_THE_RECORD",
    "TITLE",
    "accepting_answer",
    "case_choice_note",
    "case_line",
    "citations_of",
    "civil_parties_text",
    "court_today",
    "date_text",
]
