"""The wizard's page switch does less work without showing anything different (issue 20).

Pages out of sight keep their updates off (so Qt's stack does not walk every page's widgets on
each switch) and the progress bar no longer repaints itself at once: what the window paints after
a switch must still be exactly the page asked for, step number included.
"""

from __future__ import annotations

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.i18n import set_language
from app.services import records
from app.services.context import AppContext
from app.ui.wizard.wizard import IntakeWizard


def _painted(wizard: IntakeWizard) -> QImage:
    """What the window shows now (its backing store), not a fresh render."""
    QApplication.processEvents()
    image = wizard.screen().grabWindow(wizard.winId()).toImage()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def _rendered(wizard: IntakeWizard) -> QImage:
    return wizard.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)


def test_each_page_is_built_once_and_painted_as_asked(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    set_language("km")
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    qtbot.addWidget(wizard)
    wizard.resize(1024, 600)
    wizard.show()
    qtbot.waitExposed(wizard)
    pages = list(wizard.pages)
    stacked = [wizard.stack.widget(i) for i in range(wizard.stack.count())]
    indexes = wizard._visible_page_indexes()
    assert len(indexes) > 3

    # Forward, backward and through the review page, twice: the same page objects come back.
    for index in [*indexes, *reversed(indexes[:-1]), *indexes]:
        wizard.show_page(index)
        assert wizard.stack.currentIndex() == index
        assert wizard.stack.currentWidget() is stacked[index]
        assert [wizard.stack.widget(i) for i in range(wizard.stack.count())] == stacked
        assert wizard.pages == pages
        # Only the page shown paints; the others wait with their updates off.
        assert [stacked[i].updatesEnabled() for i in range(len(stacked))] == [
            i == index for i in range(len(stacked))
        ]
        position = indexes.index(index) + 1
        assert wizard.progress.value() == position
        # Nothing in sight has its updates off (typing repaints; a fresh render, which skips
        # such widgets, shows all), and what the window painted is that fresh render.
        assert all(c.updatesEnabled() for c in wizard.findChildren(QWidget) if c.isVisible())
        assert _painted(wizard) == _rendered(wizard), f"page {index} painted stale"


def test_a_field_reached_from_the_review_is_painted(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    qtbot.addWidget(wizard)
    wizard.resize(1366, 768)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.show_page(len(wizard.pages))
    last_page = wizard._visible_page_indexes()[-2]
    field_id = wizard.pages[last_page].rows[0].field.id
    wizard.go_to_field(field_id)
    assert wizard.current == last_page
    assert wizard.stack.currentWidget() is wizard.pages[last_page]
    assert wizard.pages[last_page].updatesEnabled()
    assert not wizard.review.updatesEnabled()
    assert all(c.updatesEnabled() for c in wizard.findChildren(QWidget) if c.isVisible())
    assert _painted(wizard) == _rendered(wizard)
