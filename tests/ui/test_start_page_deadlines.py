"""The start page's deadline check runs off the UI thread (issue 20): it reads every visible
record, and the page is the first the main window paints after the password. The other counts
are there at once; the deadline tile says "…" until its count arrives, then the same count a
synchronous refresh gives. Real store, real records, real widgets."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.demo_answers import demo_answers
from app.services import followup, records
from app.services.context import AppContext
from app.ui.main_window import MainWindow
from app.ui.start_page import StartPage
from app.ui.text import plain


def test_the_deadline_count_is_read_off_the_ui_thread(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = records.form_definition("civil_party")
    for seed in range(3):
        application_id = records.start_application(ctx, form.id)
        records.finalize_application(ctx, application_id, demo_answers(form, random.Random(seed)))
    threads: list[str] = []
    stoppable: list[bool] = []  # the page can stop the count it reads off the UI thread
    real_check = followup.records_at_risk

    def noting_the_thread(
        ctx: AppContext, today: date | None = None, cancelled: Callable[[], bool] | None = None
    ) -> list[object]:
        threads.append(threading.current_thread().name)
        stoppable.append(cancelled is not None)
        return list(real_check(ctx, today, cancelled=cancelled))

    monkeypatch.setattr(followup, "records_at_risk", noting_the_thread)
    main_window.show_page("applicants")
    main_window.show_page("start")  # shown again: the counts are read again
    page = main_window.page("start")
    assert isinstance(page, StartPage)
    assert plain(page.tiles["deadlines"].text()).endswith("…")  # not read on this thread
    assert page.summary is not None and page.summary.total_records == 3  # the rest is there
    qtbot.waitUntil(lambda: not plain(page.tiles["deadlines"].text()).endswith("…"))
    assert threads and threading.main_thread().name not in threads
    assert stoppable == [True] * len(threads)
    shown = plain(page.tiles["deadlines"].text())
    page.refresh()  # the synchronous count (as after deleting a draft) says the same
    assert plain(page.tiles["deadlines"].text()) == shown


def test_the_deadline_count_starts_once_the_page_is_painted(
    ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started while the page is shown, the count's thread took the interpreter from the main
    window's first paint; it starts after the page's paint, and never once the app closes."""
    counted: list[str] = []
    real_check = followup.records_at_risk

    def noting(
        ctx: AppContext, today: date | None = None, cancelled: Callable[[], bool] | None = None
    ) -> list[object]:
        counted.append(threading.current_thread().name)
        return list(real_check(ctx, today, cancelled=cancelled))

    monkeypatch.setattr(followup, "records_at_risk", noting)
    page = StartPage(ctx)
    qtbot.addWidget(page)
    page.show()  # the other counts are there at once, the deadline count not started
    assert page.summary is not None and plain(page.tiles["deadlines"].text()).endswith("…")
    assert page._deadline_task is None and not counted
    page.repaint()  # painted: the count starts on the next turn of the event loop
    qtbot.waitUntil(lambda: not plain(page.tiles["deadlines"].text()).endswith("…"))
    assert counted and threading.main_thread().name not in counted
    page.shutdown()

    closing = StartPage(ctx)
    qtbot.addWidget(closing)
    closing.show()
    closing.shutdown()  # the app closes before the page is painted
    closing.repaint()
    QApplication.processEvents()
    assert closing._deadline_task is None and plain(closing.tiles["deadlines"].text()).endswith("…")
    assert len(counted) == 1
