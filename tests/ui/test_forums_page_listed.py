"""The Forums page with the office's list on the laptop: the commune offers its listed people,
the forum's table shows them (masked by number), and ticking one records their attendance."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.i18n import set_language
from app.services import forums
from app.services.context import AppContext
from app.ui.forums_page import ForumsPage
from tests.officers import FIELD_OFFICER, SUPERVISOR, add_officers
from tests.services.test_forum_listed import MASKED, SHOWN, _store_list
from tests.services.test_forums import _village
from tests.ui.layout_check import layout_problems, screenshot_folder


def test_listed_people_are_invited_shown_masked_and_marked(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    set_language("km")
    add_officers(ctx, (FIELD_OFFICER, SUPERVISOR))
    ctx.officer = FIELD_OFFICER
    _store_list(ctx)
    page = ForumsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1024, 600)
    page.show()
    qtbot.waitExposed(page)
    commune = _village(0)["commune"]
    assert page.commune_choice.findData(commune) >= 0  # a commune of the list, no record there
    page.commune_choice.setCurrentIndex(page.commune_choice.findData(commune))
    assert "៣" in page.people_count.text()  # three living people of the list (Khmer digits)

    page.name_edit.setText("វេទិកា ឃុំ ក")
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 3
    shown = {page.table.item(r, 0).text(): page.table.item(r, 1).text() for r in range(3)}
    assert shown[MASKED.number] == "(អត្តសញ្ញាណត្រូវបានការពារ)"
    assert MASKED.name_km not in shown.values() and SHOWN.name_km in shown[SHOWN.number]

    row = [page.table.item(r, 0).text() for r in range(3)].index(MASKED.number)
    page.set_attended(row, True)
    assert page.invitees[row].attended is True and "១" in page.summary.text()
    [forum] = forums.forums(ctx)
    forum_id = forum.id
    ctx.officer = SUPERVISOR  # recorded in the store, seen by another role of the list
    came = [p.listed_number for p in forums.forum_invitees(ctx, forum_id) if p.attended]
    assert came == [MASKED.number]

    for _ in range(3):
        QApplication.processEvents()
    shots = screenshot_folder(tmp_path)
    page.grab().save(str(shots / "forums-listed-km-1024x600.png"))
    assert not layout_problems(page), f"screenshots in {shots}"
