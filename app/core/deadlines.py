"""Court deadlines as data: which records are at risk of missing one, and intake warnings.

The dates live in ``assets/deadlines.yaml`` (one entry per case, edited by the VSS without a code
change; see the comments in that file). Three deadlines are known:

- ``civil_party`` (Internal Rule 23bis): a civil party application must be filed no later than
  15 days after the Co-Investigating Judges notify the end of the judicial investigation. The file
  holds the date of that notice; the due date is computed from it.
- ``protective_measures`` (Rule 29): the last day to ask for protective measures in the case.
- ``complaint_not_pursued`` (Rule 53(6)): when a complaint is not pursued the complainant has
  30 days from the notice to act; counted from the day this device learnt the status "rejected".

Pure functions: no SQL, no Qt. Errors name the file and the line of the problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from app.core.forms.model import Text
from app.core.resources import assets_dir

DEADLINES_FILE = "deadlines.yaml"
CIVIL_PARTY_DAYS = 15
NOT_PURSUED_DAYS = 30
# Records in these statuses have reached the central office: filing deadlines no longer threaten them.
SENT_STATUSES = frozenset({"synced", "acknowledged"})
NOT_PURSUED_STATUS = "rejected"

_ID = re.compile(r"^[a-z0-9_]+$")
_CASE_KEYS = frozenset(
    {
        "id",
        "name",
        "applies_to",
        "investigation_end_notified",
        "civil_party_days",
        "protective_measures_deadline",
        "complaint_not_pursued_notice_days",
    }
)


class DeadlineKind(StrEnum):
    CIVIL_PARTY = "civil_party"
    PROTECTIVE_MEASURES = "protective_measures"
    COMPLAINT_NOT_PURSUED = "complaint_not_pursued"


DEADLINE_NAMES: dict[DeadlineKind, Text] = {
    DeadlineKind.CIVIL_PARTY: Text(
        "ថ្ងៃផុតកំណត់ដាក់ពាក្យសុំតាំងខ្លួនជាដើមបណ្តឹងរដ្ឋប្បវេណី (វិធាន ២៣bis)",
        "Civil party application deadline (Rule 23bis)",
    ),
    DeadlineKind.PROTECTIVE_MEASURES: Text(
        "ថ្ងៃផុតកំណត់ស្នើសុំវិធានការការពារ (វិធាន ២៩)",
        "Protective measures deadline (Rule 29)",
    ),
    DeadlineKind.COMPLAINT_NOT_PURSUED: Text(
        "រយៈពេល ៣០ថ្ងៃ ក្រោយការជូនដំណឹងថាពាក្យបណ្តឹងមិនត្រូវបានបន្ត (វិធាន ៥៣(៦))",
        "30 days after notice that the complaint is not pursued (Rule 53(6))",
    ),
}


class DeadlineFileError(ValueError):
    """The deadlines file is malformed: ``file``, ``line`` (1-based, or None) and ``problem``."""

    def __init__(self, file: Path | str, line: int | None, problem: str) -> None:
        self.file = Path(file).name
        self.line = line
        self.problem = problem
        where = f"{self.file}, line {line}" if line else self.file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Case:
    id: str
    name: Text
    applies_to: tuple[str, ...]
    investigation_end_notified: date | None = None
    civil_party_days: int = CIVIL_PARTY_DAYS
    protective_measures_deadline: date | None = None
    complaint_not_pursued_notice_days: int = NOT_PURSUED_DAYS

    @property
    def civil_party_deadline(self) -> date | None:
        """The last day to file a civil party application (None until the notice is known)."""
        if self.investigation_end_notified is None:
            return None
        return self.investigation_end_notified + timedelta(days=self.civil_party_days)


# --- loading -------------------------------------------------------------------------------------


class _LineMap(dict[Any, Any]):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """Safe loading that remembers the line of each mapping, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineMap:
    loader.flatten_mapping(node)
    result = _LineMap(loader.construct_pairs(node, deep=True))
    result.line = node.start_mark.line + 1
    return result


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as error:  # e.g. 2027-02-30
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value} is not a real date", node.start_mark
        ) from error


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def deadlines_path() -> Path:
    return assets_dir() / DEADLINES_FILE


def _line(item: Any) -> int | None:
    return item.line if isinstance(item, _LineMap) else None


def _date(value: Any, key: str, file: Path, line: int | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise DeadlineFileError(file, line, f"'{key}' must be a date written YYYY-MM-DD, not {value!r}")


def _days(value: Any, key: str, default: int, file: Path, line: int | None) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DeadlineFileError(file, line, f"'{key}' must be a whole number of days (0 or more)")
    return value


def _text(value: Any, key: str, file: Path, line: int | None) -> Text:
    if not isinstance(value, Mapping):
        raise DeadlineFileError(file, line, f"'{key}' needs a Khmer (km) and an English (en) text")
    texts = {lang: value.get(lang) for lang in ("km", "en")}
    for lang, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise DeadlineFileError(file, _line(value) or line, f"'{key}' has no '{lang}' text")
    return Text(km=str(texts["km"]).strip(), en=str(texts["en"]).strip())


def _case(item: Any, file: Path, fallback_line: int | None) -> Case:
    if not isinstance(item, Mapping):
        raise DeadlineFileError(file, fallback_line, "each case must be a mapping with an 'id'")
    line = _line(item) or fallback_line
    unknown = sorted(str(k) for k in item if k not in _CASE_KEYS)
    if unknown:
        raise DeadlineFileError(
            file,
            line,
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_CASE_KEYS))}",
        )
    case_id = item.get("id")
    if not isinstance(case_id, str) or not _ID.match(case_id):
        raise DeadlineFileError(file, line, "'id' must be lower-case letters, digits or _")
    applies_to = item.get("applies_to")
    if (
        not isinstance(applies_to, list)
        or not applies_to
        or not all(isinstance(f, str) and f for f in applies_to)
    ):
        raise DeadlineFileError(
            file, line, f"case '{case_id}': 'applies_to' must list form ids, e.g. [civil_party]"
        )
    return Case(
        id=case_id,
        name=_text(item.get("name"), "name", file, line),
        applies_to=tuple(applies_to),
        investigation_end_notified=_date(
            item.get("investigation_end_notified"), "investigation_end_notified", file, line
        ),
        civil_party_days=_days(
            item.get("civil_party_days"), "civil_party_days", CIVIL_PARTY_DAYS, file, line
        ),
        protective_measures_deadline=_date(
            item.get("protective_measures_deadline"), "protective_measures_deadline", file, line
        ),
        complaint_not_pursued_notice_days=_days(
            item.get("complaint_not_pursued_notice_days"),
            "complaint_not_pursued_notice_days",
            NOT_PURSUED_DAYS,
            file,
            line,
        ),
    )


