"""Rule 29 levels on paper and in files (issue 17, item 8): for each level, the receipt, the
redacted application, the status letter and the report hide what app.core.protection says,
read back from the real PDFs with poppler and from the written CSV; a full copy still needs a
reason and is audited; sync to the office carries the whole record at every level."""

from __future__ import annotations

import csv
import random
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from app.core.approx_date import ApproxDate
from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole, FieldType, FormDefinition
from app.core.protection import ProtectionLevel
from app.services import letters, printing, records, reports
from app.services.context import AppContext
from app.store.models import Application, ApplicationVersion, AuditEntry
from tests.officers import SUPERVISOR

NAME = {"km": "ហេង សុវណ្ណ", "latin": "Heng Sovann"}
NARRATIVE = "Sopheap Neang and Uncle Chheng were taken to Wat Kiri pagoda."
FORUM = "Forum at Kampong Tralach"
BIRTH = ApproxDate.from_year(1952, approximate=True).to_dict()
BIRTH_PRINTED = "about 1952"
ADDRESS = {"province": "02", "district": None, "commune": None, "village": None}
LEVELS = tuple(ProtectionLevel)


def _field(form: FormDefinition, role: FieldRole) -> str:
    item = form.field_with_role(role)
    assert item is not None, role
    return item.id


def _final(ctx: AppContext, level: ProtectionLevel, seed: int = 4) -> tuple[str, FormDefinition]:
    form = records.form_definition("civil_party")
    overrides: dict[str, Any] = {
        _field(form, FieldRole.APPLICANT_NAME): NAME,
        _field(form, FieldRole.APPLICANT_BIRTH): BIRTH,
        _field(form, FieldRole.FORUM): FORUM,
        _field(form, FieldRole.APPLICANT_ADDRESS): ADDRESS,
        _field(form, FieldRole.IDENTITY_PROTECTION): level is not ProtectionLevel.NONE,
    }
    if level is not ProtectionLevel.NONE:
        overrides[_field(form, FieldRole.PROTECTION_LEVEL)] = level.value
    for item in form.all_fields():
        if item.type == FieldType.NARRATIVE:
            overrides[item.id] = NARRATIVE
    answers = demo_answers(form, random.Random(seed), overrides=overrides, fill_optional=1.0)
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, answers)
    return application_id, form


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.replace("\u200b", "").split())


def _level_label(form: FormDefinition, level: ProtectionLevel) -> str:
    item = form.field_with_role(FieldRole.PROTECTION_LEVEL)
    assert item is not None
    choice = item.choice(level.value)
    assert choice is not None
    return choice.label.en


def _last_audit(ctx: AppContext) -> AuditEntry:
    with ctx.store.transaction() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None
        session.expunge(entry)
        return entry


@pytest.mark.parametrize("level", LEVELS)
def test_the_receipt_names_the_applicant_only_without_protection(
    ctx: AppContext, tmp_path: Path, level: ProtectionLevel
) -> None:
    application_id, _form = _final(ctx, level)
    out = tmp_path / "receipt.pdf"
    printing.print_receipt(ctx, application_id, out)
    text = _text(out)
    protected = level is not ProtectionLevel.NONE
    assert ("Heng Sovann" in text) is not protected
    assert ("not shown (the applicant asked for identity protection)" in text) is protected
    entry = _last_audit(ctx)
    assert (entry.action, entry.details) == (
        "record_print",
        {"document": "receipt", "redacted": protected},
    )


@pytest.mark.parametrize("level", LEVELS)
def test_the_redacted_application_follows_the_level(
    ctx: AppContext, tmp_path: Path, level: ProtectionLevel
) -> None:
    application_id, form = _final(ctx, level)
    out = tmp_path / "application.pdf"
    document = printing.application_pdf(ctx, application_id)
    assert document.protection_level is level
    assert document.redacted is (level is not ProtectionLevel.NONE)
    printing.write_pdf(out, document.data)
    text = _text(out)
    # What each level shows, from weakest to strongest: names and accounts, then dates, then
    # chosen answers (the level itself is one), then where the intake took place.
    expected_shown = {
        ProtectionLevel.NONE: {"Heng Sovann": True, "Wat Kiri": True},
        ProtectionLevel.FROM_PUBLIC: {BIRTH_PRINTED: True, FORUM: True},
        ProtectionLevel.FROM_PARTIES: {BIRTH_PRINTED: False, FORUM: True},
        ProtectionLevel.FAMILY_DANGER: {BIRTH_PRINTED: False, FORUM: False},
    }[level]
    for value, shown in expected_shown.items():
        assert (value in text) is shown, value
    if level is not ProtectionLevel.NONE:
        for secret in ("Heng Sovann", "Sopheap", "Chheng", "Wat Kiri"):
            assert secret not in text, secret
        assert "REDACTED COPY" in text
        assert (_level_label(form, level) in text) is (level is not ProtectionLevel.FAMILY_DANGER)
        assert SUPERVISOR.display_name in text  # the officer who took it is always named
    statement = {
        ProtectionLevel.FROM_PUBLIC: "It shows only the answers chosen from lists, dates and "
        "the details of the intake.",
        ProtectionLevel.FROM_PARTIES: "and all dates and ages. It shows only the answers chosen "
        "from lists and the details of the intake.",
        ProtectionLevel.FAMILY_DANGER: "and where and when the intake took place, to protect "
        "the family. It shows only the questions and the officer's name.",
    }
    if level in statement:
        assert statement[level] in text


