"""Dashboard counts and the VSS report export, on a real SQLite store with real files."""

from __future__ import annotations

import csv
import errno
import io
import random
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.i18n import set_language
from app.services import accounts, form_catalogue, records
from app.services.context import AppContext, SignedInOfficer
from app.services.reports import (
    ReportError,
    dashboard_counts,
    export_report,
    records_file_for,
    write_error,
)
from app.services.security import PermissionDenied, SessionLocked
from app.store.models import Application, AuditEntry, OutboxItem
from tests.officers import FIELD_OFFICER, OTHER_OFFICER, SUPERVISOR, add_officers

FORUM_A = "វេទិកាសហគមន៍ ស្រុកបាទី"
FORUM_B = "វេទិកាសហគមន៍ ខេត្តកំពង់ចាម"
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(autouse=True)
def _officers(ctx: AppContext) -> None:
    add_officers(
        ctx,
        (
            FIELD_OFFICER,
            OTHER_OFFICER,
            SUPERVISOR,
        ),
    )


def _final(
    ctx: AppContext,
    officer: SignedInOfficer,
    form_id: str,
    seed: int,
    province: str | None,
    forum: str,
) -> str:
    ctx.officer = officer
    address = {"province": province} if province else {"village_text": "ភូមិថ្មី"}
    answers = demo_answers(
        form_catalogue.form_definition(form_id),
        random.Random(seed),
        overrides={"applicant_address": address, "intake_forum": forum},
    )
    application_id = records.start_application(ctx, form_id)
    records.finalize_application(ctx, application_id, answers)
    return application_id


def _draft(ctx: AppContext, officer: SignedInOfficer) -> str:
    ctx.officer = officer
    return records.start_application(ctx, "complaint")


@pytest.fixture
def sample(ctx: AppContext) -> list[str]:
    """8 records: 6 final (3 + 2 with a known province, 1 without), 2 drafts; one printed."""
    ids = [_final(ctx, FIELD_OFFICER, "complaint", n, "01", FORUM_A) for n in range(3)]
    ids += [_final(ctx, OTHER_OFFICER, "civil_party", 10 + n, "12", FORUM_B) for n in range(2)]
    ids.append(_final(ctx, SUPERVISOR, "complaint", 20, None, FORUM_A))
    ids += [_draft(ctx, FIELD_OFFICER), _draft(ctx, OTHER_OFFICER)]
    ctx.officer = SUPERVISOR
    records.mark_printed(ctx, ids[0])
    # The sync service moves outbox rows on; here two rows take the later states directly.
    with ctx.store.transaction() as session:
        items = session.scalars(select(OutboxItem).order_by(OutboxItem.created_at)).all()
        items[3].state = "acknowledged"
        items[4].state = "quarantined"
    return ids


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for exports (tmp_path also holds the data folder)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def _by_key(rows: list) -> dict[str | None, int]:  # type: ignore[type-arg]
    return {row.key: row.count for row in rows}


def test_supervisor_counts_every_record(ctx: AppContext, sample: list[str]) -> None:
    ctx.officer = SUPERVISOR
    counts = dashboard_counts(ctx)
    assert counts.total == 8
    assert not counts.own_records_only
    assert _by_key(counts.by_status) == {
        "draft": 2,
        "awaiting_signature": 0,
        "final": 5,
        "printed": 1,
        "synced": 0,
        "acknowledged": 0,
    }
    assert counts.drafts == 2 and counts.finalised == 6
    assert _by_key(counts.by_form) == {"civil_party": 2, "complaint": 6, "follow_up": 0}
    titles = {row.key: row.label("km") for row in counts.by_form}
    assert titles["complaint"] == form_catalogue.form_definition("complaint").title.km
    provinces = counts.by_province
    assert [(row.key, row.count) for row in provinces] == [("01", 3), ("12", 2), (None, 3)]
    assert provinces[0].label_km == "បន្ទាយមានជ័យ"
    assert provinces[0].label("en") == "Banteay Meanchey"
    assert provinces[-1].label_km and provinces[-1].label_en == "Province not known"
    assert _by_key(counts.by_forum) == {FORUM_A: 4, FORUM_B: 2, None: 2}
    assert counts.by_forum[-1].key is None  # the "no forum" bucket comes last
    sync = counts.sync
    assert (sync.pending, sync.in_batch, sync.acknowledged, sync.quarantined) == (4, 0, 1, 1)
    assert sync.waiting == 4


