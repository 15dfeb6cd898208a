"""Following applicants after intake: records at risk of missing a deadline of their own case,
and the note shown at intake when the case is closed or a deadline has passed or is close.

Court facts and dates are data (``assets/court.yaml``, re-read when it changes); the rules are in
``app.core.deadlines``. A record's case is the answer of its ``court_case`` field; a record that
names no case (or "not known") has no case deadline. Rule 53(6) (the Co-Prosecutors tell a
complainant within 30 days that a complaint is not pursued) is a notice, not a deadline: it is never
counted down here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    false,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from app.core import clock
from app.core.court import Court, CourtCase, court_on
from app.core.court_text import case_choice_note, date_text
from app.core.deadlines import (
    DEADLINE_RULES,
    SENT_STATUSES,
    DeadlineKind,
    RecordFacts,
    at_risk,
    case_deadlines,
    intake_deadlines,
)
from app.core.errors import JobCancelled
from app.core.forms import FormDefinition
from app.core.protection import identity_protected
from app.core.record_court import is_civil_party, record_case
from app.i18n import _, current_language, format_date, format_number
from app.services import access, deadline_facts, errors
from app.services import court as court_service
from app.services.context import AppContext
from app.store.models import Application, CourtStatusNotice

__all__ = [
    "AtRisk",
    "DeadlinesError",
    "deadline_label",
    "intake_deadline_warning",
    "note_status_changes",
    "record_case",
    "records_at_risk",
]


class DeadlinesError(errors.RecordError):
    """The court data cannot be used; the message is translated and names the line."""


@dataclass(frozen=True)
class AtRisk:
    application_id: str
    reference: str | None
    name: str
    deadline_name: str  # translated, with the case, the rule and its source
    due_date: date
    days_left: int  # negative: passed
    kind: str = ""
    case_id: str = ""


def _court() -> Court:
    try:
        return court_service.court()
    except court_service.CourtError as error:
        raise DeadlinesError(str(error)) from error


def deadline_label(case: CourtCase, kind: DeadlineKind) -> str:
    """The deadline's name, its case, its rule and its source (in the UI language)."""
    lang = current_language()
    rule = DEADLINE_RULES[kind]
    return f"{rule.name.get(lang)} — {case.name.get(lang)} ({rule.rule}; {rule.source})"


def note_status_changes(
    session: Session, today: date, application_ids: Sequence[str] | None = None
) -> None:
    """Remember the day each record's current court status was first seen on this device
    (only for ``application_ids`` when given: the records a sync just changed).

    Set-based (a handful of statements whatever the number of records): a sync applies
    statuses 500 records at a time. Without ids, only the records whose status differs from the
    one noted are read (through the court status index): the deadline count runs this each
    time, and reading every record for it took seconds at 100,000 records.
    """
    statement = select(
        Application.id, Application.court_status, CourtStatusNotice.court_status
    ).outerjoin(CourtStatusNotice, CourtStatusNotice.application_id == Application.id)
    if application_ids is None:
        unnoted = statement.where(
            Application.court_status.is_not(None),
            or_(
                CourtStatusNotice.court_status.is_(None),
                CourtStatusNotice.court_status != Application.court_status,
            ),
        )
        withdrawn = (
            select(Application.id, Application.court_status, CourtStatusNotice.court_status)
            .join(Application, Application.id == CourtStatusNotice.application_id)
            .where(Application.court_status.is_(None))
        )
        rows = [*session.execute(unnoted).tuples(), *session.execute(withdrawn).tuples()]
    else:
        ids = list(application_ids)
        rows = [
            row
            for start in range(0, len(ids), 500)
            for row in session.execute(
                statement.where(Application.id.in_(ids[start : start + 500]))
            ).tuples()
        ]
    moment = datetime(today.year, today.month, today.day)
    gone = [
        application_id for application_id, status, noticed in rows if status is None and noticed
    ]
    new = [
        {"application_id": application_id, "court_status": status, "noticed_on": moment}
        for application_id, status, noticed in rows
        if status is not None and noticed is None
    ]
    changed = [
        {"application_id": application_id, "court_status": status, "noticed_on": moment}
        for application_id, status, noticed in rows
        if status is not None and noticed is not None and noticed != status
    ]
    for start in range(0, len(gone), 500):
        session.execute(
            delete(CourtStatusNotice)
            .where(CourtStatusNotice.application_id.in_(gone[start : start + 500]))
            .execution_options(synchronize_session=False)
        )
    # On the table (Core): the ORM's bulk INSERT and UPDATE by primary key sorted every row's
    # parameters again, which took longer than SQLite's work (a sync notes 2000 a receipt).
    table = cast(Table, CourtStatusNotice.__table__)
    if new:
        session.execute(insert(table), new)
    if changed:
        session.execute(
            update(table)
            .where(table.c.application_id == bindparam("target"))
            .values(court_status=bindparam("status"), noticed_on=bindparam("noticed")),
            [
                {
                    "target": row["application_id"],
                    "status": row["court_status"],
                    "noticed": row["noticed_on"],
                }
                for row in changed
            ],
        )


