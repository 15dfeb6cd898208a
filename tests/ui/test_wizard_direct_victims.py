"""Issue 17: several direct victims, each a person of their own, filled in the real wizard: the
applicant's father (the victim fields) and a sister named as an item of the group of further
victims, with her fate and where she was last seen. Checked on the review page, in the saved
record and its person links, and on the printed application read back with pdftotext."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.services import printing, records
from app.services.context import AppContext
from app.services.people import ITEM_PERSON_KEY, PERSON_ID_KEY
from app.store.models import Person, PersonLink
from app.ui.intake_page import IntakePage
from app.ui.main_window import MainWindow
from app.ui.wizard.choice_editors import ChoiceEditor
from app.ui.wizard.field_widgets import ApproxDateEditor, NameEditor
from app.ui.wizard.group_editor import GroupEditor, GroupItem
from app.ui.wizard.place_editor import PlaceEditor
from tests.ui.test_wizard import _fill_page, type_text

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")

FATHER = {"km": "ហេង សំណាង", "latin": "Heng Samnang"}
SISTER = {"km": "ហេង ធារី", "latin": "Heng Theary"}
LAST_SEEN = "ភូមិត្រពាំងស្លា"


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.replace("\u200b", "").split())


def _click_choice(qtbot: QtBot, editor: object, code: str) -> None:
    assert isinstance(editor, ChoiceEditor) and code in editor.buttons
    qtbot.mouseClick(editor.buttons[code], Qt.MouseButton.LeftButton)


def _fill_sister(qtbot: QtBot, group: GroupEditor) -> GroupItem:
    """As an officer does: Add, then the sister's relationship, name, fate, date and place."""
    qtbot.mouseClick(group.add_button, Qt.MouseButton.LeftButton)
    # A second item added by mistake and removed again leaves nothing behind.
    qtbot.mouseClick(group.add_button, Qt.MouseButton.LeftButton)
    assert len(group.items) == 2
    qtbot.mouseClick(group.items[1].remove_button, Qt.MouseButton.LeftButton)
    assert len(group.items) == 1
    item = group.items[0]
    qtbot.waitUntil(item.isVisible)  # a widget added to a shown layout is shown by the event loop
    _click_choice(qtbot, item.editors["other_victim_relationship"], "sibling")
    name = item.editors["other_victim_name"]
    assert isinstance(name, NameEditor)
    type_text(name.khmer, SISTER["km"])
    type_text(name.latin, SISTER["latin"])
    # Where she was last seen is asked only for a victim killed or disappeared.
    assert item.rows["other_victim_last_place"].isHidden()
    _click_choice(qtbot, item.editors["other_victim_fate"], "disappeared")
    assert not item.rows["other_victim_last_place"].isHidden()
    when = item.editors["other_victim_fate_date"]
    assert isinstance(when, ApproxDateEditor)
    type_text(when.edit, "dry season 1977")
    place = item.editors["other_victim_last_place"]
    assert isinstance(place, PlaceEditor)
    place.set_value({"village_text": LAST_SEEN})
    return item


def test_an_application_names_two_direct_victims_each_a_person(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    main_window.show_page("new_application")
    page = main_window.page_by_key["new_application"]
    assert isinstance(page, IntakePage)
    page.start("civil_party")
    wizard = page.wizard
    assert wizard is not None
    answers = demo_answers(
        wizard.form,
        random.Random(17),
        overrides={
            "applied_before": "no",
            "participation": "civil_party",
            "signature_mark": "thumbprint",
            "intermediary_present": False,
            "interpreter_present": False,
            "protection_requested": False,
            "acting_as": "self",
            "applicant_status": "indirect_victim",
            "victim_relationship": "parent",
            "victim_name": FATHER,
            "victim_fate": "killed",
        },
    )
    answers.pop("other_victims", None)  # filled below through its own widgets
    group = wizard.rows["other_victims"].editor
    assert isinstance(group, GroupEditor)
    while wizard.current < len(wizard.pages):
        _fill_page(qtbot, wizard, answers)
        if wizard.pages[wizard.current].section.id == "direct_victim":
            _fill_sister(qtbot, group)
        before = wizard.current
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
        assert wizard.current != before, [
            (r.field.id, r.issue.text()) for r in wizard.pages[before].rows if r.issue.text()
        ]

    review = wizard.review
    summary = review.summary.text().replace("\u200b", "")  # break marks added for display
    sister_line = "១. បងប្អូនបង្កើត — ហេង ធារី / Heng Theary — បាត់ខ្លួន ហើយរកមិនឃើញរហូតមកដល់សព្វថ្ងៃ"
    for shown in (FATHER["km"], sister_line, LAST_SEEN):
        assert shown in summary, shown
    assert review.finalize_button.isEnabled(), [
        review.problems.item(i).text() for i in range(review.problems.count())
    ]
    qtbot.mouseClick(review.finalize_button, Qt.MouseButton.LeftButton)
    application_id = records.find_by_reference(ctx, page.finished_panel.reference.text())
    assert application_id is not None

    # The saved record: the father in the victim fields, the sister as the group's one item,
    # each carrying the id of a person of their own.
    stored = records.get_application(ctx, application_id).answers
    assert stored["victim_name"] == FATHER
    [sister] = stored["other_victims"]
    assert sister["other_victim_name"] == SISTER
    assert sister["other_victim_relationship"] == "sibling"
    assert sister["other_victim_fate"] == "disappeared"
    assert sister["other_victim_last_place"]["village_text"] == LAST_SEEN
    assert sister["other_victim_fate_date"]["precision"] == "season"
    with ctx.store.transaction() as session:
        links = session.scalars(
            select(PersonLink)
            .where(PersonLink.application_id == application_id)
            .order_by(PersonLink.position)
        ).all()
        persons = {p.id: p for p in session.scalars(select(Person))}
        assert [(link.position, link.relationship) for link in links] == [
            (0, "parent"),
            (1, "sibling"),
        ]
        assert [link.person_id for link in links] == [
            stored[PERSON_ID_KEY],
            sister[ITEM_PERSON_KEY],
        ]
        sister_person = persons[sister[ITEM_PERSON_KEY]]
        assert (sister_person.name_latin, sister_person.fate) == ("Heng Theary", "disappeared")
        assert sister_person.last_place == {"village_text": LAST_SEEN}
        assert persons[stored[PERSON_ID_KEY]].fate == "killed"

    # The printed application: the sister under her number, Khmer first, every detail legible.
    out = tmp_path / "application.pdf"
    printing.print_application(ctx, application_id, out)
    text = _pdf_text(out)
    for printed in (
        "ជនរងគ្រោះផ្ទាល់ផ្សេងទៀតទី១/Otherdirectvictims No.1".replace(" ", ""),
        "ឈ្មោះ/Name:ហេងធារី/HengTheary",
        "ជាអ្វីនឹងអ្នកដាក់ពាក្យ?/Howrelatedtotheapplicant?បងប្អូនបង្កើត/Brotherorsister",
        "បាត់ខ្លួនហើយរកមិនឃើញរហូតមកដល់សព្វថ្ងៃ/Disappearedandwasneverfound",
        "ហេងសំណាង/HengSamnang",
    ):
        assert printed in text, printed
    assert text.index("ហេងធារី") < text.index("HengTheary")
