"""Counts for the dashboard and the export the VSS office asks for in its reports.

``dashboard_counts`` groups the applications an officer may see (a field officer: their own; a
supervisor or administrator: every record on the laptop) by status, form, province and forum, and
counts the sync outbox by state.

``export_report`` writes those counts plus a per-record list for supervisors and administrators. The
list carries no identifying data at all: no names (whether or not identity protection was asked
for), no village, no birth dates; only the reference, form, status, province, forum and dates; and
where the protection level hides the locality in reports (family members in danger, see
app.core.protection), not even the province or the forum of that record.
CSV is UTF-8 with a byte-order mark so that Excel shows Khmer; XLSX is a minimal workbook (both
written by ``app.services.spreadsheets``, so the app needs no spreadsheet library). Files are written
to a temporary name beside the target and moved into place, so a failed export leaves no half file.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import UserFacingError
from app.core.forms import FieldRole
from app.core.gazetteer import load_gazetteer
from app.core.protection import Document, Hidden, hidden
from app.i18n import N_, _, translator
from app.services.access import sees_own_records_only, visible_applications
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.form_catalogue import available_forms
from app.services.forums import ForumSummary, forums
from app.services.records import STATUS_LABELS, STATUSES
from app.services.security import Role, require_role
from app.services.spreadsheets import Table, csv_bytes, xlsx_bytes
from app.store.models import Application, ApplicationVersion, OutboxItem

ReportFormat = Literal["csv", "xlsx"]
FORMATS: tuple[str, ...] = ("csv", "xlsx")

SYNC_STATES: tuple[str, ...] = ("pending", "in_batch", "acknowledged", "quarantined")
SYNC_LABELS: dict[str, str] = {
    "pending": N_("Waiting to be sent"),
    "in_batch": N_("Sent, waiting for receipt"),
    "acknowledged": N_("Received by the office"),
    "quarantined": N_("Refused by the office"),
}
UNKNOWN_PROVINCE = N_("Province not known")
NO_FORUM = N_("Not at a forum")


class ReportError(UserFacingError):
    """The report cannot be written; the message is translated and safe to show."""


@dataclass(frozen=True)
class CountRow:
    """One bucket of a grouping. ``key`` is the stored code (None: not known / not given)."""

    key: str | None
    label_km: str
    label_en: str
    count: int

    def label(self, lang: str) -> str:
        return self.label_km if lang == "km" else self.label_en


@dataclass(frozen=True)
class SyncCounts:
    """Finalised versions in the outbox, by state."""

    pending: int = 0
    in_batch: int = 0
    acknowledged: int = 0
    quarantined: int = 0

    @property
    def waiting(self) -> int:
        """Versions not yet confirmed by the central office (pending or sent in a batch)."""
        return self.pending + self.in_batch


@dataclass(frozen=True)
class DashboardCounts:
    total: int
    by_status: list[CountRow]
    by_form: list[CountRow]
    by_province: list[CountRow]
    by_forum: list[CountRow]
    sync: SyncCounts
    own_records_only: bool
    counted_at: datetime = field(default_factory=clock.utc_now)
    # Follow-up contacts with people who applied before (records of a form with a contact kind).
    contacts: int = 0
    # Forums on the laptop with invited and attended counts (of the people the officer may see).
    forums: tuple[ForumSummary, ...] = ()

    @property
    def forum_invited(self) -> int:
        return sum(f.invited for f in self.forums)

    @property
    def forum_attended(self) -> int:
        return sum(f.attended for f in self.forums)

    def status_count(self, status: str) -> int:
        return next((row.count for row in self.by_status if row.key == status), 0)

    @property
    def drafts(self) -> int:
        return self.status_count("draft")

    @property
    def finalised(self) -> int:
        """Records no longer drafts: final, printed, synced or acknowledged."""
        return self.total - self.drafts


def _both(msgid: str) -> tuple[str, str]:
    return translator.gettext_in("km", msgid), translator.gettext_in("en", msgid)


def _grouped(session: Session, ctx: AppContext, column: Any) -> dict[str | None, int]:
    statement = visible_applications(select(column, func.count(Application.id)), ctx).group_by(
        column
    )
    return {key: int(count) for key, count in session.execute(statement).tuples()}


def _by_status(counts: dict[str | None, int]) -> list[CountRow]:
    order = [*STATUSES, *sorted(k for k in counts if k and k not in STATUSES)]
    rows = []
    for status in order:
        km, en = _both(STATUS_LABELS[status]) if status in STATUS_LABELS else (status, status)
        rows.append(CountRow(status, km, en, counts.get(status, 0)))
    return rows


def _by_form(counts: dict[str | None, int]) -> list[CountRow]:
    forms = available_forms()
    rows = [CountRow(f.id, f.title.km, f.title.en, counts.get(f.id, 0)) for f in forms.values()]
    rows += [
        CountRow(form_id, form_id, form_id, count)
        for form_id, count in sorted(counts.items(), key=lambda item: str(item[0]))
        if form_id is not None and form_id not in forms
    ]
    return rows


def _by_province(counts: dict[str | None, int]) -> list[CountRow]:
    gazetteer = load_gazetteer()
    rows: list[CountRow] = []
    unknown = 0
    for code, count in counts.items():
        place = gazetteer.get(code) if code else None
        if place is None:
            unknown += count
            continue
        rows.append(CountRow(place.code, place.name_km, place.name_latin, count))
    rows.sort(key=lambda row: (-row.count, row.key or ""))
    if unknown:
        rows.append(CountRow(None, *_both(UNKNOWN_PROVINCE), unknown))
    return rows


def _by_forum(counts: dict[str | None, int]) -> list[CountRow]:
    rows = [
        CountRow(forum, forum, forum, count)
        for forum, count in counts.items()
        if forum is not None and forum.strip()
    ]
    rows.sort(key=lambda row: (-row.count, row.key or ""))
    none = sum(count for forum, count in counts.items() if forum is None or not forum.strip())
    if none:
        rows.append(CountRow(None, *_both(NO_FORUM), none))
    return rows


def _sync_counts(session: Session, ctx: AppContext) -> SyncCounts:
    statement = visible_applications(
        select(OutboxItem.state, func.count(OutboxItem.version_id))
        .join(ApplicationVersion, ApplicationVersion.id == OutboxItem.version_id)
        .join(Application, Application.id == ApplicationVersion.application_id),
        ctx,
    ).group_by(OutboxItem.state)
    counts = {state: int(count) for state, count in session.execute(statement).tuples()}
    return SyncCounts(**{state: counts.get(state, 0) for state in SYNC_STATES})


def _contacts(session: Session, ctx: AppContext) -> int:
    contact_forms = [
        f.id for f in available_forms().values() if f.field_with_role(FieldRole.CONTACT_KIND)
    ]
    statement = visible_applications(
        select(func.count(Application.id)).where(
            Application.form_id.in_(contact_forms), Application.status != "draft"
        ),
        ctx,
    )
    return int(session.scalar(statement) or 0)


def _counts_in(session: Session, ctx: AppContext) -> DashboardCounts:
    statuses = _grouped(session, ctx, Application.status)
    return DashboardCounts(
        total=sum(statuses.values()),
        by_status=_by_status(statuses),
        by_form=_by_form(_grouped(session, ctx, Application.form_id)),
        by_province=_by_province(_grouped(session, ctx, Application.province_code)),
        by_forum=_by_forum(_grouped(session, ctx, Application.forum)),
        sync=_sync_counts(session, ctx),
        own_records_only=sees_own_records_only(ctx),
        contacts=_contacts(session, ctx),
    )


def dashboard_counts(ctx: AppContext) -> DashboardCounts:
    """Counts of the records the signed-in officer may see (field officers: their own)."""
    with ctx.store.reading() as session:
        counts = _counts_in(session, ctx)
    return replace(counts, forums=tuple(forums(ctx)))


# --- export --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    sheet: str  # worksheet name (ASCII, stable for whoever reads the file by machine)
    title: str  # msgid
    rows: Table


def _header(*msgids: str) -> list[str]:
    """Column titles in both languages, Khmer first ("ខេត្ត / Province")."""
    return [" / ".join(dict.fromkeys(_both(m))) for m in msgids]


def _count_section(sheet: str, title: str, rows: Sequence[CountRow], key_msgid: str) -> _Section:
    table: Table = [_header(key_msgid, N_("Khmer"), N_("English"), N_("Count"))]
    table += [[row.key or "", row.label_km, row.label_en, row.count] for row in rows]
    table.append([*_header(N_("Total")), "", "", sum(row.count for row in rows)])
    return _Section(sheet, title, table)


def _forum_section(rows: Sequence[CountRow]) -> _Section:
    # A forum is stored as the officer typed it: one column holds it (or "not at a forum").
    table: Table = [_header(N_("Forum"), N_("Count"))]
    table += [[row.key if row.key is not None else row.label_km, row.count] for row in rows]
    table.append([*_header(N_("Total")), sum(row.count for row in rows)])
    return _Section("Forums", N_("By forum"), table)


def _forum_attendance_section(summaries: Sequence[ForumSummary]) -> _Section:
    # Forums planned on the laptop: who was invited, who came, and the records taken there
    # (counts only, no names).
    table: Table = [
        _header(
            N_("Forum"),
            N_("Commune code"),
            N_("Date"),
            N_("Invited"),
            N_("Came"),
            N_("Follow-up contacts"),
            N_("New applications"),
        )
    ]
    table += [
        [
            f.name,
            f.commune_code,
            f.held_on.isoformat(),
            f.invited,
            f.attended,
            f.contacts,
            f.records,
        ]
        for f in summaries
    ]
    table.append(
        [
            *_header(N_("Total")),
            "",
            "",
            sum(f.invited for f in summaries),
            sum(f.attended for f in summaries),
            sum(f.contacts for f in summaries),
            sum(f.records for f in summaries),
        ]
    )
    return _Section("Attendance", N_("Forum attendance"), table)


def _sync_section(sync: SyncCounts) -> _Section:
    table: Table = [_header(N_("State"), N_("Khmer"), N_("English"), N_("Count"))]
    for state in SYNC_STATES:
        table.append([state, *_both(SYNC_LABELS[state]), getattr(sync, state)])
    return _Section("Sync", N_("Sync state (finalised versions)"), table)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(sep=" ", timespec="seconds") if moment else ""


def _record_rows(session: Session, ctx: AppContext) -> Table:
    """One row per application, with nothing that identifies the applicant."""
    gazetteer = load_gazetteer()
    forms = available_forms()
    table: Table = [
        _header(
            N_("Reference"),
            N_("Form"),
            N_("Status"),
            N_("Province code"),
            N_("Province"),
            N_("Forum"),
            N_("Created"),
            N_("Finalised"),
            N_("Last change"),
            N_("Court status"),
        )
    ]
    statement = visible_applications(
        select(
            Application.reference,
            Application.form_id,
            Application.status,
            Application.province_code,
            Application.forum,
            Application.created_at,
            Application.finalized_at,
            Application.updated_at,
            Application.court_status,
            Application.protection_level,
        ),
        ctx,
    ).order_by(Application.created_at, Application.id)
    for row in session.execute(statement):
        located = Hidden.LOCALITY not in hidden(row.protection_level, Document.REPORT)
        place = gazetteer.get(row.province_code) if row.province_code and located else None
        form = forms.get(row.form_id)
        table.append(
            [
                row.reference or "",
                form.title.both() if form else row.form_id,
                " / ".join(_both(STATUS_LABELS.get(row.status, row.status))),
                place.code if place else "",
                f"{place.name_km} / {place.name_latin}" if place else "",
                (row.forum or "") if located else "",
                _iso(row.created_at),
                _iso(row.finalized_at),
                _iso(row.updated_at),
                row.court_status or "",
            ]
        )
    return table


def _summary_rows(ctx: AppContext, counts: DashboardCounts) -> Table:
    return [
        [_header(N_("VSS Outreach: summary of applications"))[0]],
        [*_header(N_("Counted at (UTC)")), _iso(counts.counted_at)],
        [*_header(N_("Device")), ctx.device_id],
        [*_header(N_("Total applications")), counts.total],
        [*_header(N_("Waiting to sync")), counts.sync.waiting],
        [*_header(N_("Follow-up contacts")), counts.contacts],
        [*_header(N_("Invited to forums")), counts.forum_invited],
        [*_header(N_("Came to forums")), counts.forum_attended],
    ]


def _sections(ctx: AppContext, counts: DashboardCounts) -> list[_Section]:
    return [
        _Section("Summary", N_("Summary"), _summary_rows(ctx, counts)),
        _count_section("Status", N_("By status"), counts.by_status, N_("Status")),
        _count_section("Forms", N_("By form"), counts.by_form, N_("Form")),
        _count_section("Provinces", N_("By province"), counts.by_province, N_("Province code")),
        _forum_section(counts.by_forum),
        _forum_attendance_section(counts.forums),
        _sync_section(counts.sync),
    ]


def records_file_for(path: Path) -> Path:
    """Where a CSV export puts its per-record list: beside the counts, ``<name>-records.csv``."""
    return path.with_name(f"{path.stem}-records{path.suffix or '.csv'}")


def write_error(error: OSError, path: Path) -> ReportError:
    """The translated message for a failed write (full disk, read-only or missing folder...)."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        message = _("The disk is full. Free some space or choose another place, then try again.")
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        message = _("This folder cannot be written to. Choose another folder: {folder}")
    elif error.errno in (errno.ENOENT, errno.ENOTDIR):
        message = _("This folder does not exist. Choose another folder: {folder}")
    else:
        message = _("The report could not be saved in {folder}: {problem}")
    return ReportError(
        message.format(folder=str(path.parent), problem=error.strerror or str(error))
    )


