"""Limits at entry in the wizard (issue 14, items 9 and 10): emoji refused as typed with a
message, lengths capped, field messages gone as soon as the answer is fixed; a receipt never
silently drops what does not fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.i18n import set_language
from app.pdf.receipt import ReceiptMeta, ReceiptTooLong, render_receipt
from app.services import form_catalogue
from app.ui.intake_page import IntakePage
from app.ui.main_window import MainWindow
from app.ui.wizard.field_widgets import ApproxDateEditor, NameEditor, NarrativeEditor
from app.ui.wizard.wizard import IntakeWizard
from tests.ui.test_wizard import type_text


def _wizard(main_window: MainWindow, form_id: str = "complaint") -> IntakeWizard:
    main_window.show_page("new_application")
    page = main_window.page("new_application")
    assert isinstance(page, IntakePage)
    page.start(form_id)
    assert page.wizard is not None
    return page.wizard


def test_emoji_is_refused_as_typed_with_a_message(main_window: MainWindow, qtbot: QtBot) -> None:
    set_language("en")
    wizard = _wizard(main_window)
    row = wizard.rows["applicant_name"]
    editor = row.editor
    assert isinstance(editor, NameEditor)
    type_text(editor.latin, "Sok😀")
    assert editor.latin.text() == "Sok"
    qtbot.wait(20)
    assert not row.issue.isHidden()
    assert row.issue.text() == "✗ Left out: the printed form cannot show 😀"
    assert editor.latin.maxLength() == 100 and editor.khmer.maxLength() == 100
    # The next keystrokes: the message follows the answer as it is now...
    type_text(editor.latin, " Dara")
    assert editor.latin.text() == "Sok Dara" and "😀" not in row.issue.text()
    # ...and goes once nothing is left to say.
    type_text(editor.khmer, "សុខ ដារ៉ា")
    assert row.issue.isHidden()


def test_long_narrative_is_said_at_once_and_clears_when_shortened(
    main_window: MainWindow, qtbot: QtBot
) -> None:
    set_language("en")
    wizard = _wizard(main_window)
    row = wizard.rows["crime_narrative"]  # asked of every applicant
    editor = row.editor
    assert isinstance(editor, NarrativeEditor)
    editor.edit.setPlainText("a" * 10_001)
    assert not row.issue.isHidden()
    assert (
        row.issue.text() == "✗ Too long: at most 10000 characters (now 10001). Please shorten it."
    )
    editor.edit.setPlainText("a" * 10_000)
    assert row.issue.isHidden()
    editor.edit.setPlainText("ok 🙏 ok")
    qtbot.wait(20)
    assert editor.edit.toPlainText() == "ok  ok"
    assert row.issue.text() == "✗ Left out: the printed form cannot show 🙏"


def test_field_message_clears_as_soon_as_the_answer_is_fixed(
    main_window: MainWindow, qtbot: QtBot
) -> None:
    set_language("en")
    wizard = _wizard(main_window)
    date_editor = wizard.rows["applicant_birth_date"].editor
    assert isinstance(date_editor, ApproxDateEditor)
    type_text(date_editor.edit, "2090")
    assert (
        date_editor.understood.text()
        == "✗ This birth year is in the future. Please check the year."
    )
    # The applicant's section is no longer the first (prior application, on whose behalf).
    wizard.show_page(
        next(
            i
            for i, page in enumerate(wizard.pages)
            if date_editor in page.findChildren(ApproxDateEditor)
        )
    )
    wizard.go_next()  # shows the page's problems
    issue = wizard.rows["applicant_birth_date"].issue
    assert not issue.isHidden()
    assert issue.text() == "✗ This birth year is in the future. Please check the year."
    date_editor.edit.clear()
    type_text(date_editor.edit, "about 1952")
    assert issue.isHidden()  # gone without pressing Next again


def test_a_receipt_that_cannot_hold_the_name_is_refused_not_emptied(tmp_path: Path) -> None:
    form = form_catalogue.form_definition("complaint")
    from datetime import date

    meta = ReceiptMeta(
        reference="VSS-AAAA-0001-X",
        applicant_name_km="សុខ" * 1700,
        applicant_name_latin="Sok" * 1700,
        form_title=form.title,
        submitted_on=date(2026, 11, 30),
    )
    with pytest.raises(ReceiptTooLong):
        render_receipt(meta, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
