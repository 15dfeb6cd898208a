"""The counts the main window reads on its UI thread (the status line after every write, the
idle-lock check's settings, the start page) never wait for a writer: a sync or an import holding
the store's write lock must not freeze the window until it commits."""

from __future__ import annotations

import threading

from sqlalchemy import insert

from app.services.civil_parties import not_contacted_count
from app.services.context import AppContext, count_applications, get_setting, sync_summary
from app.store.models import Setting

WAIT = 20  # seconds; only reached when the behaviour under test is broken


def test_the_status_counts_and_settings_are_read_while_a_writer_holds_the_store(
    ctx: AppContext,
) -> None:
    writing = threading.Event()
    release = threading.Event()

    def writer() -> None:  # a background job in the middle of its transaction
        with ctx.store.transaction() as session:
            session.execute(insert(Setting).values(key="background", value=1))
            writing.set()
            release.wait(WAIT)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(WAIT)
        seen = (
            count_applications(ctx),
            sync_summary(ctx).pending,
            get_setting(ctx, "background", "not yet"),
            not_contacted_count(ctx),
        )
        assert thread.is_alive()  # read while the writer still held its transaction
    finally:
        release.set()
        thread.join(WAIT)
    assert seen == (0, 0, "not yet", 0)  # the last committed state, not the writer's row
    assert get_setting(ctx, "background") == 1
