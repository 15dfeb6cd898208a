"""Issue 17 in the real wizard: applying on someone's behalf (a grandchild as successor of a
deceased civil party, a guardian for a minor) and the people in the room (an interpreter and
an NGO intermediary, each with a signature box on the printed declaration)."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.services import printing, records
from app.services.context import AppContext
from app.ui.intake_page import IntakePage
from app.ui.main_window import MainWindow
from app.ui.text import plain
from app.ui.wizard.wizard import IntakeWizard
from tests.ui.test_wizard import _fill_page, _walk_to_review


def _start(main_window: MainWindow, form_id: str) -> tuple[IntakePage, IntakeWizard]:
    main_window.show_page("new_application")
    page = main_window.page_by_key["new_application"]
    assert isinstance(page, IntakePage)
    page.start(form_id)
    assert page.wizard is not None
    return page, page.wizard


def _finalize(qtbot: QtBot, page: IntakePage, wizard: IntakeWizard, ctx: AppContext) -> str:
    review = wizard.review
    problems = [review.problems.item(i).text() for i in range(review.problems.count())]
    assert review.finalize_button.isEnabled(), problems
    qtbot.mouseClick(review.finalize_button, Qt.MouseButton.LeftButton)
    application_id = records.find_by_reference(ctx, page.finished_panel.reference.text())
    assert application_id is not None
    return application_id


def _answers(wizard: IntakeWizard, seed: int, **overrides: Any) -> dict[str, Any]:
    base = {
        "applied_before": "no",
        "participation": "civil_party",
        "signature_mark": "thumbprint",
        "intermediary_present": False,
        "interpreter_present": False,
    }
    return demo_answers(wizard.form, random.Random(seed), overrides={**base, **overrides})


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.replace("\u200b", "")


def test_grandchild_continues_for_a_deceased_civil_party(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext
) -> None:
    page, wizard = _start(main_window, "civil_party")
    answers = _answers(
        wizard,
        41,
        applied_before="yes",
        prior_number_kind="civil_party",
        prior_reference="D22/3-0456",
        prior_case="case_002",
        acting_as="successor",
        deceased_name={"km": "ម៉ម ស៊ាង", "latin": "Mom Sieng"},
        deceased_death_date={"v": 1, "precision": "year", "year": 2021, "approximate": False},
        deceased_was_applicant="yes",
        successor_relationship="grandchild",
        relationship_proof=["family_book", "witnesses"],
        proof_witnesses="មេភូមិ និងអ្នកជិតខាងពីរនាក់",
    )
    reason = answers.pop("close_bond_reason")
    # The grandchild is not immediate family: the page asks why the bond was close.
    wizard.show_page(1)
    assert wizard.pages[1].section.id == "on_behalf"
    _fill_page(qtbot, wizard, answers)
    row = wizard.rows["close_bond_reason"]
    assert not row.isHidden()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current == 1
    assert plain(row.issue.text()) == "✗ សូមបំពេញ «ហេតុអ្វីបានជាទំនាក់ទំនងនេះជិតស្និទ្ធ?»។"
    answers["close_bond_reason"] = "គាត់ចិញ្ចឹមខ្ញុំតាំងពីតូច ហើយយើងរស់នៅជាមួយគ្នា។"
    assert reason  # demo answers had filled it: the field was required
    wizard.show_page(0)
    _walk_to_review(qtbot, wizard, answers)
    application_id = _finalize(qtbot, page, wizard, ctx)
    stored = records.get_application(ctx, application_id).answers
    assert stored["acting_as"] == "successor"
    assert stored["successor_relationship"] == "grandchild"
    assert stored["close_bond_reason"].startswith("គាត់ចិញ្ចឹមខ្ញុំ")
    assert stored["deceased_name"]["latin"] == "Mom Sieng"


def test_guardian_applies_for_a_minor(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext
) -> None:
    page, wizard = _start(main_window, "complaint")
    minor_birth = {"v": 1, "precision": "year", "year": 2012, "approximate": False}
    answers = _answers(
        wizard,
        42,
        participation="complainant",
        acting_as="guardian",
        represented_name={"km": "សុខ លីណា", "latin": "Sok Lina"},
        represented_birth={"v": 1, "precision": "year", "year": 1990, "approximate": False},
        guardian_basis="grandchild",
        relationship_proof=["birth_certificate"],
    )
    wizard.show_page(1)
    _fill_page(qtbot, wizard, answers)
    issues = [i for i in wizard.current_page_issues() if i.field_id == "represented_birth"]
    assert [i.code for i in issues] == ["constraint"]  # born 1990: not a minor
    assert "១៨" in issues[0].message.km
    answers["represented_birth"] = minor_birth
    wizard.show_page(0)
    _walk_to_review(qtbot, wizard, answers)
    application_id = _finalize(qtbot, page, wizard, ctx)
    stored = records.get_application(ctx, application_id).answers
    assert stored["acting_as"] == "guardian"
    assert stored["represented_birth"]["year"] == 2012
    assert stored["represented_name"]["latin"] == "Sok Lina"


def test_interpreter_and_ngo_intermediary_sign_the_printed_declaration(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    page, wizard = _start(main_window, "civil_party")
    answers = _answers(
        wizard,
        43,
        acting_as="self",
        intermediary_present=True,
        intermediary_organisation="ADHOC",
        intermediary_worker={"km": "ចាន់ ថន", "latin": "Chan Thon"},
        interpreter_present=True,
        interpreter_name={"km": "ម៉ាត់ សាឡេះ", "latin": "Mat Saleh"},
        interpreter_language="cham",
        intermediary_confirms=True,
        interpreter_confirms=True,
        ngo_keeps_copy=True,
        ngo_copy_consent=True,
        protection_requested=False,  # the signed original, not a redacted copy
    )
    seen = _walk_to_review(qtbot, wizard, answers)
    assert "informed_consent" in seen
    application_id = _finalize(qtbot, page, wizard, ctx)
    stored = records.get_application(ctx, application_id).answers
    assert stored["interpreter_language"] == "cham"
    assert stored["intermediary_worker"]["latin"] == "Chan Thon"
    out = tmp_path / "application.pdf"
    printing.print_application(ctx, application_id, out)
    # The two boxes stand side by side: compare without spaces and line breaks.
    text = "".join(_pdf_text(out).split())
    assert "ឈ្មោះនិងហត្ថលេខារបស់អ្នកបកប្រែ" in text
    assert "ឈ្មោះនិងហត្ថលេខារបស់បុគ្គលិកអង្គការអន្តរការី" in text
    assert "ម៉ាត់សាឡេះ/MatSaleh" in text
    assert "ចាន់ថន/ChanThon" in text
