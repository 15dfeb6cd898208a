"""The audit log is anchored outside its table: cutting its end, emptying it, or rewriting it with
recomputed hashes is detected, and sequence numbers are never given out twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.services.accounts import first_run_setup
from app.services.audit import (
    CHECKPOINT_SETTING,
    GENESIS_HASH,
    AuditAction,
    chain_head,
    entry_digest,
    record_audit,
    verify_audit_chain,
)
from app.services.context import AppContext
from app.store.models import AuditEntry, Setting

PASSWORD = "a long admin password"


@pytest.fixture
def keyed(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    """A real encrypted store (the checkpoint's HMAC key comes from its database key)."""
    monkeypatch.setenv("VSS_OUTREACH_FAST_KDF", "1")
    ctx, _code = first_run_setup(home, "admin", "Admin", PASSWORD, "Laptop", "en")
    with ctx.store.transaction() as session:
        for number in range(9):
            record_audit(session, ctx, AuditAction.RECORD_VIEW, record_id=f"record-{number}")
    yield ctx
    ctx.close()


def _sql(ctx: AppContext, statement: str) -> None:
    with ctx.store.transaction() as session:
        session.execute(text(statement))


def _rechain(ctx: AppContext, also_checkpoint: bool) -> None:
    """What an attacker with SQL access does: edit entry 3 and recompute every later hash."""
    with ctx.store.transaction() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        entries[2].record_id = "someone-else"
        previous = GENESIS_HASH
        for entry in entries:
            entry.prev_hash = previous
            entry.entry_hash = entry_digest(
                previous, entry.at, entry.officer_id, entry.action, entry.record_id, entry.details
            )
            previous = entry.entry_hash
        if also_checkpoint:  # without the app's key the HMAC cannot be made
            row = session.get(Setting, CHECKPOINT_SETTING)
            assert row is not None
            row.value = {**row.value, "head": previous}


def test_an_untouched_log_is_intact_and_its_head_is_what_sync_sends(keyed: AppContext) -> None:
    report = verify_audit_chain(keyed)
    assert report.intact and report.entries == 10
    with keyed.store.transaction() as session:
        head = chain_head(session)
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None
    assert head == {"seq": last.seq, "count": 10, "head": last.entry_hash}


@pytest.mark.parametrize(
    "tamper",
    [
        "DELETE FROM audit_log WHERE seq >= 8",  # the last rows cut off
        "DELETE FROM audit_log",  # every row
        "DELETE FROM settings WHERE key = 'audit_checkpoint'",  # the checkpoint removed
        "UPDATE settings SET value = json_set(value, '$.count', 7) WHERE key = 'audit_checkpoint'",
    ],
)
def test_cutting_or_emptying_the_log_is_detected(keyed: AppContext, tamper: str) -> None:
    _sql(keyed, tamper)
    report = verify_audit_chain(keyed)
    assert not report.intact


@pytest.mark.parametrize("also_checkpoint", [False, True])
def test_a_rechained_log_is_detected(keyed: AppContext, also_checkpoint: bool) -> None:
    _rechain(keyed, also_checkpoint)
    assert not verify_audit_chain(keyed).intact


def test_sequence_numbers_are_not_given_out_again_after_a_cut(keyed: AppContext) -> None:
    with keyed.store.transaction() as session:
        top = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq.desc())).first()
    _sql(keyed, f"DELETE FROM audit_log WHERE seq > {top - 3}")
    with keyed.store.transaction() as session:
        entry = record_audit(session, keyed, AuditAction.RECORD_VIEW)
    assert top is not None and entry.seq == top + 1
    assert not verify_audit_chain(keyed).intact  # the cut stays visible after new entries


def test_a_jump_leaves_room_and_the_chain_stays_intact(keyed: AppContext) -> None:
    with keyed.store.transaction() as session:
        before = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq.desc())).first()
        entry = record_audit(session, keyed, AuditAction.RESTORE, seq_jump=1_000_000)
    assert before is not None and entry.seq == before + 1_000_001
    assert verify_audit_chain(keyed).intact
