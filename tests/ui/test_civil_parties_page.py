"""The Civil parties page: a field officer finds a person by a Latin spelling, opens the card,
records a contact (the follow-up form opens with the person filled in); protected people show
masked; an administrator sees nothing and nothing is refused; the start page counts people not
contacted for a year; the page fits 1024x600 and 1366x768 in Khmer and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.civil_party_list import ListPerson
from app.i18n import set_language
from app.services import civil_parties, records
from app.services.audit import AuditAction
from app.services.context import AppContext
from app.store.models import AuditEntry
from app.ui.civil_parties_page import CivilPartiesPage
from app.ui.intake_page import IntakePage
from app.ui.main_window import NAVIGATION, MainWindow
from app.ui.start_page import StartPage
from app.ui.text import plain
from tests.civil_party_data import planted, synthetic_people
from tests.officers import ADMINISTRATOR, FIELD_OFFICER, add_officers
from tests.ui.layout_check import layout_problems, screenshot_folder


@pytest.fixture
def people(ctx: AppContext) -> list[ListPerson]:
    found = synthetic_people(600, seed=11)
    planted(found, 4, name_km="ហេង សុភាព", name_latin="", protection="none", deceased=False)
    planted(found, 8, protection="public", deceased=False)
    with ctx.store.transaction() as session:
        civil_parties.store_list(
            session,
            [p for p in (q.for_laptop() for q in found) if p is not None],
            {"provinces": ["03", "12"], "issued_at": "2026-11-30T08:00:00"},
        )
    add_officers(ctx, (FIELD_OFFICER, ADMINISTRATOR))
    ctx.officer = FIELD_OFFICER
    return found


def _page(window: MainWindow) -> CivilPartiesPage:
    window.show_page("civil_parties")
    page = window.page("civil_parties")
    assert isinstance(page, CivilPartiesPage)
    return page


def _search(qtbot: QtBot, page: CivilPartiesPage, text: str) -> None:
    page.search.setText(text)
    page.run_search()
    qtbot.waitUntil(lambda: page.table.rowCount() > 0 or not text, timeout=3000)


def test_find_by_latin_spelling_open_the_card_and_record_a_contact(
    main_window: MainWindow, qtbot: QtBot, people: list[ListPerson]
) -> None:
    set_language("en")
    page = _page(main_window)
    _search(qtbot, page, "Sophiep Heng")
    numbers = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert people[4].number in numbers
    page.table.selectRow(numbers.index(people[4].number))
    assert plain(page.card_name.text()) == "ហេង សុភាព"
    assert page.card_fields["team"][1].text() == (people[4].lawyer_team or "—")
    assert page.card_fields["last_contact"][1].text() == "—"

    qtbot.mouseClick(page.contact_button, Qt.MouseButton.LeftButton)
    assert NAVIGATION[main_window.navigation.currentRow()][0] == "new_application"
    intake = main_window.page("new_application")
    assert isinstance(intake, IntakePage)
    assert intake.wizard is not None and intake.wizard.form.id == "follow_up"
    draft = records.drafts_to_resume(main_window.ctx)[0]
    answers = records.get_application(main_window.ctx, draft.id, audit=False).answers
    assert people[4].number in answers.values()


def test_a_protected_person_shows_masked(
    main_window: MainWindow, qtbot: QtBot, people: list[ListPerson]
) -> None:
    set_language("en")
    page = _page(main_window)
    _search(qtbot, page, people[8].number)
    assert page.table.rowCount() == 1
    assert page.table.item(0, 1).text() == "Identity protected"
    page.table.selectRow(0)
    assert plain(page.card_name.text()) == "Identity protected"
    shown = " ".join(v.text() for _l, v in page.card_fields.values())
    assert people[8].name_latin not in shown


def test_an_administrator_sees_no_list_and_nothing_is_refused(
    main_window: MainWindow, people: list[ListPerson]
) -> None:
    main_window.ctx.officer = ADMINISTRATOR
    page = _page(main_window)
    page.refresh()
    assert not page.table.isVisibleTo(page) and not page.side.isVisibleTo(page)
    with main_window.ctx.store.transaction() as session:
        refused = session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.REFUSED)
        ).all()
    assert refused == []


def test_the_start_page_counts_people_not_contacted_and_leads_to_the_page(
    main_window: MainWindow, qtbot: QtBot, people: list[ListPerson]
) -> None:
    set_language("en")
    main_window.show_page("start")
    start = main_window.page("start")
    assert isinstance(start, StartPage)
    start.refresh()
    expected = sum(1 for p in people if p.protection != "parties" and not p.deceased)
    tile = start.tiles["not_contacted"]
    assert tile.isVisibleTo(start)
    assert plain(tile.text()) == f"Civil parties not contacted for 12 months: {expected:,}"
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert NAVIGATION[main_window.navigation.currentRow()][0] == "civil_parties"


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_page_fits_small_screens(
    main_window: MainWindow, qtbot: QtBot, people: list[ListPerson], tmp_path: Path, language: str
) -> None:
    set_language(language)
    shots = screenshot_folder(tmp_path)
    page = _page(main_window)
    page.commune.setCurrentIndex(1)
    _search(qtbot, page, "")
    page.table.selectRow(0)
    problems: list[str] = []
    for width, height in ((1024, 600), (1366, 768)):
        main_window.resize(width, height)
        for _ in range(3):
            QApplication.processEvents()
        main_window.grab().save(str(shots / f"{language}_{width}x{height}_civil_parties.png"))
        problems += [f"{width}x{height}: {p}" for p in layout_problems(main_window)]
    assert not problems, f"screenshots in {shots}\n" + "\n".join(problems)


def test_the_sync_page_says_when_the_offices_list_arrived(
    main_window: MainWindow, people: list[ListPerson]
) -> None:
    from app.services.sync import SyncResult
    from app.ui.sync_page import SyncPage

    set_language("en")
    main_window.show_page("sync")
    page = main_window.page("sync")
    assert isinstance(page, SyncPage)
    said = plain(page._outcome(SyncResult(acknowledged=2, list_people=1234)))
    assert said.endswith("The office's list arrived: 1,234 people.")
    assert "list" not in plain(page._outcome(SyncResult(acknowledged=2)))
