"""The Forums page under pytest-qt on a real store: plan a forum for a commune, print the
invitations (read back with poppler), tick who came, see it on the dashboard; Khmer at 1024x600."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.i18n import set_language
from app.services import records
from app.services.context import AppContext
from app.ui.dashboard_page import DashboardPage
from app.ui.forums_page import ForumsPage
from tests.officers import FIELD_OFFICER, add_officers
from tests.services.test_forums import _final, _village
from tests.ui.layout_check import layout_problems, screenshot_folder


@pytest.fixture
def people(ctx: AppContext) -> dict[str, str]:
    add_officers(ctx, (FIELD_OFFICER,))
    ctx.officer = FIELD_OFFICER
    return {
        "shown": _final(ctx, 21, 0),
        "protected": _final(ctx, 22, 0, protected=True),
        "elsewhere": _final(ctx, 23, 1),
    }


def _page(qtbot: QtBot, ctx: AppContext, size: tuple[int, int] = (1024, 600)) -> ForumsPage:
    page = ForumsPage(ctx)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_plan_print_and_mark_attendance(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext, people: dict[str, str], tmp_path: Path
) -> None:
    page = _page(qtbot, ctx)
    commune = _village(0)["commune"]
    assert page.plan() is None  # nothing chosen: refused with a reason, nothing planned
    assert page.message.text() and page.forum_choice.count() == 0

    page.name_edit.setText("វេទិកា ឃុំ ក")
    page.commune_choice.setCurrentIndex(page.commune_choice.findData(commune))
    assert "២" in page.people_count.text()  # two people of this commune (Khmer digits)
    page.date_edit.setDate(QDate(2026, 12, 12))
    page.place_edit.setText("សាលាឃុំ")
    qtbot.mouseClick(page.plan_button, Qt.MouseButton.LeftButton)
    assert page.forum_choice.count() == 1 and page.table.rowCount() == 2
    names = [page.table.item(row, 1).text() for row in range(2)]
    hidden = records.get_application(ctx, people["protected"], audit=False)
    assert hidden.name_km not in names and "(អត្តសញ្ញាណត្រូវបានការពារ)" in names

    out = tmp_path / "invitations.pdf"
    task = page.save_invitations(out)
    assert task is not None
    qtbot.waitUntil(lambda: task.reported, timeout=60_000)
    assert task.ok, page.message.text()
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.replace("\u200b", "").split())
    assert flat.count("លិខិតអញ្ជើញចូលរួមវេទិកា") == 2 and "សាលាឃុំ" in flat
    assert "".join(hidden.name_latin.split()) not in flat

    row = [page.table.item(r, 0).text() for r in range(2)].index(hidden.reference)
    page.set_attended(row, True)
    assert page.invitees[row].attended is True
    assert "២" in page.summary.text() and "១" in page.summary.text()

    _final(ctx, 24, 0)  # recorded after planning: invited with the button
    qtbot.mouseClick(page.newcomers_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 3 and "១" in page.message.text()

    dashboard = DashboardPage(ctx)
    qtbot.addWidget(dashboard)
    assert dashboard.outreach_tiles["forum_attendance"].value_label.text() == "១ / ៣"


@pytest.mark.parametrize("language", ["km", "en"])
@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)])
def test_the_page_fits_small_screens(
    vss_qapp: QApplication,
    qtbot: QtBot,
    ctx: AppContext,
    people: dict[str, str],
    tmp_path: Path,
    language: str,
    size: tuple[int, int],
) -> None:
    set_language(language)
    page = _page(qtbot, ctx, size)
    commune = _village(0)["commune"]
    page.name_edit.setText("Forum")
    page.commune_choice.setCurrentIndex(page.commune_choice.findData(commune))
    page.plan()
    for _ in range(3):
        QApplication.processEvents()
    shots = screenshot_folder(tmp_path)
    page.grab().save(str(shots / f"forums-{language}-{size[0]}x{size[1]}.png"))
    assert not layout_problems(page), f"screenshots in {shots}"
