"""The Print page outputs only the document named on screen at that moment (issue 14, item 1).

Driven through the real widgets: typing into the reference box, clicking the kind buttons and the
Save button; saved PDFs are read back with pdftotext.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.core.forms import FieldRole
from app.services import records
from app.services.context import AppContext
from app.ui.print_page import PrintPage
from app.ui.text import plain


def _finalize(ctx: AppContext, seed: int, latin: str, khmer: str) -> str:
    form = records.form_definition("complaint")
    name_field = form.field_with_role(FieldRole.APPLICANT_NAME)
    protection = form.field_with_role(FieldRole.IDENTITY_PROTECTION)
    assert name_field is not None and protection is not None
    overrides = {name_field.id: {"km": khmer, "latin": latin}, protection.id: False}
    answers = demo_answers(form, random.Random(seed), overrides=overrides)
    application_id = records.start_application(ctx, form.id)
    return records.finalize_application(ctx, application_id, answers)


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _type_reference(qtbot: QtBot, page: PrintPage, reference: str) -> None:
    page.reference.selectAll()
    qtbot.keyClick(page.reference, Qt.Key.Key_Delete)
    qtbot.keyClicks(page.reference, reference)


@pytest.fixture
def two_applicants(ctx: AppContext) -> tuple[str, str]:
    first = _finalize(ctx, 1, "Sokunthea Ouk", "អ៊ុក សុគន្ធា")
    second = _finalize(ctx, 2, "Rithy Pen", "ប៉ែន ឫទ្ធី")
    return first, second


def test_typing_a_new_reference_saves_the_new_applicant(
    vss_qapp: object,
    qtbot: QtBot,
    ctx: AppContext,
    tmp_path: Path,
    two_applicants: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = two_applicants
    page = PrintPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.kind_buttons["receipt"], Qt.MouseButton.LeftButton)
    _type_reference(qtbot, page, first)
    qtbot.keyClick(page.reference, Qt.Key.Key_Return)
    assert page.document is not None
    assert page.save_button.isEnabled() and page.print_button.isEnabled()

    # A new reference is typed: the old preview is gone and output is disabled at once.
    _type_reference(qtbot, page, second)
    assert page.document is None
    assert page.pdf.pageCount() == 0
    assert not page.save_button.isEnabled() and not page.print_button.isEnabled()

    # Save renders what is named now, even without pressing Preview (e.g. via the Save dialog).
    out = tmp_path / "receipt.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    page.save_document()
    text = _text(out)
    assert second in text and "Rithy Pen" in text
    assert first not in text and "Sokunthea" not in text


def test_switching_the_document_type_clears_the_preview(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext, tmp_path: Path, two_applicants: tuple[str, str]
) -> None:
    first, _second = two_applicants
    page = PrintPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.choose("receipt", first)
    assert page.document is not None and page.document.kind == "receipt"
    qtbot.mouseClick(page.kind_buttons["application"], Qt.MouseButton.LeftButton)
    assert page.document is None and page.pdf.pageCount() == 0
    assert not page.save_button.isEnabled()
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    assert page.document is not None and page.document.kind == "application"
    out = tmp_path / "application.pdf"
    page.save_to(out)
    text = _text(out)
    assert "Sokunthea" in text and first in text
    # The application has many pages; the receipt has one.
    assert page.document.pages > 1


def test_unknown_reference_disables_output_and_shows_nothing(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext, tmp_path: Path, two_applicants: tuple[str, str]
) -> None:
    first, _second = two_applicants
    page = PrintPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.choose("receipt", first)
    assert page.pdf.pageCount() == 1
    _type_reference(qtbot, page, "VSS-AAAA-0000-0")
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    assert plain(page.message.text()) == "គ្មានពាក្យសុំណាមានលេខយោង VSS-AAAA-0000-0 ទេ។"
    assert page.document is None
    assert page.pdf.pageCount() == 0
    assert not page.save_button.isEnabled() and not page.print_button.isEnabled()
    # Even called directly, saving an unknown reference writes nothing.
    out = tmp_path / "nothing.pdf"
    page.save_to(out)
    assert not out.exists()
    assert not list(tmp_path.glob("*.part"))
