"""The wizard's page switch does less work without showing or saving anything different (issue 20).

Pages out of sight keep their updates off (so Qt's stack does not walk every page's widgets on
each switch) and the progress bar no longer repaints itself at once: what the window paints after
a switch must still be exactly the page asked for, step number included. The draft is written
right after the switch is painted instead of before it: closing, locking or quitting in between
still saves every answer.
"""

from __future__ import annotations

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.i18n import set_language
from app.services import records
from app.services.context import AppContext
from app.ui.intake_page import IntakePage
from app.ui.main_window import MainWindow
from app.ui.text import _, plain
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


# The draft is written right after the new page is painted, not before the switch.


def _answer_first_page(wizard: IntakeWizard) -> str:
    wizard.rows["applied_before"].editor.set_value("no")
    assert wizard.dirty
    return wizard.application_id


def _wizard_in(main_window: MainWindow) -> IntakeWizard:
    main_window.show_page("new_application")
    intake = main_window.page_by_key["new_application"]
    assert isinstance(intake, IntakePage)
    intake.start("civil_party")
    assert intake.wizard is not None
    return intake.wizard


def _stored(ctx: AppContext, application_id: str) -> dict[str, object]:
    return dict(records.get_application(ctx, application_id, audit=False).answers)


def test_the_page_is_switched_first_and_the_draft_saved_right_after(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    first = wizard.current
    application_id = _answer_first_page(wizard)
    wizard.go_next()
    assert wizard.current != first
    assert "applied_before" not in _stored(ctx, application_id)  # not yet: after the paint
    qtbot.waitUntil(lambda: not wizard.dirty, timeout=5_000)
    assert _stored(ctx, application_id)["applied_before"] == "no"
    assert plain(wizard.saved_label.text()) == plain(_("Draft saved"))
    # Back: the same, and nothing is written when nothing changed.
    wizard.rows["applied_before"].editor.set_value("not_sure")
    wizard.go_back()
    assert wizard.current == first
    qtbot.waitUntil(lambda: not wizard.dirty, timeout=5_000)
    assert _stored(ctx, application_id)["applied_before"] == "not_sure"


def test_closing_right_after_a_switch_saves_the_answer(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    qtbot.addWidget(wizard)
    wizard.show()
    application_id = _answer_first_page(wizard)
    wizard.go_next()
    wizard.close()  # no event processed in between
    assert _stored(ctx, application_id)["applied_before"] == "no"
    assert not wizard.dirty


def test_locking_right_after_a_switch_saves_the_answer(
    main_window: MainWindow, ctx: AppContext
) -> None:
    wizard = _wizard_in(main_window)
    application_id = _answer_first_page(wizard)
    wizard.go_next()
    main_window.lock_now()
    assert main_window.locked
    ctx.locked = False  # read back as the officer will after unlocking
    assert _stored(ctx, application_id)["applied_before"] == "no"


def test_quitting_right_after_a_switch_saves_the_answer(
    main_window: MainWindow, ctx: AppContext
) -> None:
    wizard = _wizard_in(main_window)
    application_id = _answer_first_page(wizard)
    wizard.go_back()  # nothing earlier: stays, nothing scheduled
    wizard.go_next()
    main_window.shutdown()
    assert _stored(ctx, application_id)["applied_before"] == "no"


# The review page is filled again only when what it shows can have changed.


def _problem_texts(wizard: IntakeWizard) -> list[str]:
    problems = wizard.review.problems
    return [plain(problems.item(i).text()) for i in range(problems.count())]


def test_the_review_is_filled_again_only_when_the_answers_change(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    set_language("km")
    wizard = IntakeWizard(ctx, records.start_application(ctx, "civil_party"))
    qtbot.addWidget(wizard)
    wizard.show()
    review = len(wizard.pages)
    wizard.show_page(review)
    first_item = wizard.review.problems.item(0)
    shown = _problem_texts(wizard)
    assert shown and "applied_before" in {
        wizard.review.problems.item(i).data(256) for i in range(len(shown))
    }

    # Back and forth with the same answers: the very same list, not a new one.
    wizard.show_page(wizard._visible_page_indexes()[0])
    wizard.show_page(review)
    assert wizard.review.problems.item(0) is first_item
    assert _problem_texts(wizard) == shown

    # An answer given: the review says so at the next visit.
    _answer_first_page(wizard)
    wizard.show_page(review)
    assert "applied_before" not in {
        wizard.review.problems.item(i).data(256) for i in range(wizard.review.problems.count())
    }

    # Another language: filled again in it.
    km_texts = _problem_texts(wizard)
    set_language("en")
    try:
        wizard.show_page(0)
        wizard.show_page(review)
        assert _problem_texts(wizard) != km_texts
    finally:
        set_language("km")
