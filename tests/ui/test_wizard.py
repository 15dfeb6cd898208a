"""Both forms completed end to end in the real wizard widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.core.reference import validate_reference
from app.i18n import set_language
from app.services import duplicates, form_catalogue, records
from app.services.context import AppContext
from app.ui.intake_page import IntakePage
from app.ui.main_window import MainWindow
from app.ui.text import plain
from app.ui.wizard.field_widgets import ApproxDateEditor, NameEditor
from app.ui.wizard.wizard import IntakeWizard


def type_text(widget: QWidget, text: str) -> None:
    """Type like a keyboard does, including Khmer (QTest.keyClicks only knows Latin keys)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def _wizard(page: IntakePage) -> IntakeWizard:
    assert page.wizard is not None
    return page.wizard


def _fill_page(qtbot: QtBot, wizard: IntakeWizard, answers: dict[str, Any]) -> None:
    """Fill the visible fields of the current page the way an officer would."""
    page = wizard.pages[wizard.current]
    for row in page.rows:
        if row.isHidden() or row.field.id not in answers:
            continue
        editor = row.editor
        value = answers[row.field.id]
        if isinstance(editor, NameEditor):
            editor.khmer.clear()
            type_text(editor.khmer, value["km"])
            editor.latin.clear()
            type_text(editor.latin, value["latin"])
        elif isinstance(editor, ApproxDateEditor):
            editor.edit.clear()
            type_text(editor.edit, _date_as_typed(value))
        else:
            editor.set_value(value)


def _date_as_typed(value: dict[str, Any]) -> str:
    from app.core.approx_date import ApproxDate

    return ApproxDate.from_dict(value).display("en")


def _walk_to_review(qtbot: QtBot, wizard: IntakeWizard, answers: dict[str, Any]) -> list[str]:
    """Fill every page and press Next until the review page; returns the section ids seen."""
    seen = []
    while wizard.current < len(wizard.pages):
        seen.append(wizard.pages[wizard.current].section.id)
        _fill_page(qtbot, wizard, answers)
        before = wizard.current
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
        assert wizard.current != before, [
            (r.field.id, r.issue.text()) for r in wizard.pages[before].rows if r.issue.text()
        ]
    return seen


@pytest.mark.parametrize("form_id", ["complaint", "civil_party"])
def test_complete_each_form_in_the_wizard(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext, form_id: str
) -> None:
    main_window.show_page("new_application")
    page = main_window.page_by_key["new_application"]
    assert isinstance(page, IntakePage)
    qtbot.mouseClick(page.chooser.form_buttons[form_id], Qt.MouseButton.LeftButton)
    wizard = _wizard(page)
    form = wizard.form
    answers = demo_answers(
        form,
        random.Random(4),
        overrides={
            "applicant_status": "indirect_victim",
            "applicant_name": {"km": "សុខ ស្រីមុំ", "latin": "Sok Sreymom"},
            "applicant_birth_date": {
                "v": 1,
                "precision": "year",
                "year": 1952,
                "approximate": True,
            },
            "participation": "civil_party",
            "victim_fate": "disappeared",
        },
    )
    seen = _walk_to_review(qtbot, wizard, answers)
    assert "direct_victim" in seen  # skip logic showed the indirect victim's section

    review = wizard.review
    assert review.finalize_button.isEnabled(), [
        review.problems.item(i).text() for i in range(review.problems.count())
    ]
    qtbot.mouseClick(review.finalize_button, Qt.MouseButton.LeftButton)
    reference = page.finished_panel.reference.text()
    assert validate_reference(reference)
    application_id = records.find_by_reference(ctx, reference)
    assert application_id is not None
    stored = records.get_application(ctx, application_id).answers
    # The approximate birth date was typed as words and stored with its precision, not a fake day.
    assert stored["applicant_birth_date"] == {
        "v": 1,
        "precision": "year",
        "year": 1952,
        "approximate": True,
    }
    assert stored["applicant_name"] == {"km": "សុខ ស្រីមុំ", "latin": "Sok Sreymom"}
    assert "victim_name" in stored


def test_skip_logic_hides_the_direct_victim_section(main_window: MainWindow, qtbot: QtBot) -> None:
    page = main_window.page_by_key["new_application"]
    assert isinstance(page, IntakePage)
    page.start("complaint")
    wizard = _wizard(page)
    status = wizard.rows["applicant_status"].editor
    status.findChild(QRadioButton, "choice_direct_victim").click()
    visible_sections = [wizard.pages[i].section.id for i in wizard._visible_page_indexes()[:-1]]
    assert "direct_victim" not in visible_sections
    status.findChild(QRadioButton, "choice_indirect_victim").click()
    visible_sections = [wizard.pages[i].section.id for i in wizard._visible_page_indexes()[:-1]]
    assert "direct_victim" in visible_sections


