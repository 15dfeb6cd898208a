"""The start page (issue 14, items 7 and 11): unfinished work with one click to each, a first-run
hint, and deleting a draft (confirmed, audited)."""

from __future__ import annotations

import random

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.services import records
from app.services.context import AppContext
from app.store.models import Application, AuditEntry
from app.ui.main_window import NAVIGATION, MainWindow
from app.ui.start_page import StartPage
from app.ui.text import plain


def _key(window: MainWindow) -> str:
    return NAVIGATION[window.navigation.currentRow()][0]


def _start(window: MainWindow) -> StartPage:
    window.show_page("start")
    page = window.page("start")
    assert isinstance(page, StartPage)
    return page


def test_first_run_hint_leads_to_rights_and_new_application(
    main_window: MainWindow, qtbot: QtBot
) -> None:
    assert _key(main_window) == "start"  # the window opens on the start page
    page = _start(main_window)
    assert page.hint.isVisible()
    qtbot.mouseClick(page.rights_button, Qt.MouseButton.LeftButton)
    assert _key(main_window) == "rights"
    page = _start(main_window)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert _key(main_window) == "new_application"


def _answer_in_box(button_text: str | None) -> None:
    """Click a button of the question on screen (None: its Cancel button)."""
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    if button_text is None:
        cancel = box.button(QMessageBox.StandardButton.Cancel)
        assert cancel is not None and box.defaultButton() is cancel  # Cancel is the default
        cancel.click()
        return
    # Button texts carry the display-time word breaks of Khmer: compare the words.
    next(b for b in box.buttons() if plain(b.text()) == button_text).click()


def test_counts_one_click_each_and_deleting_a_draft(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext
) -> None:
    form = records.form_definition("complaint")
    first = records.start_application(ctx, form.id)
    second = records.start_application(ctx, form.id)
    final = records.start_application(ctx, form.id)
    records.finalize_application(ctx, final, demo_answers(form, random.Random(4)))
    signing = records.start_application(ctx, form.id)
    records.finalize_application(ctx, signing, demo_answers(form, random.Random(5)))
    with ctx.store.transaction() as session:
        row = session.get(Application, signing)
        assert row is not None
        row.status = "awaiting_signature"

    page = _start(main_window)
    page.refresh()  # the records were made behind the page's back, while it was shown
    assert not page.hint.isVisible()
    assert page.drafts.rowCount() == 2
    assert plain(page.tiles["drafts"].text()) == "សេចក្តីព្រាងត្រូវបញ្ចប់៖ ២"  # Khmer digits
    assert page.tiles["awaiting_signature"].isVisible()
    assert plain(page.tiles["awaiting_signature"].text()) == "រង់ចាំហត្ថលេខាអ្នកដាក់ពាក្យ៖ ១"
    # both final records wait for sync
    assert plain(page.tiles["not_synced"].text()) == "មិនទាន់ផ្ញើទៅការិយាល័យ៖ ២"

    for tile, target in (
        ("not_synced", "sync"),
        ("deadlines", "follow_up"),
        ("awaiting_signature", "applicants"),
        ("drafts", "new_application"),
    ):
        page = _start(main_window)
        qtbot.mouseClick(page.tiles[tile], Qt.MouseButton.LeftButton)
        assert _key(main_window) == target

    # Delete a draft: asked first; Cancel keeps it.
    page = _start(main_window)
    page.drafts.selectRow(1)
    assert page.selected_draft() == first
    page.drafts.selectRow(0)
    chosen = page.selected_draft()
    assert chosen == second  # newest first
    QTimer.singleShot(0, lambda: _answer_in_box(None))
    page.ask_delete_selected()
    assert page.drafts.rowCount() == 2
    page.drafts.selectRow(0)
    QTimer.singleShot(0, lambda: _answer_in_box("លុបសេចក្តីព្រាង"))
    page.ask_delete_selected()
    assert page.drafts.rowCount() == 1
    with ctx.store.transaction() as session:
        assert session.get(Application, chosen) is None
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None
        assert entry.action == "draft_delete" and entry.record_id == chosen

    # A double click continues the remaining draft in the wizard.
    remaining = page.summary.drafts[0].id if page.summary else None
    assert remaining is not None
    page.drafts.cellDoubleClicked.emit(0, 0)
    assert _key(main_window) == "new_application"


def test_the_room_below_goes_to_the_drafts_or_stays_empty(
    main_window: MainWindow, ctx: AppContext, qtbot: QtBot
) -> None:
    """On a 1366x768 screen the heading and the welcome box keep their own height: without
    drafts the room below is left empty (they stood tall and half empty), with drafts the
    table takes it."""
    main_window.resize(1366, 768)
    page = _start(main_window)
    QApplication.processEvents()
    assert not page.drafts.isVisible()
    slack = 2
    assert page.title.height() <= page.title.sizeHint().height() + slack
    assert page.hint.height() <= page.hint.sizeHint().height() + slack
    records.start_application(ctx, records.form_definition("complaint").id)
    page.refresh()
    qtbot.waitUntil(page.drafts.isVisible)
    QApplication.processEvents()
    assert page.hint.height() <= page.hint.sizeHint().height() + slack
    assert page.drafts.height() > 3 * page.drafts.sizeHint().height() // 2
