"""The wizard prepares the pages next to the one shown while the officer reads it (issue 20):
laid out and painted out of sight at the size they will be shown at, so Next and Back find them
ready. A prepared page must show exactly what an unprepared one shows, keep the keyboard where it
was, wait until the draft is saved, and stay out of sight and with its updates off."""

from __future__ import annotations

from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app.i18n import set_language
from app.services import records
from app.services.context import AppContext
from app.ui.wizard.section_page import SectionPage
from app.ui.wizard.wizard import IntakeWizard


def _wizard(qtbot: QtBot, ctx: AppContext, size: tuple[int, int]) -> IntakeWizard:
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    qtbot.addWidget(wizard)
    wizard.resize(*size)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def _rendered(wizard: IntakeWizard) -> QImage:
    return wizard.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)


def _is_prepared(wizard: IntakeWizard, index: int) -> bool:
    """Laid out at the size it will be shown at, and painted once: the section title (rich
    text, at the top) keeps its document's shaped lines from its first paint on."""
    page = wizard.pages[index]
    shown = wizard.stack.currentWidget()
    assert isinstance(shown, QScrollArea)
    document = page.title.findChild(QTextDocument)
    painted = document is not None and document.begin().layout().cacheEnabled()
    return (
        page.geometry() == shown.geometry()
        and page.widget().width() == page.viewport().width()
        and painted
    )


def _wait_prepared(qtbot: QtBot, wizard: IntakeWizard) -> None:
    qtbot.waitUntil(lambda: not wizard.preparer.waiting, timeout=10_000)


def test_the_pages_next_to_the_one_shown_are_prepared_out_of_sight(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    set_language("km")
    wizard = _wizard(qtbot, ctx, (1024, 600))
    indexes = wizard._visible_page_indexes()[:-1]
    middle = indexes[len(indexes) // 2]
    wizard.show_page(middle)
    focused = QApplication.focusWidget() if wizard.isActiveWindow() else wizard.focusWidget()
    later, earlier = indexes[indexes.index(middle) + 1], indexes[indexes.index(middle) - 1]
    assert not _is_prepared(wizard, later) and not _is_prepared(wizard, earlier)

    _wait_prepared(qtbot, wizard)
    for index in indexes:
        page = wizard.pages[index]
        if index != middle:
            assert _is_prepared(wizard, index), f"page {index}"
            # Still out of sight, and waiting with its updates off (see _switch_stack_to).
            assert page.isHidden() and not page.isVisible()
            assert not page.updatesEnabled()
    assert wizard.stack.currentWidget() is wizard.pages[middle]
    assert wizard.pages[middle].updatesEnabled()
    # The keyboard stays where it was.
    assert (QApplication.focusWidget() if wizard.isActiveWindow() else wizard.focusWidget()) is (
        focused
    )


def test_a_prepared_page_shows_what_an_unprepared_one_shows(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    for language, size in (("km", (1024, 600)), ("en", (1366, 768))):
        set_language(language)
        try:
            # Each page shown as it was before pages were prepared: the preparation stopped
            # before any event is processed, then what the switch asked for done.
            unprepared = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
            unprepared.preparer.stop()
            qtbot.addWidget(unprepared)
            unprepared.resize(*size)
            unprepared.show()
            qtbot.waitExposed(unprepared)
            indexes = unprepared._visible_page_indexes()
            expected = {}
            for index in indexes[1:-1]:
                assert not _is_prepared(unprepared, index)
                unprepared.show_page(index)
                unprepared.preparer.stop()
                QApplication.processEvents()
                expected[index] = _rendered(unprepared)
            unprepared.close()

            prepared = _wizard(qtbot, ctx, size)
            assert prepared._visible_page_indexes() == indexes
            for index in indexes[1:-1]:
                _wait_prepared(qtbot, prepared)
                assert _is_prepared(prepared, index)
                prepared.show_page(index)
                QApplication.processEvents()
                assert _rendered(prepared) == expected[index], f"page {index}"
            prepared.close()
        finally:
            set_language("km")


def test_an_answer_changed_prepares_the_next_page_again(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    wizard = _wizard(qtbot, ctx, (1024, 600))
    first = wizard._visible_page_indexes()[0]
    _wait_prepared(qtbot, wizard)
    before = dict(wizard.preparer.prepared)
    wizard.rows["applied_before"].editor.set_value("no")
    wizard.show_page(first)
    following = wizard._visible_page_indexes()[1]
    _wait_prepared(qtbot, wizard)
    assert wizard.preparer.prepared[following] != before[following]
    assert _is_prepared(wizard, following)


def test_the_draft_is_saved_and_nothing_prepared_once_closed(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    wizard = _wizard(qtbot, ctx, (1024, 600))
    wizard.rows["applied_before"].editor.set_value("no")
    wizard.go_next()
    assert wizard.dirty
    assert wizard.preparer.waiting  # queued behind the draft's save
    qtbot.waitUntil(lambda: not wizard.dirty, timeout=5_000)
    wizard.show_page(wizard._visible_page_indexes()[0])
    wizard.close()
    assert not wizard.preparer.waiting
    assert not wizard.preparer.timer.isActive()
    waiting = [w for w in wizard.findChildren(SectionPage) if w is not wizard.stack.currentWidget()]
    assert all(not page.updatesEnabled() for page in waiting)
    assert isinstance(wizard.stack.currentWidget(), QWidget)


def test_the_review_is_filled_while_the_last_page_is_read(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    wizard = _wizard(qtbot, ctx, (1024, 600))
    review = len(wizard.pages)
    last_page = wizard._visible_page_indexes()[-2]
    wizard.show_page(wizard._visible_page_indexes()[-3])
    _wait_prepared(qtbot, wizard)
    assert wizard.review.problems.count() == 0  # not next: not filled
    wizard.show_page(last_page)
    _wait_prepared(qtbot, wizard)
    assert wizard.review.problems.count() > 0
    assert review in wizard.preparer.prepared
    assert wizard.review.isHidden() and not wizard.review.updatesEnabled()
    first_item = wizard.review.problems.item(0)
    wizard.show_page(review)  # the same answers: shown as filled, not filled again
    assert wizard.review.problems.item(0) is first_item

    # An answer changed on the last page after the review was filled: filled again when shown.
    wizard.show_page(last_page)
    _wait_prepared(qtbot, wizard)
    wizard.rows["applied_before"].editor.set_value("no")
    wizard.show_page(review)
    assert "applied_before" not in {
        wizard.review.problems.item(i).data(256) for i in range(wizard.review.problems.count())
    }


def test_a_locked_session_leaves_the_review_to_be_filled_when_shown(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    wizard = _wizard(qtbot, ctx, (1024, 600))
    review = len(wizard.pages)
    ctx.locked = True
    wizard.show_page(wizard._visible_page_indexes()[-2])
    _wait_prepared(qtbot, wizard)
    assert review in wizard.preparer.prepared  # tried, and refused
    assert wizard._review_seen is None
    assert wizard.review.problems.count() == 0
    ctx.locked = False
    wizard.show_page(review)
    assert wizard.review.problems.count() > 0