def parse_deadlines(text: str, file: Path | str = DEADLINES_FILE) -> tuple[Case, ...]:
    """The cases of a deadlines document; DeadlineFileError says which line is wrong."""
    path = Path(file)
    try:
        document = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        problem = str(error.problem)
        if not isinstance(error, yaml.constructor.ConstructorError):
            problem = f"not valid YAML: {problem}"
        raise DeadlineFileError(path, line, problem) from error
    except yaml.YAMLError as error:
        raise DeadlineFileError(path, None, f"not valid YAML: {error}") from error
    if document is None:
        return ()
    if not isinstance(document, Mapping) or not isinstance(document.get("cases"), list):
        raise DeadlineFileError(path, _line(document), "the file must have a list 'cases:'")
    cases: list[Case] = []
    seen: set[str] = set()
    for item in document["cases"]:
        case = _case(item, path, _line(document))
        if case.id in seen:
            raise DeadlineFileError(path, _line(item), f"case id '{case.id}' is used twice")
        seen.add(case.id)
        cases.append(case)
    return tuple(cases)


def load_deadlines(path: Path | None = None) -> tuple[Case, ...]:
    """Read the deadlines file (the bundled one by default); a missing file means no deadlines."""
    path = path or deadlines_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as error:
        raise DeadlineFileError(path, None, f"cannot be read: {error}") from error
    return parse_deadlines(text, path)


# --- computing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFacts:
    """What the deadline rules need to know about one record."""

    application_id: str
    reference: str | None
    name: str
    form_id: str
    status: str
    court_status: str | None = None
    identity_protected: bool = False
    # The day the current court status was first seen on this device.
    status_noticed_on: date | None = None


@dataclass(frozen=True)
class DeadlineRisk:
    application_id: str
    reference: str | None
    name: str
    case: Case
    kind: DeadlineKind
    due_date: date
    days_left: int  # negative: the deadline has passed


def due_dates(case: Case, record: RecordFacts) -> list[tuple[DeadlineKind, date]]:
    """The deadlines of ``case`` that apply to ``record``, with their due dates."""
    if record.form_id not in case.applies_to:
        return []
    found: list[tuple[DeadlineKind, date]] = []
    not_sent = record.status not in SENT_STATUSES
    if not_sent and case.civil_party_deadline is not None:
        found.append((DeadlineKind.CIVIL_PARTY, case.civil_party_deadline))
    if not_sent and record.identity_protected and case.protective_measures_deadline is not None:
        found.append((DeadlineKind.PROTECTIVE_MEASURES, case.protective_measures_deadline))
    if record.court_status == NOT_PURSUED_STATUS and record.status_noticed_on is not None:
        due = record.status_noticed_on + timedelta(days=case.complaint_not_pursued_notice_days)
        found.append((DeadlineKind.COMPLAINT_NOT_PURSUED, due))
    return found


def at_risk(
    today: date, cases: Iterable[Case], records: Iterable[RecordFacts], warn_days: int = 30
) -> list[DeadlineRisk]:
    """Deadlines due within ``warn_days`` (or already passed), most urgent first."""
    case_list = list(cases)
    risks: list[DeadlineRisk] = []
    for record in records:
        for case in case_list:
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
    case: Case
    kind: DeadlineKind
    due_date: date
    days_left: int


def intake_deadlines(
    today: date,
    cases: Iterable[Case],
    form_id: str,
    *,
    civil_party: bool,
    protection: bool,
    warn_days: int = 30,
) -> list[IntakeDeadline]:
    """Deadlines an application being taken now has missed or is close to missing."""
    found: list[IntakeDeadline] = []
    for case in cases:
        if form_id not in case.applies_to:
            continue
        candidates: list[tuple[DeadlineKind, date | None]] = []
        if civil_party:
            candidates.append((DeadlineKind.CIVIL_PARTY, case.civil_party_deadline))
        if protection:
            candidates.append((DeadlineKind.PROTECTIVE_MEASURES, case.protective_measures_deadline))
        for kind, due in candidates:
            if due is not None and (due - today).days <= warn_days:
                found.append(IntakeDeadline(case, kind, due, (due - today).days))
    return found


__all__ = [
    "CIVIL_PARTY_DAYS",
    "DEADLINES_FILE",
    "DEADLINE_NAMES",
    "NOT_PURSUED_DAYS",
    "Case",
    "DeadlineFileError",
    "DeadlineKind",
    "DeadlineRisk",
    "IntakeDeadline",
    "RecordFacts",
    "at_risk",
    "deadlines_path",
    "due_dates",
    "intake_deadlines",
    "load_deadlines",
    "parse_deadlines",
]
