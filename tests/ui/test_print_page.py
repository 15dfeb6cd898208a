"""The Print page: preview from memory, save, batch off the UI thread with cancel."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.i18n import _
from app.services import form_catalogue, records
from app.services.context import AppContext
from app.ui.print_page import PrintPage
from app.ui.text import plain


def _finalize_some(ctx: AppContext, count: int) -> list[str]:
    references = []
    for seed in range(count):
        form = form_catalogue.form_definition("civil_party" if seed % 2 else "complaint")
        answers = demo_answers(form, random.Random(seed), overrides={"intake_forum": "វេទិកា បាទី"})
        application_id = records.start_application(ctx, form.id)
        references.append(records.finalize_application(ctx, application_id, answers))
    return references


def test_preview_and_save_a_receipt(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    reference = _finalize_some(ctx, 1)[0]
    page = PrintPage(ctx)
    qtbot.addWidget(page)
    page.choose("receipt", reference.lower())
    assert page.pdf.pageCount() == 1
    assert page.document is not None and page.document.kind == "receipt"
    # Nothing was written to disk for the preview.
    assert not list(tmp_path.rglob("*.pdf"))
    out = tmp_path / "receipt.pdf"
    page.save_to(out)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert reference in text


def test_unknown_reference_shows_a_message(vss_qapp: object, qtbot: QtBot, ctx: AppContext) -> None:
    page = PrintPage(ctx)
    qtbot.addWidget(page)
    page.choose("application", "VSS-AAAA-0000-0")
    assert plain(page.message.text()) == "គ្មានពាក្យសុំណាមានលេខយោង VSS-AAAA-0000-0 ទេ។"
    assert page.document is None


def test_blank_form_and_leaflet_preview(vss_qapp: object, qtbot: QtBot, ctx: AppContext) -> None:
    page = PrintPage(ctx)
    qtbot.addWidget(page)
    page.choose("blank_form")
    assert page.pdf.pageCount() >= 5
    page.choose("leaflet")
    assert page.pdf.pageCount() >= 2


def test_forum_batch_runs_in_background_and_cancel_writes_nothing(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    _finalize_some(ctx, 4)
    page = PrintPage(ctx)
    qtbot.addWidget(page)
    page.kind_buttons["forum"].setChecked(True)
    assert page.forum_choice.findData("វេទិកា បាទី") >= 0
    out = tmp_path / "forum.pdf"
    page.save_to(out)
    assert page.task is not None
    task = page.task
    qtbot.waitUntil(lambda: task.reported, timeout=120_000)
    assert out.exists()
    assert page.progress.value() == 4

    cancelled = tmp_path / "cancelled.pdf"
    page.save_to(cancelled)
    page.cancel_batch()
    task = page.task
    qtbot.waitUntil(lambda: task.reported, timeout=120_000)
    assert not cancelled.exists()
    # Shown with breaks between Khmer words (so it wraps): compare the words.
    assert plain(page.message.text()) == _("Cancelled. Nothing was saved.")


def test_counts_and_progress_in_khmer_digits(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    reference = _finalize_some(ctx, 1)[0]
    page = PrintPage(ctx)
    qtbot.addWidget(page)
    page.choose("receipt", reference)
    document = page.document
    assert document is not None
    redacted = (
        f" — ច្បាប់ចម្លងដែលលាក់ព័ត៌មាន តាមការស្នើសុំរបស់អ្នកដាក់ពាក្យ៖ {document.protection_label.km}។"
        if document.redacted and document.protection_label is not None
        else ""
    )
    assert plain(page.message.text()) == f"ចំនួនទំព័រ៖ ១{redacted}"  # Khmer digits
    page.progress.setRange(0, 12)
    page.progress.setValue(3)
    assert page.progress.text() == "៣ / ១២"
