"""The main window's opening reads the sync state and the officer's drafts once (issue 20): the
start page, the status line and the offer of drafts left behind all show the same reading.

Counted as statements (what the store is asked), not timed: signing in from the environment
(the frame first, the store attached to it) and signing in with the dialog (the window built
with the store, shown after).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pytestqt.qtbot import QtBot
from sqlalchemy import event

from app.core.demo_answers import demo_answers
from app.i18n import set_language
from app.services import records
from app.services.context import AppContext
from app.services.form_catalogue import available_forms
from app.ui.app import build_main_window
from app.ui.main_window import MainWindow
from app.ui.text import plain


@contextmanager
def _statements(ctx: AppContext) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()))

    event.listen(ctx.store.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(ctx.store.engine, "before_cursor_execute", note)


def _sync_reads(statements: list[str]) -> int:
    return sum("FROM outbox GROUP BY outbox.state" in s for s in statements)


def _draft_reads(statements: list[str]) -> int:
    return sum(
        "applications.created_by = ?" in s and "ORDER BY applications.updated_at DESC" in s
        for s in statements
    )


def _shown_once_read(window: MainWindow, statements: list[str]) -> None:
    assert _sync_reads(statements) == 1
    assert _draft_reads(statements) == 1
    # What that one reading says, on the start page and in the status line.
    assert plain(window.sync_label.text()) == "Sync: 1 waiting"
    start: Any = window.page_by_key["start"]
    assert start.summary.not_synced == 1 and start.summary.drafts == []
    assert window.current_page() is start  # no draft to offer: the start page stays


def _waiting_record(ctx: AppContext) -> None:
    """One final record waiting to be sent (and no draft: with one, the offer opens the New
    application page, which lists the drafts itself)."""
    set_language("en")
    form = available_forms()["complaint"]
    finished = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, finished, demo_answers(form, random.Random(3)))


def test_the_frame_attached_to_the_store_reads_sync_and_drafts_once(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    _waiting_record(ctx)
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with _statements(ctx) as statements:
        window.attach(ctx)
        assert not window.offer_drafts()
        qtbot.wait(50)
    _shown_once_read(window, statements)
    window.shutdown()


def test_the_window_built_with_the_store_reads_sync_and_drafts_once(
    vss_qapp: object, qtbot: QtBot, ctx: AppContext
) -> None:
    _waiting_record(ctx)
    with _statements(ctx) as statements:
        window = build_main_window(ctx)
        qtbot.addWidget(window)
        assert not window.offer_drafts()
        window.show()
        qtbot.waitExposed(window)
        qtbot.wait(50)
    _shown_once_read(window, statements)
    # Later offers read afresh: a draft saved since is offered.
    records.start_application(ctx, "complaint")
    with _statements(ctx) as statements:
        assert window.offer_drafts()
    assert _draft_reads(statements) >= 1
    window.shutdown()
