"""After a restore the laptop starts a new epoch: new intake never repeats a reference the laptop
gave out after the backup, and audit numbers never repeat either."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.demo_answers import demo_answers
from app.services import records
from app.services.accounts import first_run_setup, sign_in
from app.services.audit import verify_audit_chain
from app.services.backup import create_backup
from app.services.context import AppContext
from app.services.restore import RestoreCredentials, restore_backup
from app.store.keyring import FAST_KDF_ENV
from app.store.models import Application, AuditEntry

PASSWORD = "admin password 1"


def _finalise(ctx: AppContext, count: int, seed: int = 0) -> list[str]:
    form = records.form_definition("civil_party")
    references = []
    for number in range(count):
        application_id = records.start_application(ctx, form.id)
        answers = demo_answers(form, random.Random(seed + number))
        references.append(records.finalize_application(ctx, application_id, answers))
    return references


def _top_seq(ctx: AppContext) -> int:
    with ctx.store.transaction() as session:
        return int(session.scalar(select(func.max(AuditEntry.seq))) or 0)


def test_a_restore_followed_by_new_intake_never_repeats_a_reference(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")
    ctx, _code = first_run_setup(home, "admin", "Admin", PASSWORD, "Laptop", "en")
    try:
        before_backup = _finalise(ctx, 2)
        backup = create_backup(ctx, tmp_path / "usb")
        after_backup = _finalise(ctx, 3, seed=10)  # made after the backup: lost by the restore
        old_top = _top_seq(ctx)
    finally:
        ctx.close()

    restored_home = tmp_path / "restored"
    restore_backup(backup, restored_home, RestoreCredentials("admin", PASSWORD))
    ctx = sign_in(restored_home, "admin", PASSWORD)
    try:
        new = _finalise(ctx, 4, seed=20)
        assert not set(new) & set(after_backup)
        assert not set(new) & set(before_backup)
        with ctx.store.transaction() as session:
            assert session.scalar(select(func.count(func.distinct(Application.reference)))) == 6
        # New references share one new device part, unlike the old one.
        assert len({reference[4:8] for reference in new}) == 1
        assert new[0][4:8] != before_backup[0][4:8]
        assert _top_seq(ctx) > old_top  # audit numbers jumped past what the old laptop wrote
        assert verify_audit_chain(ctx).intact
    finally:
        ctx.close()

    # Signing in again does not start another epoch.
    ctx = sign_in(restored_home, "admin", PASSWORD)
    try:
        assert _finalise(ctx, 1, seed=30)[0][4:8] == new[0][4:8]
    finally:
        ctx.close()