def test_field_officer_counts_only_own_records(ctx: AppContext, sample: list[str]) -> None:
    ctx.officer = FIELD_OFFICER
    counts = dashboard_counts(ctx)
    assert counts.own_records_only
    assert counts.total == 4
    assert _by_key(counts.by_status)["draft"] == 1
    assert _by_key(counts.by_status)["printed"] == 1
    assert _by_key(counts.by_form) == {"civil_party": 0, "complaint": 4, "follow_up": 0}
    assert _by_key(counts.by_province) == {"01": 3, None: 1}
    assert (counts.sync.pending, counts.sync.acknowledged, counts.sync.quarantined) == (3, 0, 0)

    ctx.officer = OTHER_OFFICER
    other = dashboard_counts(ctx)
    assert other.total == 3
    assert _by_key(other.by_province) == {"12": 2, None: 1}
    # Outbox rows 4 and 5 (acknowledged, quarantined) are this officer's civil party records.
    assert (other.sync.pending, other.sync.acknowledged, other.sync.quarantined) == (0, 1, 1)


def _export_entries(ctx: AppContext) -> list[AuditEntry]:
    with ctx.store.transaction() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        session.expunge_all()
        return list(entries)


def _applicant_names(ctx: AppContext) -> set[str]:
    with ctx.store.transaction() as session:
        rows = session.execute(select(Application.name_km, Application.name_latin)).all()
    names = {name for row in rows for name in row if name}
    assert len(names) >= 6  # the finalised records have names in both scripts
    return names


def test_a_locked_session_counts_and_exports_nothing(
    ctx: AppContext, sample: list[str], out: Path
) -> None:
    """The dashboard and the report use the registry's access rule, locked-session check included."""
    ctx.officer = SUPERVISOR
    assert dashboard_counts(ctx).total == 8
    accounts.lock(ctx)
    with pytest.raises(SessionLocked):
        dashboard_counts(ctx)
    with pytest.raises(SessionLocked):
        export_report(ctx, out / "report.csv", "csv")
    assert list(out.iterdir()) == []
    ctx.locked = False  # what accounts.unlock does after the password is checked
    assert dashboard_counts(ctx).total == 8


def test_export_is_refused_for_a_field_officer(
    ctx: AppContext, sample: list[str], out: Path
) -> None:
    ctx.officer = FIELD_OFFICER
    for fmt in ("csv", "xlsx"):
        with pytest.raises(PermissionDenied):
            export_report(ctx, out / f"report.{fmt}", fmt)
    ctx.officer = None
    with pytest.raises(PermissionDenied):
        export_report(ctx, out / "report.csv", "csv")
    assert list(out.iterdir()) == []
    assert _export_entries(ctx) == []


def test_csv_export_has_counts_records_bom_and_no_names(
    ctx: AppContext, sample: list[str], out: Path
) -> None:
    ctx.officer = SUPERVISOR
    path = export_report(ctx, out / "vss-report.csv", "csv")
    assert path == out / "vss-report.csv"
    records_path = records_file_for(path)
    assert records_path == out / "vss-report-records.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 (and so Khmer) only with a BOM
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    by_code = {row[0]: row for row in rows if len(row) == 4}
    assert by_code["01"][1:] == ["បន្ទាយមានជ័យ", "Banteay Meanchey", "3"]
    assert by_code["12"][3] == "2"
    assert by_code["draft"][3] == "2" and by_code["final"][3] == "5"
    assert by_code["complaint"][3] == "6" and by_code["civil_party"][3] == "2"
    assert by_code["pending"][3] == "4" and by_code["quarantined"][3] == "1"
    assert [FORUM_A, "4"] in rows and [FORUM_B, "2"] in rows

    record_rows = list(csv.reader(io.StringIO(records_path.read_bytes().decode("utf-8-sig"))))
    assert len(record_rows) == 1 + 8
    with ctx.store.transaction() as session:
        references = set(session.scalars(select(Application.reference)).all()) - {None}
    assert len(references) == 6
    assert references <= {row[0] for row in record_rows[1:]}
    assert sum(1 for row in record_rows[1:] if row[3] == "01") == 3

    everything = text + records_path.read_bytes().decode("utf-8-sig")
    for name in _applicant_names(ctx):
        assert name not in everything
    entries = _export_entries(ctx)
    assert len(entries) == 1
    assert entries[0].officer_id == SUPERVISOR.id
    assert entries[0].details is not None
    assert entries[0].details["format"] == "csv" and entries[0].details["records"] == 8


