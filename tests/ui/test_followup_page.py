"""The Follow-up page: at-risk table with colours, family panel, status letters in the background."""

from __future__ import annotations

import random
import subprocess
from datetime import date
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from app.core.approx_date import ApproxDate
from app.core.demo_answers import demo_answers
from app.services import form_catalogue, people, records
from app.services.context import AppContext
from app.store.models import Application, AuditEntry
from app.ui.followup_page import PASSED, URGENT, FollowUpPage
from app.ui.text import plain

FORUM = "វេទិកា បាទី"


def _indirect(ctx: AppContext, seed: int) -> str:
    form = form_catalogue.form_definition("civil_party")
    answers = demo_answers(
        form,
        random.Random(seed),
        overrides={
            "applicant_status": "indirect_victim",
            "victim_name": {"km": "កែវ វណ្ណា", "latin": "Keo Vanna"},
            "victim_fate": "disappeared",
            "victim_birth_date": ApproxDate.from_year(1950).to_dict(),
            "victim_relationship": "sibling",
            "protection_requested": False,
            "intake_forum": FORUM,
            "case_file": "case_002",
        },
    )
    application_id = records.start_application(ctx, form.id)
    records.finalize_application(ctx, application_id, answers)
    people.link_direct_victim(ctx, application_id, None, answers)
    return application_id


def _counted(qtbot: QtBot, page: FollowUpPage) -> None:
    qtbot.waitUntil(lambda: not page.counting(), timeout=60_000)


def test_table_family_and_letters(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    first = _indirect(ctx, 1)
    second = _indirect(ctx, 2)
    page = FollowUpPage(ctx)
    qtbot.addWidget(page)
    page.today = date(2010, 1, 25)  # Case 002: civil party deadline 29 January 2010
    page.refresh()
    _counted(qtbot, page)  # the count runs in the background (tests/ui/test_followup_count.py)
    assert page.table.rowCount() == 2
    assert page.table.item(0, 4).text() == "៤"
    assert page.table.item(0, 0).background().color() == URGENT

    page.table.selectRow([r.application_id for r in page.risks].index(first))
    texts = [page.family_list.item(i).text() for i in range(page.family_list.count())]
    second_reference = records.get_application(ctx, second, audit=False).reference
    assert len(texts) == 1 and second_reference in texts[0]

    page.today = date(2010, 2, 5)
    page.refresh()
    _counted(qtbot, page)
    assert page.table.item(0, 0).background().color() == PASSED

    # Status letters: none until sync brings a court status back.
    assert not page.print_letters_button.isEnabled()
    with ctx.store.transaction() as session:
        session.execute(update(Application).values(court_status="admitted"))
    page.refresh()
    _counted(qtbot, page)
    assert page.forum_choice.findData(FORUM) >= 0
    page.forum_choice.setCurrentIndex(page.forum_choice.findData(FORUM))
    assert page.print_letters_button.isEnabled()
    out = tmp_path / "letters.pdf"
    page.print_letters_to(out)
    task = page.task
    assert task is not None
    qtbot.waitUntil(lambda: task.reported, timeout=120_000)
    qtbot.waitUntil(lambda: page.task is None)
    assert out.exists()
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    pages = next(line for line in info.splitlines() if line.startswith("Pages:"))
    assert pages.split()[-1] == "2"
    assert plain(page.message.text()) == f"បានរក្សាទុកលិខិត ២ (២ ទំព័រ)៖ {out}"
    with ctx.store.transaction() as session:
        printed = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "record_print")
        ).all()
    assert {e.record_id for e in printed} == {first, second}
    assert all(e.details and e.details["document"] == "status_letter" for e in printed)


def test_boxes_go_under_the_table_on_a_netbook_and_beside_it_on_a_wide_screen(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    from PySide6.QtCore import Qt

    from app.ui.main_window import MainWindow
    from tests.ui.layout_check import layout_problems

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.show_page("follow_up")
    page = window.page("follow_up")
    assert isinstance(page, FollowUpPage)
    try:
        for size, orientation in (
            ((1024, 600), Qt.Orientation.Vertical),
            ((1366, 768), Qt.Orientation.Horizontal),
            ((1024, 600), Qt.Orientation.Vertical),  # and back when the window narrows again
        ):
            window.resize(*size)
            qtbot.waitUntil(lambda o=orientation: page.splitter.orientation() == o)
            assert layout_problems(window) == [], size
    finally:
        window.shutdown()
