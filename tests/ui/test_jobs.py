"""The background-job helper and the "data changed" signal, with real threads and a real store."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QProgressBar, QPushButton
from pytestqt.qtbot import QtBot

from app.i18n import format_number, set_language
from app.services import records
from app.services.context import AppContext
from app.services.error_log import configure_logging, log_path
from app.ui.main_window import MainWindow
from app.ui.text import _, plain
from app.ui.worker import BackgroundTask, DataEvents, JobView, run_job


def test_writes_in_a_background_job_signal_once_on_the_ui_thread(
    vss_qapp: QApplication, qtbot: QtBot, ctx: AppContext
) -> None:
    events = DataEvents(ctx.store)
    on_ui_thread: list[bool] = []
    events.changed.connect(
        lambda: on_ui_thread.append(threading.current_thread() is threading.main_thread())
    )
    task = BackgroundTask(
        lambda _p, _c: [records.start_application(ctx, "complaint") for _ in range(3)]
    )
    with qtbot.waitSignal(events.changed, timeout=10_000):
        task.start()
    qtbot.wait(DataEvents.DELAY_MS * 3)
    assert on_ui_thread == [True]  # three writes, one signal, delivered on the UI thread
    records.drafts_to_resume(ctx)  # reading changes nothing
    qtbot.wait(DataEvents.DELAY_MS * 3)
    assert on_ui_thread == [True]
    events.stop()
    records.start_application(ctx, "complaint")
    qtbot.wait(DataEvents.DELAY_MS * 3)
    assert on_ui_thread == [True]  # stopped: no more signals


def test_the_status_bar_follows_writes_without_polling(
    main_window: MainWindow, qtbot: QtBot, ctx: AppContext
) -> None:
    assert not hasattr(main_window, "status_timer")
    before = main_window.records_label.text()
    records.start_application(ctx, "complaint")
    expected = _("Records: {count}").format(count=format_number(1))
    qtbot.waitUntil(
        lambda: plain(main_window.records_label.text()) == plain(expected), timeout=5_000
    )
    assert before != expected


def _view(qtbot: QtBot) -> JobView:
    label, bar, cancel, other = QLabel(), QProgressBar(), QPushButton(), QPushButton()
    for widget in (label, bar, cancel, other):
        qtbot.addWidget(widget)
    return JobView(label, bar, cancel, busy=(other,))


def test_run_job_shows_progress_and_the_result(vss_qapp: QApplication, qtbot: QtBot) -> None:
    view = _view(qtbot)
    steps: list[int] = []

    def job(progress: Any, _cancelled: Any) -> int:
        for number in range(1, 4):
            progress(number, 3)
        return 3

    view.progress.valueChanged.connect(steps.append)  # type: ignore[union-attr]
    task = run_job(job, view, name="test.job", started="started", done=lambda n: f"done {n}")
    assert view.message.text() == "started" and not view.busy[0].isEnabled()
    qtbot.waitUntil(lambda: task.reported, timeout=10_000)
    assert task.ok and view.message.text() == "done 3"
    assert steps[-1] == 3 and view.progress.maximum() == 3  # type: ignore[union-attr]
    assert view.busy[0].isEnabled() and view.cancel.isHidden()  # type: ignore[union-attr]


def test_run_job_cancels_and_reports_a_bug_as_an_apology(
    vss_qapp: QApplication, qtbot: QtBot, home: Path
) -> None:
    set_language("en")
    configure_logging(home)
    view = _view(qtbot)
    release = threading.Event()

    class JobCancelled(Exception):
        pass

    def waits_for_cancel(_progress: Any, cancelled: Any) -> None:
        release.wait(10)
        if cancelled():
            raise JobCancelled()

    task = run_job(waits_for_cancel, view, name="test.cancel", started="s", done=str)
    view.cancel.click()  # type: ignore[union-attr]
    release.set()
    qtbot.waitUntil(lambda: task.reported, timeout=10_000)
    assert not task.ok and view.message.text() == "Cancelled. Nothing was saved."

    applicant = "Markername Sokha"

    def broken(_progress: Any, _cancelled: Any) -> None:
        raise KeyError(applicant)

    task = run_job(broken, view, name="test.broken", started="s", done=str)
    qtbot.waitUntil(lambda: task.reported, timeout=10_000)
    assert view.message.text() == (
        "Sorry, something went wrong. The details were saved for the office."
    )
    log = log_path(home).read_text(encoding="utf-8")
    assert "Unexpected error in test.broken" in log and "builtins.KeyError" in log
    assert "Markername" not in log
