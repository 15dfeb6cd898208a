"""The counts the main window reads on its UI thread (the status line after every write, the
idle-lock check's settings, the start page) never wait for a writer: a sync or an import holding
the store's write lock must not freeze the window until it commits."""

from __future__ import annotations

from app.services.civil_parties import not_contacted_count
from app.services.context import AppContext, count_applications, get_setting, sync_summary
from tests.held_writer import writer_holding


def test_the_status_counts_and_settings_are_read_while_a_writer_holds_the_store(
    ctx: AppContext,
) -> None:
    # A background job in the middle of its transaction.
    with writer_holding(ctx.store, "background", 1) as writer:
        seen = (
            count_applications(ctx),
            sync_summary(ctx).pending,
            get_setting(ctx, "background", "not yet"),
            not_contacted_count(ctx),
        )
        assert writer.is_alive()  # read while the writer still held its transaction
    assert seen == (0, 0, "not yet", 0)  # the last committed state, not the writer's row
    assert get_setting(ctx, "background") == 1
