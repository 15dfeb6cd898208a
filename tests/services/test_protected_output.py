"""Identity-protected applicants on paper and on disk (issue 14, item 3): receipts follow the
protection, a redacted application withholds every free-text answer and says what it shows, and
no failed or killed write leaves a copy behind."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole, FieldType
from app.core.private_file import JOURNAL_NAME
from app.services import printing, records
from app.services.context import AppContext, open_app
from app.services.places import describe_place
from app.store.models import AuditEntry

NAME = {"km": "ហេង សុវណ្ណ", "latin": "Heng Sovann"}
REASON = "Threatened by Neighbour Chorn"
NARRATIVE = "Sopheap Neang and Uncle Chheng were taken to Wat Kiri pagoda."


def _final(ctx: AppContext, protected: bool, seed: int = 3) -> tuple[str, dict[str, object]]:
    form = records.form_definition("civil_party")
    overrides: dict[str, object] = {}
    for item in form.all_fields():
        if item.role == FieldRole.APPLICANT_NAME:
            overrides[item.id] = NAME
        elif item.role == FieldRole.IDENTITY_PROTECTION:
            overrides[item.id] = protected
        elif item.type == FieldType.NARRATIVE:
            # every written answer names people and a place; the protection reason says why
            overrides[item.id] = REASON if "protection" in item.id else NARRATIVE
    answers = demo_answers(form, random.Random(seed), overrides=overrides, fill_optional=1.0)
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, answers)
    return application_id, answers


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.replace("\u200b", "")


def _last_audit(ctx: AppContext) -> AuditEntry:
    with ctx.store.transaction() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None
        session.expunge(entry)
        return entry


def test_protected_receipt_names_nobody_unless_a_full_copy_is_asked_for(
    ctx: AppContext, tmp_path: Path
) -> None:
    application_id, _answers = _final(ctx, protected=True)
    out = tmp_path / "receipt.pdf"
    printing.print_receipt(ctx, application_id, out)
    text = _text(out)
    assert "Heng" not in text and "Sovann" not in text and "សុវណ្ណ" not in text
    assert "identity protection" in text
    entry = _last_audit(ctx)
    assert entry.action == "record_print" and entry.details["redacted"] is True
    reference = records.get_application(ctx, application_id, audit=False).reference
    assert reference and reference in text

    full = tmp_path / "receipt-full.pdf"
    printing.print_receipt(ctx, application_id, full, full_copy_reason="applicant's own copy")
    assert "Heng Sovann" in _text(full)
    entry = _last_audit(ctx)
    assert entry.action == "record_print_unredacted"
    assert entry.details == {
        "document": "receipt",
        "redacted": False,
        "reason": "applicant's own copy",
    }


def test_unprotected_receipt_names_the_applicant(ctx: AppContext, tmp_path: Path) -> None:
    application_id, _answers = _final(ctx, protected=False)
    out = tmp_path / "receipt.pdf"
    printing.print_receipt(ctx, application_id, out)
    assert "Heng Sovann" in _text(out)


def test_redacted_application_withholds_places_reason_and_narrative_names(
    ctx: AppContext, tmp_path: Path
) -> None:
    application_id, answers = _final(ctx, protected=True)
    form = records.form_definition("civil_party")
    places = [
        describe_place(answers[item.id], "km")  # type: ignore[arg-type]
        for item in form.all_fields()
        if item.type == FieldType.PLACE and isinstance(answers.get(item.id), dict)
    ]
    villages = {place.split(",")[0].strip() for place in places if place}
    assert villages, "the demo answers name places"

    full = tmp_path / "full.pdf"
    printing.print_application(ctx, application_id, full, full_copy_reason="for the lawyer")
    full_text = _text(full).replace("\n", " ")
    assert REASON in full_text and "Wat Kiri" in full_text
    assert any(village in full_text for village in villages)

    redacted = tmp_path / "redacted.pdf"
    printing.print_application(ctx, application_id, redacted)
    text = _text(redacted).replace("\n", " ")
    for secret in ("Heng Sovann", "Neighbour Chorn", "Sopheap", "Chheng", "Wat Kiri"):
        assert secret not in text, secret
    for village in villages:
        assert village not in text, village
    # It says what it shows.
    assert "withholds names, places" in text and "REDACTED" in text


def test_a_failed_write_leaves_nothing(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    application_id, _answers = _final(ctx, protected=False)
    folder = tmp_path / "stick"
    folder.mkdir()
    real_write = os.write
    calls: list[int] = []

    def full_disk(descriptor: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(descriptor, bytes(data)[: len(data) // 2])

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(printing.PrintError) as refused:
        printing.print_application(ctx, application_id, folder / "application.pdf")
    monkeypatch.undo()
    # In the officer's language (Khmer), saying what to do.
    assert str(refused.value) == "ថាសមិនមានទំហំទំនេរគ្រប់គ្រាន់ទេ។ សូមលុបឯកសារខ្លះ ឬប្រើថាសផ្សេង។"
    assert list(folder.iterdir()) == []
    assert not (ctx.home / JOURNAL_NAME).exists()


KILLED_WRITER = """
import os, sys, time
from pathlib import Path
from app.core.private_file import write_private_file

def hang(descriptor):
    print("written", flush=True)
    time.sleep(60)

os.fsync = hang
write_private_file(Path(sys.argv[1]), b"%PDF full record of Heng Sovann" * 10000, Path(sys.argv[2]))
"""


def test_a_killed_write_leaves_nothing_after_the_next_start(tmp_path: Path) -> None:
    folder = tmp_path / "stick"
    home = tmp_path / "home"
    target = folder / "application.pdf"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target), str(home)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "written"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    leftovers = list(folder.iterdir())
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".vss-")  # the cut-off write
    assert not target.exists()
    deadline = time.monotonic() + 5
    while not (home / JOURNAL_NAME).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    context = open_app(home)  # the next start of the app
    context.close()
    assert list(folder.iterdir()) == []
    assert not (home / JOURNAL_NAME).exists()
