"""The Follow-up page counts the records close to a deadline off the UI thread (issue 20: at
100,000 records the window froze for seconds when the page opened): the page paints with
"counting…" before the count ends, the table fills when it arrives, closing the page stops it,
and a broken court file is said in the officer's language. Real store, real records, real
widgets; the count is the real service, held back on its thread so that its end can be seen."""

from __future__ import annotations

import random
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.core.demo_answers import demo_answers
from app.core.errors import JobCancelled
from app.core.resources import RESOURCE_ROOT_ENV, resource_root
from app.services import followup, form_catalogue, records
from app.services.context import AppContext
from app.ui import followup_page
from app.ui.followup_page import FollowUpPage
from app.ui.text import plain

DAY_2010 = date(2010, 1, 25)  # Case 002: civil party deadline 29 January 2010
COUNTING = "កំពុងរាប់កំណត់ត្រាដែលជិតដល់ថ្ងៃផុតកំណត់របស់តុលាការ…"


def _civil_parties(ctx: AppContext, count: int) -> None:
    form = form_catalogue.form_definition("civil_party")
    rng = random.Random(11)
    items = [
        (form.id, demo_answers(form, rng, overrides={"case_file": "case_002"}))
        for _ in range(count)
    ]
    records.import_applications(ctx, items)


class HeldCount:
    """The real ``records_at_risk``, started only when the test releases it (or the page asks
    it to stop), noting where it ran and how it ended."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.threads: list[str] = []
        self.outcomes: list[str] = []
        self.real = followup.records_at_risk

    def __call__(
        self,
        ctx: AppContext,
        today: date | None = None,
        court: object = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[followup.AtRisk]:
        self.threads.append(threading.current_thread().name)
        while not self.release.wait(0.01):
            if cancelled is not None and cancelled():
                break  # the page asked it to stop: the real count sees that at once
        try:
            found = self.real(ctx, today, court=court, cancelled=cancelled)  # type: ignore[arg-type]
        except JobCancelled:
            self.outcomes.append("stopped")
            raise
        self.outcomes.append("counted")
        return found


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldCount]:
    count = HeldCount()
    monkeypatch.setattr(followup_page.followup, "records_at_risk", count)
    yield count
    count.release.set()


def _page(qtbot: QtBot, ctx: AppContext) -> FollowUpPage:
    page = FollowUpPage(ctx)
    qtbot.addWidget(page)
    return page


def test_the_page_paints_before_the_count_and_fills_when_it_arrives(
    vss_qapp: object,
    qtbot: QtBot,
    ctx: AppContext,
    held: HeldCount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(followup_page, "FILL_STEP", 2)  # listed over three turns
    _civil_parties(ctx, 5)
    expected = held.real(ctx, DAY_2010)  # the plain call, on this thread
    assert len(expected) == 5
    page = _page(qtbot, ctx)
    page.today = DAY_2010
    page.refresh()  # while the first count (as of the real day) is still held: counted again
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    assert not page.grab().isNull()  # painted while the count is held on its thread
    assert page.counting() and plain(page.count_status.text()) == COUNTING
    assert page.table.rowCount() == 0 and not page.refresh_button.isEnabled()
    held.release.set()
    qtbot.waitUntil(lambda: not page.counting(), timeout=60_000)
    assert held.threads and threading.main_thread().name not in held.threads
    assert held.outcomes == ["counted", "counted"]  # the real day, then the day set
    assert page.risks == expected
    assert page.table.rowCount() == 5 and page.refresh_button.isEnabled()
    listed = [page.table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(5)]
    assert listed == [risk.application_id for risk in expected]
    assert page.count_status.text() == ""


def test_closing_the_page_stops_the_count(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext, held: HeldCount
) -> None:
    _civil_parties(ctx, 2 * followup.CANCEL_CHECK_ROWS + 10)
    with ctx.store.transaction() as session:  # as just after migration 0012: the long part
        session.execute(text("UPDATE applications SET civil_party = NULL"))  # is deriving them
    page = _page(qtbot, ctx)
    page.today = DAY_2010
    assert page.counting()
    task = page.count_task
    assert task is not None and task.is_running()
    page.close()  # stops the count and waits for it: the store may close right after
    assert not task.is_running() and not page.counting()
    assert held.outcomes == ["stopped"]
    assert page.table.rowCount() == 0


def test_nothing_close_and_a_broken_court_file_are_said_in_khmer(
    vss_qapp: object,
    qtbot: QtBot,
    ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _civil_parties(ctx, 2)
    page = _page(qtbot, ctx)  # as of the real day (2026): every deadline passed before intake
    qtbot.waitUntil(lambda: not page.counting(), timeout=60_000)
    assert plain(page.count_status.text()) == "គ្មានឯកសារណាជិតដល់ថ្ងៃផុតកំណត់ទេ។"

    root = tmp_path / "resources"  # a court file with a date that does not exist
    shutil.copytree(resource_root() / "forms", root / "forms")
    (root / "assets").mkdir(parents=True)
    text = (resource_root() / "assets" / "court.yaml").read_text(encoding="utf-8")
    (root / "assets" / "court.yaml").write_text(
        text.replace("date: 2010-01-14", "date: 2010-02-30"), encoding="utf-8"
    )
    monkeypatch.setenv(RESOURCE_ROOT_ENV, str(root))
    page.today = DAY_2010
    page.refresh()
    qtbot.waitUntil(lambda: not page.counting(), timeout=60_000)
    said = plain(page.count_status.text())
    assert "court.yaml, line" in said and any("\u1780" <= c <= "\u17ff" for c in said), said
    assert page.risks == [] and page.table.rowCount() == 0
