"""Rule 23bis enforced in the real wizard, and an application left "awaiting signature": printable
for signing, listed on the Follow-up page, sent only after the signed paper is confirmed."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.i18n import set_language
from app.services import printing, records
from app.services.context import AppContext
from app.store.models import AuditEntry
from app.ui.followup_page import FollowUpPage
from app.ui.intake_page import IntakePage
from app.ui.main_window import MainWindow
from app.ui.wizard.wizard import IntakeWizard
from tests.officers import FIELD_OFFICER, add_officers
from tests.ui.test_wizard import _fill_page

LEFT_OUT = ("case_file", "case_note", "applicant_id_type", "applicant_id_number")


def _walk_to_review_with_gaps(qtbot: QtBot, wizard: IntakeWizard, answers: dict[str, Any]) -> None:
    """Fill each page and press Next (twice where a page has problems) until the review."""
    while wizard.current < len(wizard.pages):
        _fill_page(qtbot, wizard, answers)
        before = wizard.current
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
        if wizard.current == before:
            qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
        assert wizard.current != before


def _problems(wizard: IntakeWizard) -> list[str]:
    problems = wizard.review.problems
    # Without the break marks added for display (U+200B between Khmer words).
    return [problems.item(i).text().replace("\u200b", "") for i in range(problems.count())]


def test_civil_party_needs_injury_case_and_identity_then_waits_for_its_signature(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    set_language("km")
    add_officers(ctx, [FIELD_OFFICER])
    ctx.officer = FIELD_OFFICER
    main_window.show_page("new_application")
    page = main_window.page_by_key["new_application"]
    assert isinstance(page, IntakePage)
    page.start("civil_party")
    assert page.wizard is not None
    wizard = page.wizard
    answers = demo_answers(
        wizard.form,
        random.Random(23),
        overrides={
            "applied_before": "no",
            "applicant_status": "direct_victim",
            "participation": "civil_party",
            "signature_mark": "to_be_taken",
            "case_file": "unknown",
            "applicant_id_type": "authority_letter",
        },
    )
    for field_id in LEFT_OUT:
        answers.pop(field_id, None)
    _walk_to_review_with_gaps(qtbot, wizard, answers)

    # The minimum-content check names what is missing, in plain Khmer; finalising is refused.
    problems = " ".join(_problems(wizard))
    assert "មិនទាន់ភ្ជាប់ទៅសំណុំរឿងណាមួយទេ" in problems
    assert "អ្នកដាក់ពាក្យមិនទាន់មានអត្តសញ្ញាណច្បាស់លាស់ទេ" in problems
    assert not wizard.review.finalize_button.isEnabled()

    # "Not known" needs its note.
    wizard.rows["case_file"].editor.set_value("unknown")
    wizard.refresh_review()
    assert "សំណុំរឿងមិនដឹង ប៉ុន្តែខ្វះកំណត់ចំណាំ" in " ".join(_problems(wizard))
    wizard.rows["case_note"].editor.set_value("គុកនៅស្រុកត្រាំកក់ ខេត្តតាកែវ")
    wizard.rows["applicant_id_type"].editor.set_value("authority_letter")
    # Injury as a direct consequence: saying "no" blocks a civil party.
    wizard.rows["injury_direct_consequence"].editor.set_value(False)
    wizard.refresh_review()
    assert not wizard.review.finalize_button.isEnabled()
    wizard.rows["injury_direct_consequence"].editor.set_value(True)
    wizard.refresh_review()
    assert wizard.review.finalize_button.isEnabled(), _problems(wizard)
    qtbot.mouseClick(wizard.review.finalize_button, Qt.MouseButton.LeftButton)

    reference = page.finished_panel.reference.text()
    application_id = records.find_by_reference(ctx, reference)
    assert application_id is not None
    assert not page.finished_panel.awaiting.isHidden()
    assert records.get_application(ctx, application_id).status == records.AWAITING_SIGNATURE

    # Printable for signing.
    out = tmp_path / "for-signing.pdf"
    printing.print_application(ctx, application_id, out)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert reference in text
    assert records.get_application(ctx, application_id).status == records.AWAITING_SIGNATURE

    # Listed on the Follow-up page; the officer confirms the thumbprinted paper there.
    main_window.show_page("follow_up")
    follow_up = main_window.page_by_key["follow_up"]
    assert isinstance(follow_up, FollowUpPage)
    box = follow_up.awaiting_box
    assert box.list.count() == 1 and reference in box.list.item(0).text()
    box.list.setCurrentRow(0)
    qtbot.mouseClick(box.thumb_button, Qt.MouseButton.LeftButton)
    assert box.list.count() == 0
    detail = records.get_application(ctx, application_id)
    assert detail.status == "final"
    assert detail.answers["signature_mark"] == "thumbprint"
    with ctx.store.transaction() as session:
        actions = list(
            session.scalars(select(AuditEntry.action).where(AuditEntry.record_id == application_id))
        )
    assert "signature_confirm" in actions


def test_another_field_officer_cannot_confirm_someone_elses_paper(ctx: AppContext) -> None:
    from app.services.security import PermissionDenied
    from app.services.signatures import confirm_signed_paper
    from tests.officers import OTHER_OFFICER

    add_officers(ctx, [FIELD_OFFICER, OTHER_OFFICER])
    ctx.officer = FIELD_OFFICER
    form = records.form_definition("complaint")
    answers = demo_answers(form, random.Random(2), overrides={"signature_mark": "to_be_taken"})
    application_id = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, application_id, answers)
    ctx.officer = OTHER_OFFICER
    with pytest.raises((PermissionDenied, records.RecordError)):
        confirm_signed_paper(ctx, application_id, "signature")
    ctx.officer = FIELD_OFFICER
    assert records.get_application(ctx, application_id).status == records.AWAITING_SIGNATURE
