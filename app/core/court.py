"""The court as data: what is true about the ECCC and its cases on a given day.

The facts live in ``assets/court.yaml`` (phases of the court, cases with their charged persons and
dated events, each with a source). :func:`court_on` answers "what is true on date D?": the phase
(judicial work, residual functions until 31 December 2027, after them), each case's state and
whether it accepts civil-party applications that day (yes, no, or not known when the file holds
no deadline). Everything the app tells a survivor about the court reads this answer, so that the
app run in 2026 never speaks of an open case, and a training session run as of 2010-01-20 sees
Case 002 accepting civil parties as it did then.

Pure: no SQL, no Qt. The file is checked on load; an error names the file, the line and the
problem. Size is bounded (a hostile or broken file cannot exhaust memory).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar, cast

from app.core.forms.model import Text
from app.core.resources import assets_dir
from app.core.yaml_lines import LineMap, line_of, load_with_lines

COURT_FILE = "court.yaml"
CIVIL_PARTY_DAYS = 15  # Rule 23bis(2) as amended in 2010: 15 days after the notice
MAX_FILE_BYTES = 256 * 1024
MAX_CASES = 50
MAX_EVENTS = 40
MAX_PHASES = 10
_ID = re.compile(r"^[a-z0-9_]{1,40}$")
T = TypeVar("T")


class CourtDataError(ValueError):
    """``court.yaml`` is malformed: ``file``, ``line`` (1-based, or None) and ``problem``."""

    def __init__(self, file: Path | str, line: int | None, problem: str) -> None:
        self.file = Path(file).name
        self.line = line
        self.problem = problem
        where = f"{self.file}, line {line}" if line else self.file
        super().__init__(f"{where}: {problem}")


class EventKind(StrEnum):
    OPENED = "opened"
    INVESTIGATION_END_NOTIFIED = "investigation_end_notified"
    CIVIL_PARTY_DEADLINE = "civil_party_deadline"
    PROTECTIVE_MEASURES_DEADLINE = "protective_measures_deadline"  # Rule 29, when the court set one
    FINAL = "final"
    TERMINATED = "terminated"
    DISMISSED = "dismissed"
    NOTE = "note"


class CaseState(StrEnum):
    NOT_OPEN = "not_open"  # before its investigation was opened
    OPEN = "open"  # investigation, trial or appeal under way
    FINAL = "final"
    TERMINATED = "terminated"
    DISMISSED = "dismissed"

    @property
    def closed(self) -> bool:
        return self in (CaseState.FINAL, CaseState.TERMINATED, CaseState.DISMISSED)


_CLOSING = {
    EventKind.FINAL: CaseState.FINAL,
    EventKind.TERMINATED: CaseState.TERMINATED,
    EventKind.DISMISSED: CaseState.DISMISSED,
}


@dataclass(frozen=True)
class CourtEvent:
    kind: EventKind
    day: date
    label: Text
    source: str


@dataclass(frozen=True)
class CourtCase:
    id: str
    name: Text
    charged: tuple[Text, ...]
    events: tuple[CourtEvent, ...]  # in date order
    civil_party_days: int = CIVIL_PARTY_DAYS
    grace_days: int = 0

    def _first(self, kind: EventKind) -> CourtEvent | None:
        return next((e for e in self.events if e.kind == kind), None)

    @property
    def opened_on(self) -> date | None:
        event = self._first(EventKind.OPENED)
        return event.day if event else None

    @property
    def civil_party_deadline(self) -> CourtEvent | None:
        """The event fixing the civil-party deadline: set by the court, or computed from the
        notice of the end of the investigation (Rule 23bis: 15 days after it)."""
        explicit = self._first(EventKind.CIVIL_PARTY_DEADLINE)
        if explicit is not None:
            return explicit
        notice = self._first(EventKind.INVESTIGATION_END_NOTIFIED)
        if notice is None:
            return None
        return CourtEvent(
            EventKind.CIVIL_PARTY_DEADLINE,
            notice.day + timedelta(days=self.civil_party_days),
            notice.label,
            notice.source,
        )

    @property
    def civil_party_last_day(self) -> date | None:
        """The last day an application was accepted, grace period included (None: not known)."""
        deadline = self.civil_party_deadline
        return None if deadline is None else deadline.day + timedelta(days=self.grace_days)

    @property
    def protective_measures_deadline(self) -> date | None:
        event = self._first(EventKind.PROTECTIVE_MEASURES_DEADLINE)
        return event.day if event else None

    @property
    def closing_event(self) -> CourtEvent | None:
        return next((e for e in self.events if e.kind in _CLOSING), None)

    def state_on(self, day: date) -> CaseState:
        opened = self.opened_on
        if opened is not None and day < opened:
            return CaseState.NOT_OPEN
        closing = self.closing_event
        if closing is not None and day >= closing.day:
            return _CLOSING[closing.kind]
        if opened is None:
            return CaseState.NOT_OPEN
        return CaseState.OPEN

    def accepts_civil_parties_on(self, day: date) -> bool | None:
        """True or False when the file says; None when no deadline is recorded for an open case."""
        if self.state_on(day) is not CaseState.OPEN:
            return False
        last = self.civil_party_last_day
        if last is None:
            return None
        return day <= last


@dataclass(frozen=True)
class Phase:
    id: str
    start: date | None
    end: date | None
    name: Text
    vss: Text
    complaints: Text
    source: str

    def covers(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    @property
    def judicial(self) -> bool:
        """Investigations, trials and appeals could happen in this phase."""
        return self.id == "judicial"


@dataclass(frozen=True)
class Court:
    name: Text
    residual_functions_until: date
    residual_source: str
    phases: tuple[Phase, ...]
    cases: tuple[CourtCase, ...]

    def case(self, case_id: str) -> CourtCase | None:
        return next((c for c in self.cases if c.id == case_id), None)


@dataclass(frozen=True)
class CaseOnDate:
    case: CourtCase
    state: CaseState
    accepts_civil_parties: bool | None
    last_event: CourtEvent | None  # the latest event on or before the day


@dataclass(frozen=True)
class CourtOnDate:
    """What is true on ``day``: the answer every screen and print reads."""

    day: date
    court: Court
    phase: Phase
    cases: tuple[CaseOnDate, ...]

    def case(self, case_id: str | None) -> CaseOnDate | None:
        return next((c for c in self.cases if c.case.id == case_id), None)

    @property
    def open_cases(self) -> tuple[CaseOnDate, ...]:
        return tuple(c for c in self.cases if c.state is CaseState.OPEN)

    @property
    def accepting_civil_parties(self) -> tuple[CaseOnDate, ...]:
        return tuple(c for c in self.cases if c.accepts_civil_parties is True)

    @property
    def any_accepting_civil_parties(self) -> bool | None:
        """True if a case accepts applications; None if none does but one is open and its
        deadline is not in the file; False when no case can accept one."""
        if self.accepting_civil_parties:
            return True
        if any(c.accepts_civil_parties is None for c in self.cases):
            return None
        return False

    @property
    def proceedings_possible(self) -> bool:
        """Hearings, investigations or new reparation orders can still happen."""
        return self.phase.judicial and bool(self.open_cases)


def court_on(day: date, court: Court | None = None) -> CourtOnDate:
    """What is true about the court on ``day`` (the bundled ``court.yaml`` by default)."""
    court = court or load_court()
    phase = next((p for p in court.phases if p.covers(day)), court.phases[-1])
    cases = tuple(
        CaseOnDate(
            case=case,
            state=case.state_on(day),
            accepts_civil_parties=case.accepts_civil_parties_on(day),
            last_event=next((e for e in reversed(case.events) if e.day <= day), None),
        )
        for case in court.cases
    )
    return CourtOnDate(day, court, phase, cases)


# --- loading ------------------------------------------------------------------------------------


def court_path() -> Path:
    return assets_dir() / COURT_FILE


def _date(value: Any, key: str, file: Path, line: int | None, *, optional: bool) -> date | None:
    if value is None and optional:
        return None
    if isinstance(value, date):
        return value
    raise CourtDataError(file, line, f"'{key}' must be a date written YYYY-MM-DD, not {value!r}")


def _text(value: Any, key: str, file: Path, line: int | None) -> Text:
    if not isinstance(value, Mapping):
        raise CourtDataError(file, line, f"'{key}' needs a Khmer (km) and an English (en) text")
    for lang in ("km", "en"):
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip() or len(text) > 2000:
            raise CourtDataError(file, line_of(value) or line, f"'{key}' has no usable '{lang}'")
    return Text(km=str(value["km"]).strip(), en=str(value["en"]).strip())


def _source(item: Mapping[Any, Any], file: Path, line: int | None, key: str = "source") -> str:
    source = item.get(key)
    if not isinstance(source, str) or not source.strip():
        raise CourtDataError(file, line, "every fact needs a 'source'")
    return " ".join(source.split())


def _keys(item: Any, allowed: set[str], what: str, file: Path, line: int | None) -> None:
    if not isinstance(item, Mapping):
        raise CourtDataError(file, line, f"each {what} must be a mapping")
    unknown = sorted(str(k) for k in item if k not in allowed)
    if unknown:
        raise CourtDataError(file, line_of(item) or line, f"{what}: unknown key(s) {unknown}")


def _days(value: Any, key: str, default: int, file: Path, line: int | None) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
        raise CourtDataError(file, line, f"'{key}' must be a whole number of days (0 to 365)")
    return value


def _event(item: Any, file: Path, fallback: int | None) -> CourtEvent:
    _keys(item, {"kind", "date", "label", "source"}, "event", file, fallback)
    line = line_of(item) or fallback
    try:
        kind = EventKind(item.get("kind"))
    except ValueError:
        allowed = ", ".join(k.value for k in EventKind)
        raise CourtDataError(file, line, f"'kind' must be one of {allowed}") from None
    day = _date(item.get("date"), "date", file, line, optional=False)
    assert day is not None
    return CourtEvent(
        kind, day, _text(item.get("label"), "label", file, line), _source(item, file, line)
    )


def _case(item: Any, file: Path, fallback: int | None) -> CourtCase:
    allowed = {"id", "name", "charged", "events", "civil_party_days", "grace_days"}
    _keys(item, allowed, "case", file, fallback)
    line = line_of(item) or fallback
    case_id = item.get("id")
    if not isinstance(case_id, str) or not _ID.match(case_id):
        raise CourtDataError(file, line, "'id' must be lower-case letters, digits or _")
    charged = item.get("charged") or []
    events = item.get("events")
    if not isinstance(charged, list) or len(charged) > 20:
        raise CourtDataError(file, line, f"case '{case_id}': 'charged' must be a short list")
    if not isinstance(events, list) or not 0 < len(events) <= MAX_EVENTS:
        raise CourtDataError(file, line, f"case '{case_id}': 'events' must list 1 to {MAX_EVENTS}")
    parsed = sorted((_event(e, file, line) for e in events), key=lambda e: e.day)
    closings = [e for e in parsed if e.kind in _CLOSING]
    if len(closings) > 1:
        raise CourtDataError(file, line, f"case '{case_id}' is closed twice")
    return CourtCase(
        id=case_id,
        name=_text(item.get("name"), "name", file, line),
        charged=tuple(_text(p, "charged", file, line) for p in charged),
        events=tuple(parsed),
        civil_party_days=_days(
            item.get("civil_party_days"), "civil_party_days", CIVIL_PARTY_DAYS, file, line
        ),
        grace_days=_days(item.get("grace_days"), "grace_days", 0, file, line),
    )


def _phase(item: Any, file: Path, fallback: int | None) -> Phase:
    allowed = {"id", "from", "until", "name", "vss", "complaints", "source"}
    _keys(item, allowed, "phase", file, fallback)
    line = line_of(item) or fallback
    phase_id = item.get("id")
    if not isinstance(phase_id, str) or not _ID.match(phase_id):
        raise CourtDataError(file, line, "'id' must be lower-case letters, digits or _")
    start = _date(item.get("from"), "from", file, line, optional=True)
    end = _date(item.get("until"), "until", file, line, optional=True)
    if start and end and end < start:
        raise CourtDataError(file, line, f"phase '{phase_id}' ends before it starts")
    return Phase(
        id=phase_id,
        start=start,
        end=end,
        name=_text(item.get("name"), "name", file, line),
        vss=_text(item.get("vss"), "vss", file, line),
        complaints=_text(item.get("complaints"), "complaints", file, line),
        source=_source(item, file, line),
    )


def parse_court(text: str, file: Path | str = COURT_FILE) -> Court:
    """The court described by a ``court.yaml`` document; CourtDataError says what is wrong."""
    path = Path(file)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise CourtDataError(path, None, f"the file is larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        document = load_with_lines(text)
    except ValueError as error:
        line = getattr(error, "line", None)
        raise CourtDataError(path, line, str(error)) from error
    if not isinstance(document, LineMap):
        raise CourtDataError(path, None, "the file must be a mapping with court, phases, cases")
    _keys(document, {"court", "phases", "cases"}, "file", path, None)
    head = document.get("court")
    if not isinstance(head, Mapping):
        raise CourtDataError(path, line_of(document), "'court' must be a mapping")
    _keys(head, {"name", "residual_functions_until", "residual_source"}, "court", path, 1)
    head_line = line_of(head)
    until = _date(
        head.get("residual_functions_until"),
        "residual_functions_until",
        path,
        head_line,
        optional=False,
    )
    assert until is not None
    phases_raw, cases_raw = document.get("phases"), document.get("cases")
    if not isinstance(phases_raw, list) or not 0 < len(phases_raw) <= MAX_PHASES:
        raise CourtDataError(path, line_of(document), f"'phases' must list 1 to {MAX_PHASES}")
    if not isinstance(cases_raw, list) or len(cases_raw) > MAX_CASES:
        raise CourtDataError(path, line_of(document), f"'cases' must list at most {MAX_CASES}")
    phases = tuple(_phase(p, path, line_of(document)) for p in phases_raw)
    for before, after in pairwise(phases):
        if before.end is None or after.start != before.end + timedelta(days=1):
            raise CourtDataError(
                path, None, f"phase '{after.id}' must start the day after '{before.id}' ends"
            )
    cases = tuple(_case(c, path, line_of(document)) for c in cases_raw)
    ids = [c.id for c in cases]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise CourtDataError(path, None, f"case id(s) used twice: {', '.join(duplicated)}")
    return Court(
        name=_text(head.get("name"), "name", path, head_line),
        residual_functions_until=until,
        residual_source=_source(head, path, head_line, "residual_source"),
        phases=phases,
        cases=cases,
    )


@lru_cache(maxsize=8)
def _parsed(path: Path, mtime_ns: int, size: int, parse: Callable[[str, Path], Any]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CourtDataError(path, None, f"cannot be read: {error}") from error
    return parse(text, path)


def load_data_file(path: Path, max_bytes: int, parse: Callable[[str, Path], T]) -> T:
    """Read a data file of ``assets/`` about the court (court.yaml, reparations.yaml) with
    ``parse``: the size is checked before reading, and the file is re-read when it changes.
    Raises CourtDataError."""
    try:
        stat = path.stat()
    except OSError as error:
        raise CourtDataError(path, None, f"cannot be read: {error}") from error
    if stat.st_size > max_bytes:
        raise CourtDataError(path, None, f"the file is larger than {max_bytes // 1024} KB")
    return cast(T, _parsed(path, stat.st_mtime_ns, stat.st_size, parse))


def load_court(path: Path | None = None) -> Court:
    """Read and check ``court.yaml`` (the bundled one by default); re-read when it changes."""
    return load_data_file(path or court_path(), MAX_FILE_BYTES, parse_court)


__all__ = [
    "CIVIL_PARTY_DAYS",
    "COURT_FILE",
    "CaseOnDate",
    "CaseState",
    "Court",
    "CourtCase",
    "CourtDataError",
    "CourtEvent",
    "CourtOnDate",
    "EventKind",
    "Phase",
    "court_on",
    "court_path",
    "load_court",
    "load_data_file",
    "parse_court",
]
