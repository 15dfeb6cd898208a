"""Court deadlines, tied to the case a record names: which records are at risk of missing one.

The dates are court facts in ``assets/court.yaml`` (see :mod:`app.core.court`); a record names its
case through the field with the ``court_case`` role (or "not known"), and only that case's deadlines
apply to it. Two deadlines are known:

- ``civil_party`` (Internal Rule 23bis(2)): a civil party application must be filed no later than
  15 days after the Co-Investigating Judges notify the end of the judicial investigation (before
  2010: a date the court set, e.g. 2 February 2009 in Case 001), plus any grace the court granted.
- ``protective_measures`` (Rule 29): the last day to ask for protective measures, when the court
  set one in a case.

Rule 53(6) is not a deadline: it obliges the Co-Prosecutors to tell a complainant within 30 days
when they decide not to pursue a complaint. It gives the complainant no period to act and does not
concern civil parties, so it is described (:data:`NOT_PURSUED_NOTICE`) and never counted down.

Pure functions: no SQL, no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.core.court import CourtCase
from app.core.forms.model import Text

# Records in these statuses have reached the central office: filing deadlines no longer threaten them.
SENT_STATUSES = frozenset({"synced", "acknowledged"})
NOT_PURSUED_DAYS = 30


class DeadlineKind(StrEnum):
    CIVIL_PARTY = "civil_party"
    PROTECTIVE_MEASURES = "protective_measures"


@dataclass(frozen=True)
class DeadlineRule:
    name: Text
    rule: str
    source: str


DEADLINE_RULES: Mapping[DeadlineKind, DeadlineRule] = {
    DeadlineKind.CIVIL_PARTY: DeadlineRule(
        Text(
            "ថ្ងៃផុតកំណត់ដាក់ពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី",
            "Civil party application deadline",
        ),
        "Internal Rule 23bis(2)",
        "eccc.gov.kh/km/topic/1266",
    ),
    DeadlineKind.PROTECTIVE_MEASURES: DeadlineRule(
        Text("ថ្ងៃផុតកំណត់ស្នើសុំវិធានការការពារ", "Protective measures deadline"),
        "Internal Rule 29",
        "eccc.gov.kh/topic/511",
    ),
}
DEADLINE_NAMES: Mapping[DeadlineKind, Text] = {
    kind: Text(f"{rule.name.km} ({rule.rule})", f"{rule.name.en} ({rule.rule})")
    for kind, rule in DEADLINE_RULES.items()
}

# What Rule 53(6) is: a notice the complainant can expect, not a period to act.
NOT_PURSUED_NOTICE = DeadlineRule(
    Text(
        "បើសហព្រះរាជអាជ្ញាសម្រេចមិនបន្តពាក្យបណ្តឹង ពួកគាត់ត្រូវជូនដំណឹងដល់អ្នកដាក់ពាក្យបណ្តឹង"
        " ក្នុងរយៈពេល៣០ថ្ងៃ។ នេះមិនមែនជាថ្ងៃផុតកំណត់សម្រាប់អ្នកដាក់ពាក្យបណ្តឹងទេ។",
        "When the Co-Prosecutors decide not to pursue a complaint, they must tell the complainant "
        "within 30 days. This is not a deadline for the complainant.",
    ),
    "Internal Rule 53(6)",
    "eccc.gov.kh/km/topic/383",
)


@dataclass(frozen=True)
class RecordFacts:
    """What the deadline rules need to know about one record."""

    application_id: str
    reference: str | None
    name: str
    status: str
    case_id: str | None  # the case the record names; None: none or not known
    civil_party: bool  # a civil party application (by form or by the applicant's choice)
    identity_protected: bool = False
    # The day the record was started: a deadline that had already passed then is not a risk
    # (the intake note told the officer the case was closed; the record is for the archive).
    started_on: date | None = None


@dataclass(frozen=True)
class DeadlineRisk:
    application_id: str
    reference: str | None
    name: str
    case: CourtCase
    kind: DeadlineKind
    due_date: date
    days_left: int  # negative: the deadline has passed


def case_deadlines(
    case: CourtCase, *, civil_party: bool, protection: bool
) -> list[tuple[DeadlineKind, date]]:
    """The deadlines of ``case`` that concern an application of this kind."""
    found: list[tuple[DeadlineKind, date]] = []
    if civil_party and case.civil_party_last_day is not None:
        found.append((DeadlineKind.CIVIL_PARTY, case.civil_party_last_day))
    if protection and case.protective_measures_deadline is not None:
        found.append((DeadlineKind.PROTECTIVE_MEASURES, case.protective_measures_deadline))
    return found


def due_dates(case: CourtCase, record: RecordFacts) -> list[tuple[DeadlineKind, date]]:
    """The deadlines of ``case`` that apply to ``record``: only the case it names, only while it
    has not reached the central office."""
    if record.case_id != case.id or record.status in SENT_STATUSES:
        return []
    found = case_deadlines(
        case, civil_party=record.civil_party, protection=record.identity_protected
    )
    started = record.started_on
    return [(kind, due) for kind, due in found if started is None or due >= started]


def at_risk(
    today: date, cases: Iterable[CourtCase], records: Iterable[RecordFacts], warn_days: int = 30
) -> list[DeadlineRisk]:
    """Deadlines due within ``warn_days`` (or already passed since the record was started), most
    urgent first."""
    by_id = {case.id: case for case in cases}
    risks: list[DeadlineRisk] = []
    for record in records:
        case = by_id.get(record.case_id or "")
        if case is None:
            continue
        for kind, due in due_dates(case, record):
            days_left = (due - today).days
            if days_left <= warn_days:
                risks.append(
                    DeadlineRisk(
                        record.application_id,
                        record.reference,
                        record.name,
                        case,
                        kind,
                        due,
                        days_left,
                    )
                )
    risks.sort(key=lambda r: (r.days_left, r.reference or "", r.application_id, r.kind))
    return risks


@dataclass(frozen=True)
class IntakeDeadline:
    case: CourtCase
    kind: DeadlineKind
    due_date: date
    days_left: int


def intake_deadlines(
    today: date,
    case: CourtCase | None,
    *,
    civil_party: bool,
    protection: bool,
    warn_days: int = 30,
) -> list[IntakeDeadline]:
    """Deadlines of the application's own case that it has missed or is close to missing."""
    if case is None:
        return []
    return [
        IntakeDeadline(case, kind, due, (due - today).days)
        for kind, due in case_deadlines(case, civil_party=civil_party, protection=protection)
        if (due - today).days <= warn_days
    ]


__all__ = [
    "DEADLINE_NAMES",
    "DEADLINE_RULES",
    "NOT_PURSUED_DAYS",
    "NOT_PURSUED_NOTICE",
    "DeadlineKind",
    "DeadlineRisk",
    "DeadlineRule",
    "IntakeDeadline",
    "RecordFacts",
    "at_risk",
    "case_deadlines",
    "due_dates",
    "intake_deadlines",
]