def _xlsx_sheets(path: Path) -> dict[str, list[list[str]]]:
    """Every sheet of a workbook as rows of cell texts, read with zipfile and an XML parser."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"} <= names
        ElementTree.fromstring(archive.read("[Content_Types].xml"))
        ElementTree.fromstring(archive.read("xl/styles.xml"))
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        sheets: dict[str, list[list[str]]] = {}
        rel_attr = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        for sheet in workbook.iter(f"{SHEET_NS}sheet"):
            target = targets[sheet.get(rel_attr)]
            root = ElementTree.fromstring(archive.read(f"xl/{target}"))
            rows = []
            for row in root.iter(f"{SHEET_NS}row"):
                cells = []
                for cell in row.iter(f"{SHEET_NS}c"):
                    if cell.get("t") == "inlineStr":
                        cells.append("".join(t.text or "" for t in cell.iter(f"{SHEET_NS}t")))
                    else:
                        value = cell.find(f"{SHEET_NS}v")
                        cells.append(value.text or "" if value is not None else "")
                rows.append(cells)
            sheets[str(sheet.get("name"))] = rows
    return sheets


def test_xlsx_export_is_a_valid_workbook_with_counts_and_no_names(
    ctx: AppContext, sample: list[str], out: Path
) -> None:
    ctx.officer = SUPERVISOR
    path = export_report(ctx, out / "vss-report", "xlsx")
    assert path == out / "vss-report.xlsx"  # the extension is added when missing
    sheets = _xlsx_sheets(path)
    assert list(sheets) == [
        "Summary",
        "Status",
        "Forms",
        "Provinces",
        "Forums",
        "Attendance",
        "Sync",
        "Records",
    ]
    provinces = {row[0]: row for row in sheets["Provinces"][1:] if row}
    assert provinces["01"] == ["01", "បន្ទាយមានជ័យ", "Banteay Meanchey", "3"]
    unknown = [row for row in sheets["Provinces"] if len(row) == 3]  # no code, blank first cell
    assert unknown and unknown[0][-1] == "3"
    status = {row[0]: row[-1] for row in sheets["Status"][1:]}
    assert status["draft"] == "2" and status["printed"] == "1"
    assert sheets["Status"][-1][-1] == "8"  # the total row
    assert len(sheets["Records"]) == 1 + 8
    assert "លេខយោង" in sheets["Records"][0][0]  # Khmer header first
    flat = "\n".join("\t".join(row) for rows in sheets.values() for row in rows)
    for name in _applicant_names(ctx):
        assert name not in flat
    assert [e.details["format"] for e in _export_entries(ctx) if e.details] == ["xlsx"]


def test_export_replaces_an_old_file_and_leaves_no_temporary_files(
    ctx: AppContext, sample: list[str], out: Path
) -> None:
    ctx.officer = SUPERVISOR
    target = out / "report.xlsx"
    target.write_bytes(b"old")
    export_report(ctx, target, "xlsx")
    assert zipfile.is_zipfile(target)
    assert sorted(p.name for p in out.iterdir()) == ["report.xlsx"]


def test_unwritable_place_gives_a_clear_error_and_no_audit(
    ctx: AppContext, sample: list[str], out: Path
) -> None:
    set_language("en")
    ctx.officer = SUPERVISOR
    with pytest.raises(ReportError, match="does not exist"):
        export_report(ctx, out / "missing" / "report.csv", "csv")
    blocker = out / "a-file"
    blocker.write_text("x")
    with pytest.raises(ReportError, match="does not exist"):
        export_report(ctx, blocker / "report.xlsx", "xlsx")
    with pytest.raises(ReportError, match="Unknown report format"):
        export_report(ctx, out / "report.pdf", "pdf")
    assert _export_entries(ctx) == []  # the failed writes rolled their audit entries back
    assert sorted(p.name for p in out.iterdir()) == ["a-file"]


def test_write_errors_are_translated_by_cause(out: Path) -> None:
    set_language("en")
    full = write_error(OSError(errno.ENOSPC, "No space left on device"), out / "r.csv")
    assert "disk is full" in str(full)
    read_only = write_error(OSError(errno.EROFS, "Read-only file system"), out / "r.csv")
    assert "cannot be written" in str(read_only) and str(out) in str(read_only)
    other = write_error(OSError(errno.EIO, "Input/output error"), out / "r.csv")
    assert "Input/output error" in str(other)
