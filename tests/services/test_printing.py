"""Printing use cases: redaction by default for protected applicants, audited full copies."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.services import form_catalogue, printing, records
from app.services.context import AppContext
from app.store.models import AuditEntry

NAME = {"km": "ហេង សុវណ្ណ", "latin": "Heng Sovann"}


def _final(ctx: AppContext, protected: bool, seed: int = 3) -> str:
    form = form_catalogue.form_definition("complaint")
    answers = demo_answers(
        form,
        random.Random(seed),
        overrides={
            "applicant_name": NAME,
            "protection_requested": protected,
            **({"protection_reason": "គេគំរាម"} if protected else {}),
        },
    )
    application_id = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, application_id, answers)
    return application_id


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.replace("\u200b", "")


def _actions(ctx: AppContext) -> list[str]:
    with ctx.store.transaction() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_protected_applicant_prints_redacted_unless_a_reason_is_given(
    ctx: AppContext, tmp_path: Path
) -> None:
    application_id = _final(ctx, protected=True)
    redacted = tmp_path / "redacted.pdf"
    printing.print_application(ctx, application_id, redacted)
    text = _text(redacted)
    assert "Heng Sovann" not in text and "ហេង សុវណ្ណ" not in text
    assert "REDACTED" in text
    assert _actions(ctx)[-1] == "record_print"

    full = tmp_path / "full.pdf"
    printing.print_application(ctx, application_id, full, full_copy_reason="for the lawyer")
    assert "Heng Sovann" in _text(full)
    with ctx.store.transaction() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None and last.action == "record_print_unredacted"
    assert last.details == {
        "document": "application",
        "redacted": False,
        "reason": "for the lawyer",
    }
    assert records.get_application(ctx, application_id).status == "printed"


def test_unprotected_applicant_prints_in_full(ctx: AppContext, tmp_path: Path) -> None:
    application_id = _final(ctx, protected=False)
    out = tmp_path / "a.pdf"
    printing.print_application(ctx, application_id, out)
    assert "Heng Sovann" in _text(out)


def test_batch_redacts_only_protected_records_and_can_be_cancelled(
    ctx: AppContext, tmp_path: Path
) -> None:
    protected = _final(ctx, protected=True, seed=1)
    plain = _final(ctx, protected=False, seed=2)
    out = tmp_path / "batch.pdf"
    seen: list[tuple[int, int]] = []
    result = printing.print_applications(
        ctx, [protected, plain], out, progress=lambda d, t: seen.append((d, t))
    )
    assert result.records == 2 and result.redacted == 1
    assert seen[-1] == (2, 2)
    assert _text(out).count("Heng Sovann") == 1  # only the unprotected copy shows the name

    cancelled_out = tmp_path / "cancelled.pdf"
    with pytest.raises(printing.RenderCancelled):
        printing.print_applications(ctx, [protected, plain], cancelled_out, cancelled=lambda: True)
    assert not cancelled_out.exists()
    assert not list(tmp_path.glob("*.part"))


def test_a_draft_cannot_be_printed_and_an_unwritable_folder_is_reported(
    ctx: AppContext, tmp_path: Path
) -> None:
    draft = records.start_application(ctx, "complaint")
    with pytest.raises(printing.PrintError):
        printing.print_receipt(ctx, draft, tmp_path / "r.pdf")
    application_id = _final(ctx, protected=False)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(printing.PrintError):
        printing.print_receipt(ctx, application_id, blocker / "r.pdf")
