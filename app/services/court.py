"""The court as the app sees it today, or on a training date a supervisor chose.

By default the app runs as of today. A supervisor (or administrator) may set a past date so that a
training session can walk through the flows of an open case (e.g. as of 2010-01-20, when Case 002
accepted civil parties). The choice is audited, and while it is set every screen shows a banner
(``training_banner``) and every printed page carries one (``printing``): a training print can never
pass for today's truth.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from app.core import clock
from app.core.court import Court, CourtDataError, CourtOnDate, court_on, load_court
from app.core.forms import FormDefinition
from app.core.forms.model import Text
from app.core.record_court import is_civil_party, record_case
from app.core.reparations import Reparations, load_reparations
from app.i18n import _, format_date
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext, get_setting, set_setting
from app.services.security import Action, authorize

TRAINING_DATE_KEY = "court_training_date"
# The court began its work in 2006; a training date before it has nothing to show.
EARLIEST_TRAINING_DATE = date(2006, 1, 1)


class CourtError(ValueError):
    """The court data cannot be used, or a training date was refused (message translated)."""


def court() -> Court:
    try:
        return load_court()
    except CourtDataError as error:
        raise CourtError(
            _("The court data file has a mistake: {problem}").format(problem=str(error))
        ) from error


def reparations() -> Reparations:
    """The awarded reparations (``assets/reparations.yaml``), checked against the court's cases."""
    try:
        awarded = load_reparations()
        awarded.check_cases(court())
    except CourtDataError as error:
        raise CourtError(
            _("The reparations data file has a mistake: {problem}").format(problem=str(error))
        ) from error
    return awarded


def training_date(ctx: AppContext) -> date | None:
    """The past date the app runs as of, or None when it runs as of today."""
    value = get_setting(ctx, TRAINING_DATE_KEY)
    if not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST_TRAINING_DATE <= day < clock.today() else None


def as_of(ctx: AppContext) -> date:
    """The day whose truth the app tells: the training date, or today."""
    return training_date(ctx) or clock.today()


def court_now(ctx: AppContext) -> CourtOnDate:
    """What is true about the court on the app's day (see :func:`as_of`)."""
    return court_on(as_of(ctx), court())


def case_choice_notes(ctx: AppContext) -> dict[str, Text]:
    """Per case id, how a case choice is labelled on the app's day: its state when closed, or
    until when it accepts civil party applications (a form's ``court_case`` choices)."""
    from app.core.court_text import case_choice_note

    return {item.case.id: case_choice_note(item) for item in court_now(ctx).cases}


FOR_THE_RECORD_NEXT = Text(
    "សម្រាប់កំណត់ត្រា និងបណ្ណសារ៖ តុលាការមិនអាចទទួលស្គាល់ពាក្យនេះជាពាក្យសុំតាំងខ្លួនជាដើម"
    "បណ្តឹងរដ្ឋប្បវេណីបានទេ ព្រោះសំណុំរឿងមិនទទួលពាក្យសុំទៀតទេ។ ពាក្យនេះត្រូវបានរក្សាទុក"
    "ជាកំណត់ត្រា និងបណ្ណសារ។ អ្នកមិនចាំបាច់បង់ប្រាក់អ្វីទេ។",
    "For the record and the archive: the court cannot admit this as a civil party application, "
    "because no case accepts applications now. It is kept for the record and the archive. You do "
    "not have to pay anything.",
)
CLOSED_COURT_NEXT = Text(
    "សំណុំរឿងទាំងអស់របស់តុលាការបានបិទហើយ៖ នឹងគ្មានការកាត់ទោស ឬសវនាការថ្មីទេ។ ពាក្យរបស់អ្នក"
    "ត្រូវបានរក្សាទុកជាកំណត់ត្រា និងបណ្ណសារ។ អ្នកមិនចាំបាច់បង់ប្រាក់អ្វីទេ។",
    "The court's cases are all closed: there will be no new prosecution or hearing. Your account "
    "is kept for the record and the archive. You do not have to pay anything.",
)


def receipt_next_steps(
    ctx: AppContext, form: FormDefinition, answers: Mapping[str, Any]
) -> Text | None:
    """What the receipt says happens next, true on the app's day; None: the usual text (a court
    still at work and a case that can take the application)."""
    now = court_now(ctx)
    if is_civil_party(form, answers):
        case = record_case(form, answers, now.court)
        item = now.case(case.id) if case is not None else None
        closed = (
            item.accepts_civil_parties is False
            if item is not None
            else now.any_accepting_civil_parties is False
        )
        if closed:
            return FOR_THE_RECORD_NEXT
    if not now.phase.judicial:
        return CLOSED_COURT_NEXT
    return None


def set_training_date(ctx: AppContext, day: date | None) -> None:
    """Run the app as of ``day`` (None: as of today again). Supervisors and administrators only;
    audited."""
    officer = authorize(ctx, Action.SETTINGS)
    if day is not None and not EARLIEST_TRAINING_DATE <= day < clock.today():
        raise CourtError(
            _("A training date must be in the past, from {first} on.").format(
                first=format_date(EARLIEST_TRAINING_DATE)
            )
        )
    previous = training_date(ctx)
    set_setting(ctx, TRAINING_DATE_KEY, day.isoformat() if day else None)
    with ctx.store.transaction() as session:
        record_audit(
            session,
            ctx,
            AuditAction.SETTINGS_CHANGE,
            details={
                "setting": TRAINING_DATE_KEY,
                "from": previous.isoformat() if previous else None,
                "to": day.isoformat() if day else None,
                "by": officer.username,
            },
        )


def training_banner(ctx: AppContext) -> str | None:
    """The banner every screen shows while a training date is set (translated), else None."""
    day = training_date(ctx)
    if day is None:
        return None
    return _(
        "TRAINING — the app shows the court as it was on {date}. This is not true today."
    ).format(date=format_date(day))


def printed_banner_text(day: date) -> Text:
    # Imported here, where a PDF is made: app.pdf loads ReportLab, which the main window does not
    # need when it opens (start-up time, issue 20).
    from app.pdf.layout import english_date, khmer_date

    return Text(
        f"ហ្វឹកហាត់ — ស្ថានភាពតុលាការ នៅថ្ងៃ {khmer_date(day)} មិនមែនការពិតនៅថ្ងៃនេះទេ",
        f"TRAINING — the court as it was on {english_date(day)}; not true today",
    )


@contextmanager
def printing(ctx: AppContext) -> Iterator[None]:
    """Render documents inside this block: in training, every page carries the banner."""
    from app.pdf.layout import print_banner

    day = training_date(ctx)
    with print_banner(printed_banner_text(day).both(" · ") if day else None):
        yield


__all__ = [
    "CourtError",
    "as_of",
    "court",
    "court_now",
    "printed_banner_text",
    "printing",
    "reparations",
    "set_training_date",
    "training_banner",
    "training_date",
]
