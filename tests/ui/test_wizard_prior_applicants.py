"""Issue 17 in the real wizard: people who applied before (follow-up contacts) and the new
questions of both forms, filled as an officer would under pytest-qt."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.core.gazetteer import load_gazetteer
from app.core.reference import validate_reference
from app.services import printing, records, registry
from app.services.context import AppContext
from app.services.prior_contacts import linked_contacts
from app.store.models import ApplicationVersion, OutboxItem
from app.ui.intake_page import IntakePage
from app.ui.main_window import MainWindow
from app.ui.record_view import RecordDialog
from app.ui.wizard.wizard import IntakeWizard
from tests.officers import FIELD_OFFICER, add_officers
from tests.ui.test_wizard import _walk_to_review

CIVIL_PARTY_NAME = {"km": "ឡុង សារ៉ាត", "latin": "Long Sarat"}


def _a_village() -> dict[str, str | None]:
    gazetteer = load_gazetteer()
    province = gazetteer.children(None)[0]
    district = gazetteer.children(province.code)[0]
    commune = gazetteer.children(district.code)[0]
    village = gazetteer.children(commune.code)[0]
    return {
        "province": province.code,
        "district": district.code,
        "commune": commune.code,
        "village": village.code,
    }


def _final_civil_party(ctx: AppContext, seed: int = 7) -> tuple[str, str]:
    form = records.form_definition("civil_party")
    answers = demo_answers(
        form,
        random.Random(seed),
        overrides={
            "applied_before": "no",
            "applicant_name": CIVIL_PARTY_NAME,
            "participation": "civil_party",
            "signature_mark": "thumbprint",
        },
    )
    application_id = records.start_application(ctx, "civil_party")
    reference = records.finalize_application(ctx, application_id, answers)
    return application_id, reference


def _start(main_window: MainWindow, qtbot: QtBot, form_id: str) -> tuple[IntakePage, IntakeWizard]:
    main_window.show_page("new_application")
    page = main_window.page_by_key["new_application"]
    assert isinstance(page, IntakePage)
    qtbot.mouseClick(page.chooser.form_buttons[form_id], Qt.MouseButton.LeftButton)
    assert page.wizard is not None
    return page, page.wizard


def _finalize(qtbot: QtBot, page: IntakePage, wizard: IntakeWizard) -> str:
    review = wizard.review
    assert review.finalize_button.isEnabled(), [
        review.problems.item(i).text() for i in range(review.problems.count())
    ]
    qtbot.mouseClick(review.finalize_button, Qt.MouseButton.LeftButton)
    reference = page.finished_panel.reference.text()
    assert validate_reference(reference), reference  # a whole reference, check character right
    return reference


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.replace("\u200b", "")


def test_case_002_civil_party_reports_a_new_address_as_a_follow_up_contact(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    add_officers(ctx, [FIELD_OFFICER])
    ctx.officer = FIELD_OFFICER
    earlier_id, earlier_reference = _final_civil_party(ctx)

    page, wizard = _start(main_window, qtbot, "follow_up")
    # The officer in the room is the signed-in officer, filled in already.
    assert wizard.rows["officer_name"].editor.value() == FIELD_OFFICER.display_name
    new_address = _a_village()
    typed_number = earlier_reference.lower().replace("-", " ")  # as read aloud from the receipt
    answers = {
        "applicant_name": CIVIL_PARTY_NAME,
        "prior_number_kind": "app_reference",
        "prior_reference": typed_number,
        "prior_case": "case_002",
        "lawyer_team": "Civil Party Lead Co-Lawyers",
        "speaker": "self",
        "contact_kind": "new_address",
        "new_address": new_address,
        "new_phone": "012 345 678",
        "intake_forum": "Takeo community forum",
        "intake_date": {"v": 1, "precision": "exact", "year": 2026, "month": 11, "day": 30},
        "read_back": True,
    }
    seen = _walk_to_review(qtbot, wizard, answers)
    assert seen == ["person", "contact", "intake"]
    reference = _finalize(qtbot, page, wizard)
    contact_id = records.find_by_reference(ctx, reference)
    assert contact_id is not None
    stored = records.get_application(ctx, contact_id).answers
    assert stored["new_address"] == new_address
    assert stored["officer_name"] == FIELD_OFFICER.display_name

    # Shown on the history of the earlier record, in the record view as well.
    contacts = linked_contacts(ctx, earlier_id)
    assert [c.reference for c in contacts] == [reference]
    assert contacts[0].what == "អាសយដ្ឋាន ឬលេខទូរស័ព្ទថ្មី"
    dialog = RecordDialog(ctx, earlier_id)
    qtbot.addWidget(dialog)
    shown = dialog.summary.toPlainText().replace("\u200b", "")  # break marks added for display
    assert "អាសយដ្ឋាន ឬលេខទូរស័ព្ទថ្មី" in shown
    assert reference in shown

    # The registry finds the person by the previous number, typed another way.
    found = registry.list_registry(ctx, registry.RegistryQuery(search=earlier_reference), 0, 50)
    assert contact_id in {row.id for row in found}

    # Synced like the others: its version waits in the outbox.
    with ctx.store.transaction() as session:
        states = session.scalars(
            select(OutboxItem.state)
            .join(ApplicationVersion, ApplicationVersion.id == OutboxItem.version_id)
            .where(ApplicationVersion.application_id == contact_id)
        ).all()
    assert states == ["pending"]

    # Printed with its own receipt.
    out = tmp_path / "receipt.pdf"
    printing.print_receipt(ctx, contact_id, out)
    text = _pdf_text(out)
    assert reference in text
    assert "ការទាក់ទងតាមដាន" in text


def test_court_number_with_other_separators_links_two_contacts(ctx: AppContext) -> None:
    form = records.form_definition("follow_up")
    ids = []
    for seed, typed in ((1, "D22/2-1234"), (2, "d22 2 1234")):
        answers = demo_answers(
            form,
            random.Random(seed),
            overrides={
                "prior_number_kind": "civil_party",
                "prior_reference": typed,
                "contact_kind": "question",
            },
        )
        application_id = records.start_application(ctx, "follow_up")
        records.finalize_application(ctx, application_id, answers)
        ids.append(application_id)
    assert [c.application_id for c in linked_contacts(ctx, ids[0])] == [ids[1]]
    found = registry.list_registry(ctx, registry.RegistryQuery(search="D22/2-1234"), 0, 50)
    assert set(ids) <= {row.id for row in found}
