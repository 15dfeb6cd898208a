"""Status letters service: which records are due, batch per village/forum, audited printing."""

from __future__ import annotations

import random
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.core.demo_answers import demo_answers
from app.services import form_catalogue, letters, records
from app.services.audit import verify_audit_chain
from app.services.context import AppContext
from app.services.printing import PrintError
from app.store.models import Application, AuditEntry


def _final(ctx: AppContext, seed: int, forum: str, protected: bool = False) -> str:
    form = form_catalogue.form_definition("complaint")
    answers = demo_answers(
        form,
        random.Random(seed),
        overrides={"intake_forum": forum, "protection_requested": protected},
    )
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, answers)
    return application_id


def _status(ctx: AppContext, application_id: str, status: str) -> None:
    with ctx.store.transaction() as session:
        session.execute(
            update(Application).where(Application.id == application_id).values(court_status=status)
        )


def test_letters_due_per_forum_and_printing_is_audited(ctx: AppContext, tmp_path: Path) -> None:
    a = _final(ctx, 1, "វេទិកា ក")
    b = _final(ctx, 2, "វេទិកា ខ", protected=True)
    c = _final(ctx, 3, "វេទិកា ក")  # no status yet: no letter
    _status(ctx, a, "forwarded")
    _status(ctx, b, "lawyer_assigned")
    assert {d.application_id for d in letters.letters_due(ctx)} == {a, b}
    assert [d.application_id for d in letters.letters_due(ctx, forum="វេទិកា ក")] == [a]
    with pytest.raises(PrintError):
        letters.print_status_letters(ctx, [c], tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()

    out = tmp_path / "letters.pdf"
    assert letters.print_status_letters(ctx, [a, b], out, today=date(2027, 1, 6)) == 2
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    plain = "".join(text.replace("\u200b", "").split())
    forwarded = letters.letter_template("forwarded")
    assert "".join(forwarded.title.km.split()) in plain
    protected_name = records.get_application(ctx, b, audit=False).name_latin
    assert "".join(protected_name.split()) not in plain
    with ctx.store.transaction() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "record_print")
        ).all()
    assert [(e.record_id, e.details) for e in entries] == [
        (a, {"document": "status_letter", "status": "forwarded", "redacted": False}),
        (b, {"document": "status_letter", "status": "lawyer_assigned", "redacted": True}),
    ]
    assert verify_audit_chain(ctx).intact


def test_a_broken_template_stops_printing_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "received.yaml").write_text("title: {km: ក}\n", encoding="utf-8")
    with pytest.raises(PrintError) as failure:
        letters.letter_template("received", tmp_path)
    assert "received.yaml" in str(failure.value)