def test_validation_error_is_shown_in_khmer_then_fixed(
    main_window: MainWindow, qtbot: QtBot
) -> None:
    set_language("km")
    main_window.show_page("new_application")
    page = main_window.page_by_key["new_application"]
    assert isinstance(page, IntakePage)
    page.start("complaint")
    wizard = _wizard(page)
    # The first questions: applied before? on whose behalf? (issue 17). Then the applicant's page.
    wizard.rows["applied_before"].editor.set_value("no")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    wizard.rows["acting_as"].editor.set_value("self")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    applicant_page = wizard.current
    assert wizard.pages[applicant_page].section.id == "applicant"
    date_editor = wizard.rows["applicant_birth_date"].editor
    assert isinstance(date_editor, ApproxDateEditor)
    type_text(date_editor.edit, "2090")  # a birth year in the future
    assert plain(date_editor.understood.text()) == "✗ ឆ្នាំកំណើតនេះស្ថិតនៅពេលអនាគត។ សូមពិនិត្យឆ្នាំម្តងទៀត។"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert not wizard.rows["applicant_name"].issue.isHidden()  # required, still empty
    birth_issue = wizard.rows["applicant_birth_date"].issue
    assert not birth_issue.isHidden()
    assert (
        plain(birth_issue.text()) == "✗ ឆ្នាំកំណើតនេះស្ថិតនៅពេលអនាគត។ សូមពិនិត្យឆ្នាំម្តងទៀត។"
    )  # the message is Khmer
    assert wizard.current == applicant_page  # stayed on the page to show the problem
    # Fix it: type an honest approximate date.
    date_editor.edit.clear()
    type_text(date_editor.edit, "about 1952")
    assert plain(date_editor.understood.text()) == "✓ ប្រហែលឆ្នាំ១៩៥២  /  about 1952"
    issues = [i for i in wizard.current_page_issues() if i.field_id == "applicant_birth_date"]
    assert issues == []
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert not birth_issue.text()


