"""The review page's problems list is painted from cached layouts (app/ui/cell_text.py, issue 20:
coming back to the review no longer shapes every item's Khmer text again), and looks exactly as
Qt's own item painting: the same pixels in Khmer and English, at 1024x600 and 1366x768, with an
item selected and current, with the pointer over another, and after the answers change."""

from __future__ import annotations

import random

import pytest
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QStyledItemDelegate
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.i18n import set_language
from app.services import records
from app.services.context import AppContext
from app.ui.cell_text import CachedTextDelegate
from app.ui.wizard.field_widgets import ApproxDateEditor, NameEditor
from app.ui.wizard.wizard import IntakeWizard
from tests.ui.pixels import ROUNDING, largest_difference


def _both(problems: QListWidget, cached: CachedTextDelegate) -> tuple[QImage, QImage]:
    """The list painted by Qt's delegate, then by the page's cached one."""
    shots = []
    for delegate in (QStyledItemDelegate(problems), cached):
        problems.setItemDelegate(delegate)
        QApplication.processEvents()
        shots.append(problems.viewport().grab().toImage())
    return shots[0], shots[1]


@pytest.mark.parametrize("language", ["km", "en"])
def test_problems_look_as_qt_paints_them(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext, language: str
) -> None:
    set_language(language)
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    qtbot.addWidget(wizard)
    review = len(wizard.pages)
    problems = wizard.review.problems
    cached = problems.itemDelegate()
    assert isinstance(cached, CachedTextDelegate)
    for width, height in ((1024, 600), (1366, 768)):
        wizard.resize(width, height)
        wizard.show()
        qtbot.waitExposed(wizard)
        wizard.show_page(0)
        wizard.show_page(review)
        QApplication.processEvents()
        assert problems.count() > 3, "a new application has problems to list"
        qt, drawn = _both(problems, cached)
        assert largest_difference(qt, drawn) <= ROUNDING, (language, width)
        assert cached._pictures, "the items were drawn from pictures"
        assert any(layout.lineCount() > 1 for layout, _x, _y in cached._layouts.values() if layout)
        # Selected and current with the focus, and the pointer over another item.
        problems.setFocus()
        problems.setCurrentRow(1)
        QTest.mouseMove(problems.viewport(), problems.visualItemRect(problems.item(3)).center())
        QApplication.processEvents()
        qt, drawn = _both(problems, cached)
        assert largest_difference(qt, drawn) <= ROUNDING, (language, width, "selected")
        assert 1 in cached.special_rows and len(cached.special_rows) == 2  # and the pointed one
        QTest.mouseMove(wizard.review.finalize_button)
        problems.clearSelection()
    # New answers: the list shows the new problems, still with Qt's pixels.
    wizard.show_page(0)
    before = [problems.item(i).text() for i in range(problems.count())]
    answers = demo_answers(wizard.form, random.Random(3))
    for row in wizard.pages[0].rows:
        if row.field.id in answers and not isinstance(row.editor, NameEditor | ApproxDateEditor):
            row.editor.set_value(answers[row.field.id])
    wizard.show_page(review)
    QApplication.processEvents()
    after = [problems.item(i).text() for i in range(problems.count())]
    assert after != before
    assert wizard.review._problem_texts == after
    qt, drawn = _both(problems, cached)
    assert largest_difference(qt, drawn) <= ROUNDING, (language, "new answers")


def test_notes_and_answers_look_as_a_qlabel_paints_them(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    """The jurisdiction notes and the answers (rich text, kept glyphs) show QLabel's pixels."""
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    qtbot.addWidget(wizard)
    answers = demo_answers(wizard.form, random.Random(3))
    for row in wizard.pages[0].rows:
        if row.field.id in answers and not isinstance(row.editor, NameEditor | ApproxDateEditor):
            row.editor.set_value(answers[row.field.id])
    wizard.resize(1024, 600)
    wizard.show()
    wizard.show_page(len(wizard.pages))
    QApplication.processEvents()
    for kept in (wizard.review.screening, wizard.review.summary):
        assert kept.text()
        plain = QLabel(kept.parentWidget())  # beside it: the same style, font and palette
        plain.setObjectName(kept.objectName())
        plain.setWordWrap(True)
        plain.setTextFormat(kept.textFormat())
        plain.setTextInteractionFlags(kept.textInteractionFlags())
        plain.setText(kept.text())
        plain.setGeometry(kept.geometry())
        plain.lower()
        plain.show()
        for _ in range(2):  # the second paint from the kept glyphs
            assert kept.grab().toImage() == plain.grab().toImage()
