"""Every batch carries the device's audit head; the office keeps the newest and flags a chain that
goes backwards (a log cut and continued, or rewritten with a lower count)."""

from __future__ import annotations

from sqlalchemy import text

from app.server.service import audit_chain_flags
from app.services import sync
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from tests.sync.harness import LiveServer, add_records


def _sync(device: AppContext, server: LiveServer) -> None:
    add_records(device, 2, start=len(server.version_ids()))
    with device.store.transaction() as session:  # something new in the log each time
        record_audit(session, device, AuditAction.RECORD_VIEW)
    assert sync.sync_now(device, server.url).complete


def test_a_growing_chain_is_kept_and_a_cut_one_is_flagged(
    device: AppContext, server: LiveServer
) -> None:
    _sync(device, server)
    _sync(device, server)
    assert audit_chain_flags(server.sessions) == {}
    # Someone cuts the log and rewrites the checkpoint's count to match, then works on.
    with device.store.transaction() as session:
        session.execute(
            text(
                "UPDATE settings SET value = json_set(value, '$.count', 2) "
                "WHERE key = 'audit_checkpoint'"
            )
        )
    _sync(device, server)
    flags = audit_chain_flags(server.sessions)
    assert list(flags) == [device.device_id]
    assert flags[device.device_id]["flag"] == "audit_chain_went_backwards"
    assert flags[device.device_id]["received"]["count"] < flags[device.device_id]["kept"]["count"]