@pytest.mark.parametrize("level", LEVELS[1:])
def test_a_full_copy_needs_a_reason_and_is_audited(
    ctx: AppContext, tmp_path: Path, level: ProtectionLevel
) -> None:
    application_id, _form = _final(ctx, level)
    full = tmp_path / "full.pdf"
    printing.print_application(ctx, application_id, full, full_copy_reason="for the lawyer")
    text = _text(full)
    for value in ("Heng Sovann", "Wat Kiri", BIRTH_PRINTED, FORUM):
        assert value in text, value
    assert "REDACTED COPY" not in text
    entry = _last_audit(ctx)
    assert (entry.action, entry.details) == (
        "record_print_unredacted",
        {"document": "application", "redacted": False, "reason": "for the lawyer"},
    )
    # A blank reason is no reason: the copy stays redacted and is audited as such.
    blank = printing.application_pdf(ctx, application_id, full_copy_reason="   ")
    assert (blank.redacted, blank.full_copy_reason) == (True, None)


def test_status_letters_follow_the_level(ctx: AppContext, tmp_path: Path) -> None:
    ids = {level: _final(ctx, level, seed=10 + n)[0] for n, level in enumerate(LEVELS)}
    with ctx.store.transaction() as session:
        session.execute(
            update(Application)
            .where(Application.id.in_(list(ids.values())))
            .values(court_status="forwarded")
        )
    due = {d.application_id: d.protection_level for d in letters.letters_due(ctx)}
    assert due == {application_id: level.value for level, application_id in ids.items()}
    through = "Hand this letter over only through the applicant's lawyer or victims' association"
    for level, application_id in ids.items():
        out = tmp_path / f"letter-{level.value}.pdf"
        letters.print_status_letters(ctx, [application_id], out, today=date(2027, 1, 6))
        text = _text(out)
        assert ("Heng Sovann" in text) is (level is ProtectionLevel.NONE), level
        assert ("(name not printed: identity protected)" in text) is (
            level is not ProtectionLevel.NONE
        ), level
        assert (through in text) is (level is ProtectionLevel.FAMILY_DANGER), level
        assert _last_audit(ctx).details == {
            "document": "status_letter",
            "status": "forwarded",
            "redacted": level is not ProtectionLevel.NONE,
        }


def test_the_report_hides_the_locality_of_a_family_in_danger(
    ctx: AppContext, tmp_path: Path
) -> None:
    ids = {level: _final(ctx, level, seed=20 + n)[0] for n, level in enumerate(LEVELS)}
    path = reports.export_report(ctx, tmp_path / "report.csv", "csv")
    with reports.records_file_for(path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    references = {
        records.get_application(ctx, i, audit=False).reference: level for level, i in ids.items()
    }
    seen = {references[row[0]]: (row[3], row[5]) for row in rows[1:]}
    assert seen == {
        ProtectionLevel.NONE: ("02", FORUM),
        ProtectionLevel.FROM_PUBLIC: ("02", FORUM),
        ProtectionLevel.FROM_PARTIES: ("02", FORUM),
        ProtectionLevel.FAMILY_DANGER: ("", ""),
    }
    assert [row[4] for row in rows[1:] if references[row[0]] is ProtectionLevel.FAMILY_DANGER] == [
        ""
    ]
    content = path.read_text(encoding="utf-8-sig") + reports.records_file_for(path).read_text(
        encoding="utf-8-sig"
    )
    assert "Heng" not in content and "Sovann" not in content


@pytest.mark.parametrize("level", LEVELS)
def test_sync_to_the_office_carries_the_whole_record(
    ctx: AppContext, level: ProtectionLevel
) -> None:
    application_id, form = _final(ctx, level)
    with ctx.store.transaction() as session:
        application = session.get(Application, application_id)
        version = session.scalars(
            select(ApplicationVersion).where(ApplicationVersion.application_id == application_id)
        ).one()
        assert application is not None
        payload = records.version_payload(application, version)
        assert application.protection_level == level.value
    assert payload["answers"][_field(form, FieldRole.APPLICANT_NAME)] == NAME
    assert NARRATIVE in payload["answers"].values()