def records_at_risk(
    ctx: AppContext,
    today: date | None = None,
    warn_days: int = 30,
    court: Court | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[AtRisk]:
    """Visible records whose own case has a deadline due within ``warn_days`` or passed, most
    urgent first. Drafts count: an unfinished civil party application still has to be filed in
    time. ``today`` defaults to the app's day (today, or the training date). ``cancelled``:
    stop (JobCancelled) when it says so.

    The records are found by one query on the derived deadline columns (app.services.
    deadline_facts): only those naming a case with a deadline in the window, started before it
    (or after the day counted: a training day in the past); the rules of app.core.deadlines then
    decide on those few."""
    today = today or court_service.as_of(ctx)
    court = court or _court()
    statement = access.visible_applications(
        select(
            Application.id,
            Application.reference,
            Application.name_km,
            Application.name_latin,
            Application.status,
            Application.identity_protected,
            Application.created_at,
            Application.court_case,
            Application.civil_party,
        ).where(_may_be_at_risk(court, today, warn_days)),
        ctx,
    )
    with ctx.store.transaction() as session:
        note_status_changes(session, today)
    deadline_facts.derive_missing_facts(ctx.store, cancelled)
    # Read in a transaction of its own: the writes above are not held while records are read.
    with ctx.store.reading() as session:
        # Core rows (the ORM adds nothing to plain columns): a training day reads thousands.
        facts = _record_facts(session.connection().execute(statement), today, cancelled)
    return [
        AtRisk(
            risk.application_id,
            risk.reference,
            risk.name,
            deadline_label(risk.case, risk.kind),
            risk.due_date,
            risk.days_left,
            str(risk.kind),
            risk.case.id,
        )
        for risk in at_risk(today, court.cases, facts, warn_days)
    ]


# Which derived column says that a deadline of each kind concerns the record.
_CONCERNED_BY = {
    DeadlineKind.CIVIL_PARTY: Application.civil_party,
    DeadlineKind.PROTECTIVE_MEASURES: Application.identity_protected,
}


def _may_be_at_risk(court: Court, today: date, warn_days: int) -> ColumnElement[bool]:
    """The records the rules could find at risk on ``today``: not yet sent, naming a case with a
    deadline (of a kind that concerns them) due by ``today + warn_days``, and started on or
    before that deadline or after ``today`` (app.core.deadlines.due_dates). A superset the
    rules then narrow (each term an index range on the case and the start time)."""
    last_due = today + timedelta(days=warn_days)
    # Stamps are UTC; a record's day is the laptop's (app.core.clock.day_of, as _record_facts).
    after_today = clock.start_of(today + timedelta(days=1))
    terms: list[ColumnElement[bool]] = []
    for case in court.cases:
        for kind, due in case_deadlines(case, civil_party=True, protection=True):
            if due > last_due:
                continue
            started_by_then = clock.start_of(due + timedelta(days=1))
            # Started on or before the deadline, or after the day counted (a training day).
            for started in (
                Application.created_at < started_by_then,
                Application.created_at >= after_today,
            ):
                terms.append(
                    and_(Application.court_case == case.id, started, _CONCERNED_BY[kind].is_(True))
                )
    if not terms:
        return false()
    # Facts not derived (a form that cannot be loaded) are never counted, as before.
    return and_(
        or_(*terms),
        Application.status.not_in(sorted(SENT_STATUSES)),
        Application.civil_party.is_not(None),
    )


# How many records are read between two looks at ``cancelled`` (a closing window waits that long).
CANCEL_CHECK_ROWS = 200


def _record_facts(
    rows: Iterable[Any], today: date, cancelled: Callable[[], bool] | None
) -> list[RecordFacts]:
    """What the deadline rules need of each record found, read row by row from the open
    statement so that a count nobody waits for any more (the window closing) stops within a
    few rows."""
    facts: list[RecordFacts] = []
    # Stamps from this one on are of a later day than ``today`` (compared first: a training day
    # reads thousands of those, and reading a stamp as the laptop's day costs microseconds).
    after_today = clock.start_of(today + timedelta(days=1))
    for number, row in enumerate(rows):
        if cancelled is not None and number % CANCEL_CHECK_ROWS == 0 and cancelled():
            raise JobCancelled(_("The count of records close to a deadline was stopped."))
        made = row.created_at
        started_on = clock.day_of(made) if made is not None and made < after_today else None
        facts.append(
            RecordFacts(
                application_id=row.id,
                reference=row.reference,
                name=" / ".join(n for n in (row.name_km, row.name_latin) if n),
                status=row.status,
                case_id=row.court_case,
                civil_party=bool(row.civil_party),
                identity_protected=bool(row.identity_protected),
                # In a training session (a past day) records are "started" after it: ignore.
                started_on=started_on,
            )
        )
    return facts


def intake_deadline_warning(
    form: FormDefinition,
    answers: Mapping[str, Any],
    today: date | None = None,
    warn_days: int = 30,
    court: Court | None = None,
) -> list[str]:
    """Translated notes for the officer about the application being taken, as true on
    ``today``: its case does not accept civil parties (the application is still recorded, for
    the record and the archive), or a deadline of its own case has passed or is close. Each
    deadline is named with its rule and source."""
    today = today or clock.today()
    court = court or _court()
    lang = current_language()
    civil_party = is_civil_party(form, answers)
    protection = identity_protected(form, answers)
    case = record_case(form, answers, court)
    notes: list[str] = []
    now = court_on(today, court)
    archive = _(
        "The application is still recorded, for the record and the archive. Tell the "
        "applicant plainly that the court cannot admit it as a civil party application."
    )
    if civil_party and case is not None:
        item = now.case(case.id)
        if item is not None and item.accepts_civil_parties is False:
            notes.append(
                _("{case} does not accept civil party applications on {date} ({state}).").format(
                    case=case.name.get(lang),
                    date=date_text(today, lang),
                    state=case_choice_note(item).get(lang),
                )
                + " "
                + archive
            )
            return notes
    elif civil_party and now.any_accepting_civil_parties is False:
        notes.append(
            _("No case accepts civil party applications on {date}.").format(
                date=date_text(today, lang)
            )
            + " "
            + archive
        )
        return notes
    if not civil_party and not now.phase.judicial:
        notes.append(now.phase.complaints.get(lang))
    for found in intake_deadlines(
        today, case, civil_party=civil_party, protection=protection, warn_days=warn_days
    ):
        values = {
            "deadline": deadline_label(found.case, found.kind),
            "case": found.case.name.get(lang),
            "date": format_date(found.due_date, lang),
            "days": format_number(found.days_left, lang),
        }
        if found.days_left < 0:
            text = _(
                '{case}: the deadline "{deadline}" passed on {date}. Take the application, '
                "but tell the applicant it may be too late, and ask the office."
            )
        elif found.days_left == 0:
            text = _('{case}: the deadline "{deadline}" is today ({date}). Send it today.')
        else:
            text = _(
                '{case}: the deadline "{deadline}" is on {date}, in {days} days. '
                "Send the application as soon as possible."
            )
        notes.append(text.format(**values))
    return notes
