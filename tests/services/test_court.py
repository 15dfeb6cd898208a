"""The app's day: as of today by default, a supervisor's audited training date, banners on prints."""

from __future__ import annotations

import random
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.core.demo_answers import demo_answers
from app.services import court as court_service
from app.services import form_catalogue, letters, printing, records
from app.services.audit import verify_audit_chain
from app.services.context import AppContext
from app.services.security import PermissionDenied
from app.store.models import Application, AuditEntry
from tests.officers import FIELD_OFFICER, SUPERVISOR, add_officers

TRAINING_DAY = date(2010, 1, 20)


def _pdf_text(data: bytes, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / name
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return [page.replace("\u200b", "") for page in text.split("\f") if page.strip()]


def test_only_a_supervisor_sets_the_training_date_and_it_is_audited(ctx: AppContext) -> None:
    add_officers(ctx)
    assert court_service.as_of(ctx) == date.today()
    assert court_service.training_banner(ctx) is None
    ctx.officer = FIELD_OFFICER
    with pytest.raises(PermissionDenied):
        court_service.set_training_date(ctx, TRAINING_DAY)
    assert court_service.training_date(ctx) is None
    ctx.officer = SUPERVISOR
    with pytest.raises(court_service.CourtError):
        court_service.set_training_date(ctx, date.today())  # not a past date
    court_service.set_training_date(ctx, TRAINING_DAY)
    assert court_service.as_of(ctx) == TRAINING_DAY
    assert court_service.court_now(ctx).case("case_002").accepts_civil_parties is True  # type: ignore[union-attr]
    assert court_service.training_banner(ctx)
    court_service.set_training_date(ctx, None)
    assert court_service.as_of(ctx) == date.today()
    with ctx.store.transaction() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "settings_change")
        ).all()
    assert [e.details["to"] for e in entries if e.details] == ["2010-01-20", None]
    assert verify_audit_chain(ctx).intact


def _forwarded(ctx: AppContext) -> str:
    form = form_catalogue.form_definition("complaint")
    answers = demo_answers(form, random.Random(5), overrides={"protection_requested": False})
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, answers)
    with ctx.store.transaction() as session:
        session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values(court_status="forwarded")
        )
    return application_id


def test_status_letter_tells_what_is_true_on_the_app_day(ctx: AppContext, tmp_path: Path) -> None:
    add_officers(ctx)
    ctx.officer = SUPERVISOR
    application_id = _forwarded(ctx)
    data, _pages = letters.status_letters_pdf(ctx, [application_id])
    today = "".join(_pdf_text(data, tmp_path, "today.pdf"))
    assert "no judge will decide on it" in " ".join(today.split())
    assert "They will decide on it" not in today
    assert "TRAINING" not in today

    court_service.set_training_date(ctx, TRAINING_DAY)
    data, _pages = letters.status_letters_pdf(ctx, [application_id])
    pages = _pdf_text(data, tmp_path, "2010.pdf")
    assert "They will decide on it" in " ".join("".join(pages).split())
    assert pages and all("TRAINING" in page for page in pages)


def test_leaflet_as_of_today_and_as_of_2010(ctx: AppContext, tmp_path: Path) -> None:
    add_officers(ctx)
    ctx.officer = SUPERVISOR
    today = " ".join(" ".join(_pdf_text(printing.leaflet_pdf(ctx).data, tmp_path, "a.pdf")).split())
    assert "December 2027" in today
    assert "ថ្ងៃទី៣១ ខែធ្នូ ឆ្នាំ២០២៧" in today
    # Every case on the leaflet says so (today no case accepts civil parties).
    assert "Civil party applications: not accepted." in today
    assert "Civil party applications: accepted" not in today
    assert "Civil party applications: not known" not in today
    for promise in ("come to the hearings", "will be told", "You can say what you wish for"):
        assert promise not in today, promise
    assert "TRAINING" not in today
    court_service.set_training_date(ctx, TRAINING_DAY)
    pages = _pdf_text(printing.leaflet_pdf(ctx).data, tmp_path, "b.pdf")
    then = " ".join(" ".join(pages).split())
    assert "accepted until 29 January 2010" in then
    assert all("TRAINING" in page for page in pages)


def test_receipt_says_what_happens_next_on_the_app_day(ctx: AppContext, tmp_path: Path) -> None:
    add_officers(ctx)
    ctx.officer = SUPERVISOR
    form = form_catalogue.form_definition("civil_party")
    answers = demo_answers(
        form, random.Random(7), overrides={"protection_requested": False, "case_file": "case_002"}
    )
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, answers)

    (today,) = _pdf_text(printing.receipt_pdf(ctx, application_id).data, tmp_path, "r1.pdf")
    flat = " ".join(today.split())
    assert "For the record and the archive" in flat
    assert "will review your application" not in flat
    assert "TRAINING" not in flat

    court_service.set_training_date(ctx, TRAINING_DAY)
    (then,) = _pdf_text(printing.receipt_pdf(ctx, application_id).data, tmp_path, "r2.pdf")
    flat = " ".join(then.split())
    assert "will review your application" in flat
    assert "For the record" not in flat
    assert flat.count("TRAINING") >= 2  # both halves: they are cut apart