def _write_atomically(files: Sequence[tuple[Path, bytes]]) -> None:
    """Every file is written in full to a temporary name beside its target before any is moved
    into place; on any error the temporary files are removed and the targets are left as they were."""
    temporary: list[tuple[str, Path]] = []
    try:
        for path, content in files:
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temporary.append((name, path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
        for name, path in temporary:
            os.replace(name, path)
    except OSError as error:
        for name, _path in temporary:
            if os.path.exists(name):
                os.unlink(name)
        raise write_error(error, files[0][0]) from error


def export_report(ctx: AppContext, path: Path, fmt: str) -> Path:
    """Write the report for the VSS office; supervisors and administrators only (audited).

    ``xlsx``: one workbook with a sheet per grouping and a "Records" sheet. ``csv``: the counts at
    ``path`` (a section per grouping) and the record list at :func:`records_file_for`. Returns
    ``path``. Raises PermissionDenied, or ReportError with a message to show.
    """
    require_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)
    if fmt not in FORMATS:
        raise ReportError(_("Unknown report format: {format}").format(format=fmt))
    path = Path(path)
    if path.suffix.lower() != f".{fmt}":
        path = path.with_name(path.name + f".{fmt}")
    summaries = tuple(forums(ctx))
    with ctx.store.transaction() as session:
        counts = replace(_counts_in(session, ctx), forums=summaries)
        sections = _sections(ctx, counts)
        records = _record_rows(session, ctx)
        files: list[tuple[Path, bytes]]
        if fmt == "xlsx":
            sheets = [(s.sheet, s.rows) for s in sections] + [("Records", records)]
            files = [(path, xlsx_bytes(sheets))]
        else:
            tables = [[[_header(s.title)[0]], *s.rows] for s in sections]
            files = [(path, csv_bytes(tables)), (records_file_for(path), csv_bytes([records]))]
        # The audit entry is in the same transaction: a failed write rolls it back.
        record_audit(
            session,
            ctx,
            AuditAction.EXPORT,
            None,
            {
                "kind": "report",
                "format": fmt,
                "records": len(records) - 1,
                "files": [p.name for p, _content in files],
            },
        )
        _write_atomically(files)
    return path


__all__ = [
    "FORMATS",
    "CountRow",
    "DashboardCounts",
    "ReportError",
    "SyncCounts",
    "dashboard_counts",
    "export_report",
    "records_file_for",
    "write_error",
]
