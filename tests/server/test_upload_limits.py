"""Per-device quota and early refusal, through the real HTTP API on loopback."""

from __future__ import annotations

from pathlib import Path

from app.i18n import set_language
from app.server.app import create_app
from app.server.limits import UploadLimits
from app.services import sync
from app.sync.crypto import ServerKeys
from tests.sync.harness import LiveServer, add_records, enrolled_device, outbox_states


def test_a_device_over_its_daily_quota_is_told_to_come_back_later(
    tmp_path: Path, home: Path, server_keys: ServerKeys
) -> None:
    limits = UploadLimits(device_daily_bytes=2000)
    app = create_app(f"sqlite:///{tmp_path / 'office.db'}", server_keys, limits=limits)
    server = LiveServer(app).start()
    ctx = enrolled_device(home, server, server_keys)
    set_language("en")
    try:
        add_records(ctx, 60)
        result = sync.sync_now(ctx, server.url)
        # the first batch (20 records, over 2000 bytes) goes through; the next one is held back
        assert result.acknowledged == 20
        assert result.error is not None and "received a lot from this laptop" in result.error
        states = list(outbox_states(ctx).values())
        assert states.count("acknowledged") == 20 and len(states) == 60  # nothing lost
    finally:
        ctx.close()
        server.stop()