def test_draft_autosaves_and_resumes_after_the_window_is_gone(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    page = IntakePage(ctx)
    qtbot.addWidget(page)
    page.start("civil_party")
    wizard = _wizard(page)
    name = wizard.rows["applicant_name"].editor
    assert isinstance(name, NameEditor)
    type_text(name.khmer, "ចាន់ ដារ៉ា")
    type_text(name.latin, "Chan Dara")
    # The autosave timer writes without any button pressed.
    qtbot.waitUntil(lambda: not wizard.dirty, timeout=10_000)
    application_id = wizard.application_id
    page.deleteLater()  # as if the app was killed: nothing else is saved

    fresh = IntakePage(ctx)
    qtbot.addWidget(fresh)
    chooser = fresh.chooser
    assert chooser.drafts.count() == 1
    assert "ចាន់ ដារ៉ា" in chooser.drafts.item(0).text()
    qtbot.mouseClick(chooser.resume_button, Qt.MouseButton.LeftButton)
    resumed = _wizard(fresh)
    assert resumed.application_id == application_id
    editor = resumed.rows["applicant_name"].editor
    assert isinstance(editor, NameEditor)
    assert editor.khmer.text() == "ចាន់ ដារ៉ា"
    assert editor.findChild(QLineEdit, "latinName").text() == "Chan Dara"


def test_possible_duplicate_warned_and_dismissed(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext
) -> None:
    form = form_catalogue.form_definition("complaint")
    name = {"km": "កែវ សុខា", "latin": "Keo Sokha"}
    birth = {"v": 1, "precision": "year", "year": 1950, "approximate": True}
    same = {"applicant_name": name, "applicant_birth_date": birth}
    existing = records.start_application(ctx, "complaint")
    records.finalize_application(
        ctx, existing, demo_answers(form, random.Random(9), overrides=same)
    )
    main_window.show_page("new_application")  # on screen, as the officer clicks through it
    page = main_window.page_by_key["new_application"]
    assert isinstance(page, IntakePage)
    page.start("complaint")
    wizard = _wizard(page)
    answers = demo_answers(form, random.Random(10), overrides=same)
    _walk_to_review(qtbot, wizard, answers)
    buttons = wizard.review.findChildren(QPushButton, "notDuplicateButton")
    assert len(buttons) == 1
    buttons[0].click()
    assert duplicates.find_possible_duplicates(ctx, wizard.application_id, wizard.answers()) == []


def test_second_applicant_picks_the_same_direct_victim_and_the_family_is_linked(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext
) -> None:
    from app.services.people import PERSON_ID_KEY, family_group

    form = form_catalogue.form_definition("complaint")
    victim = {"km": "ម៉ៅ សុខុម", "latin": "Mao Sokhom"}
    first = records.start_application(ctx, "complaint")
    records.finalize_application(
        ctx,
        first,
        demo_answers(
            form,
            random.Random(31),
            overrides={"applicant_status": "indirect_victim", "victim_name": victim},
        ),
    )
    page = main_window.page_by_key["new_application"]
    assert isinstance(page, IntakePage)
    page.start("civil_party")
    wizard = _wizard(page)
    assert wizard.victim_suggestions is not None
    wizard.rows["applicant_status"].editor.set_value("indirect_victim")
    editor = wizard.rows["victim_name"].editor
    assert isinstance(editor, NameEditor)
    type_text(editor.khmer, "ម៉ៅ សុ")
    found = wizard.victim_suggestions.refresh()
    assert [p.name_latin for p in found] == ["Mao Sokhom"]
    wizard.victim_suggestions.list.itemClicked.emit(wizard.victim_suggestions.list.item(0))
    assert editor.value() == victim
    assert wizard.answers()[PERSON_ID_KEY] == found[0].id
    answers = demo_answers(
        form_catalogue.form_definition("civil_party"),
        random.Random(32),
        overrides={
            "applicant_status": "indirect_victim",
            "victim_name": victim,
            PERSON_ID_KEY: found[0].id,
        },
    )
    for field_id, value in answers.items():
        if field_id in wizard.rows and field_id != "victim_name":
            wizard.rows[field_id].editor.set_value(value)
    wizard.finalize()
    assert [m.application_id for m in family_group(ctx, wizard.application_id)] == [first]


def test_supervisor_corrects_a_final_record_as_a_new_version(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    from datetime import datetime

    from app.services.context import SignedInOfficer
    from app.store.models import Officer

    with ctx.store.transaction() as session:
        session.add(
            Officer(
                id="sup",
                username="sokha.supervisor",
                display_name="Sokha",
                role="supervisor",
                active=True,
                created_at=datetime(2026, 1, 1),
            )
        )
    ctx.officer = SignedInOfficer("sup", "sokha.supervisor", "Sokha", "supervisor")
    form = form_catalogue.form_definition("complaint")
    application_id = records.start_application(ctx, "complaint")
    reference = records.finalize_application(
        ctx, application_id, demo_answers(form, random.Random(41))
    )
    page = IntakePage(ctx)
    qtbot.addWidget(page)
    page.open_draft(application_id)
    wizard = _wizard(page)
    assert wizard.correcting
    name = wizard.rows["applicant_name"].editor
    assert isinstance(name, NameEditor)
    name.latin.setText("Corrected Spelling")
    assert wizard.correct("the applicant spelled the name")
    assert page.finished_panel.reference.text() == reference
    detail = records.get_application(ctx, application_id)
    assert [v.reason for v in detail.versions] == [None, "the applicant spelled the name"]
    assert detail.answers["applicant_name"]["latin"] == "Corrected Spelling"


def test_drafts_left_behind_are_offered_first(main_window: MainWindow, ctx: AppContext) -> None:
    assert not main_window.offer_drafts()
    records.start_application(ctx, "complaint")
    assert main_window.offer_drafts()
    assert main_window.current_page() is main_window.page_by_key["new_application"]
    assert main_window.statusBar().currentMessage()


def test_autosave_while_locked_keeps_the_answers_for_later(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:

    page = IntakePage(ctx)
    qtbot.addWidget(page)
    page.start("complaint")
    wizard = _wizard(page)
    name = wizard.rows["applicant_name"].editor
    assert isinstance(name, NameEditor)
    type_text(name.latin, "Heng")
    ctx.locked = True
    wizard.save_now()  # refused by the services, not an exception in the UI
    assert wizard.dirty
    assert plain(wizard.saved_label.text()) == ("កម្មវិធីត្រូវបានចាក់សោ។ សូមវាយពាក្យសម្ងាត់របស់អ្នក ដើម្បីបន្ត។")
    ctx.locked = False
    wizard.save_now()
    assert not wizard.dirty
    assert (
        records.get_application(ctx, wizard.application_id).answers["applicant_name"]["latin"]
        == "Heng"
    )
