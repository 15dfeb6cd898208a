"""Following applicants after intake: records at risk of missing a court deadline, and the
warning shown at intake when a deadline has passed or is close.

The deadlines are data (``assets/deadlines.yaml``, read on every call so an edited file takes
effect at once); the rules are in ``app.core.deadlines``. The 30-day period after a complaint is
not pursued counts from the day this device first saw the status "rejected", which is written to
``court_status_notices`` the first time a list is made after the status arrived.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.deadlines import (
    DEADLINE_NAMES,
    Case,
    DeadlineFileError,
    DeadlineKind,
    RecordFacts,
    at_risk,
    intake_deadlines,
    load_deadlines,
)
from app.core.forms import FieldRole, FormDefinition
from app.core.protection import identity_protected
from app.i18n import _, current_language, format_date, format_number
from app.services import access, errors
from app.services.context import AppContext
from app.store.models import Application, CourtStatusNotice

__all__ = [
    "AtRisk",
    "DeadlinesError",
    "deadline_cases",
    "intake_deadline_warning",
    "note_status_changes",
    "records_at_risk",
]

CIVIL_PARTY_CHOICE = "civil_party"


class DeadlinesError(errors.RecordError):
    """The deadlines file cannot be used; the message is translated and names the line."""


@dataclass(frozen=True)
class AtRisk:
    application_id: str
    reference: str | None
    name: str
    deadline_name: str  # translated, with the case
    due_date: date
    days_left: int  # negative: passed
    kind: str = ""
    case_id: str = ""


def deadline_cases(path: Path | None = None) -> tuple[Case, ...]:
    try:
        return load_deadlines(path)
    except DeadlineFileError as error:
        raise DeadlinesError(
            _("The deadlines file has a mistake: {problem}").format(problem=str(error))
        ) from error


def _deadline_label(case: Case, kind: DeadlineKind) -> str:
    lang = current_language()
    return f"{DEADLINE_NAMES[kind].get(lang)} — {case.name.get(lang)}"


def note_status_changes(session: Session, today: date) -> None:
    """Remember the day each record's current court status was first seen on this device."""
    rows = session.execute(
        select(Application.id, Application.court_status, CourtStatusNotice).outerjoin(
            CourtStatusNotice, CourtStatusNotice.application_id == Application.id
        )
    ).all()
    moment = datetime(today.year, today.month, today.day)
    for application_id, court_status, notice in rows:
        if court_status is None:
            if notice is not None:
                session.delete(notice)
        elif notice is None:
            session.add(
                CourtStatusNotice(
                    application_id=application_id, court_status=court_status, noticed_on=moment
                )
            )
        elif notice.court_status != court_status:
            notice.court_status = court_status
            notice.noticed_on = moment


def records_at_risk(
    ctx: AppContext,
    today: date | None = None,
    warn_days: int = 30,
    deadlines_file: Path | None = None,
) -> list[AtRisk]:
    """Visible records whose deadline is due within ``warn_days`` or has passed, most urgent
    first. Drafts count: an unfinished civil party application still has to be filed in time."""
    today = today or date.today()
    cases = deadline_cases(deadlines_file)
    if not cases:
        return []
    with ctx.store.transaction() as session:
        note_status_changes(session, today)
        statement = access.visible_applications(
            select(
                Application.id,
                Application.reference,
                Application.name_km,
                Application.name_latin,
                Application.form_id,
                Application.status,
                Application.court_status,
                Application.identity_protected,
                CourtStatusNotice.noticed_on,
            ).outerjoin(CourtStatusNotice, CourtStatusNotice.application_id == Application.id),
            ctx,
        )
        rows = session.execute(statement).all()
    facts = [
        RecordFacts(
            application_id=row.id,
            reference=row.reference,
            name=" / ".join(n for n in (row.name_km, row.name_latin) if n),
            form_id=row.form_id,
            status=row.status,
            court_status=row.court_status,
            identity_protected=bool(row.identity_protected),
            status_noticed_on=row.noticed_on.date() if row.noticed_on else None,
        )
        for row in rows
    ]
    return [
        AtRisk(
            risk.application_id,
            risk.reference,
            risk.name,
            _deadline_label(risk.case, risk.kind),
            risk.due_date,
            risk.days_left,
            str(risk.kind),
            risk.case.id,
        )
        for risk in at_risk(today, cases, facts, warn_days)
    ]


def _answer_with_role(form: FormDefinition, answers: Mapping[str, Any], role: FieldRole) -> Any:
    item = form.field_with_role(role)
    return answers.get(item.id) if item is not None else None


def intake_deadline_warning(
    form: FormDefinition,
    answers: Mapping[str, Any],
    today: date | None = None,
    warn_days: int = 30,
    deadlines_file: Path | None = None,
) -> list[str]:
    """Translated warnings for the application being taken: a deadline of its case has passed
    or is close. The civil party deadline counts for a civil party form, or for a complaint
    whose applicant chose to become a civil party."""
    today = today or date.today()
    participation = _answer_with_role(form, answers, FieldRole.PARTICIPATION)
    civil_party = form.id == CIVIL_PARTY_CHOICE or participation == CIVIL_PARTY_CHOICE
    protection = identity_protected(form, answers)
    lang = current_language()
    warnings: list[str] = []
    for item in intake_deadlines(
        today,
        deadline_cases(deadlines_file),
        form.id,
        civil_party=civil_party,
        protection=protection,
        warn_days=warn_days,
    ):
        values = {
            "deadline": DEADLINE_NAMES[item.kind].get(lang),
            "case": item.case.name.get(lang),
            "date": format_date(item.due_date, lang),
            "days": format_number(item.days_left, lang),
        }
        if item.days_left < 0:
            text = _(
                '{case}: the deadline "{deadline}" passed on {date}. Take the application, '
                "but tell the applicant it may be too late, and ask the office."
            )
        elif item.days_left == 0:
            text = _('{case}: the deadline "{deadline}" is today ({date}). Send it today.')
        else:
            text = _(
                '{case}: the deadline "{deadline}" is on {date}, in {days} days. '
                "Send the application as soon as possible."
            )
        warnings.append(text.format(**values))
    return warnings
