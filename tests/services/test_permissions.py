"""Roles on every action: a field officer cannot enrol, export or change settings; nobody acts
while locked; every refusal is audited, and a flood of refusals is folded, never burying entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.services import sync, sync_enrolment, sync_usb
from app.services.audit import AuditAction, record_audit, record_refusal, verify_audit_chain
from app.services.context import AppContext
from app.services.errors import SyncError
from app.services.security import PermissionDenied, SessionLocked
from app.services.settings import (
    AppSettings,
    OfficePolicy,
    SettingsError,
    load_settings,
    save_policy,
    save_settings,
)
from app.store.models import AuditEntry
from app.sync.crypto import ServerKeys
from tests.officers import ADMINISTRATOR, FIELD_OFFICER, SUPERVISOR, add_officers


def _refusals(ctx: AppContext) -> list[dict[str, Any]]:
    with ctx.store.transaction() as session:
        return [
            {"officer": entry.officer_id, **(entry.details or {})}
            for entry in session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == AuditAction.REFUSED)
                .order_by(AuditEntry.seq)
            )
        ]


def _enrolment(ctx: AppContext) -> tuple[dict[str, Any], str]:
    public = ServerKeys.generate().public
    return {"device_id": ctx.device_id, **public.to_json()}, public.fingerprint()


def test_a_field_officer_cannot_enrol_export_or_change_settings(
    ctx: AppContext, tmp_path: Path
) -> None:
    add_officers(ctx, [FIELD_OFFICER, SUPERVISOR, ADMINISTRATOR])
    ctx.officer = FIELD_OFFICER
    data, _fingerprint = _enrolment(ctx)
    with pytest.raises(PermissionDenied):
        sync_enrolment.install_enrolment(ctx, data)
    assert not sync_enrolment.is_enrolled(ctx)
    with pytest.raises(PermissionDenied):
        sync_usb.export_batches(ctx, tmp_path / "stick")
    assert not (tmp_path / "stick").exists()
    with pytest.raises(PermissionDenied):
        save_settings(ctx, AppSettings(server_url="https://attacker.example"))
    with pytest.raises(PermissionDenied):
        save_policy(ctx, OfficePolicy(idle_lock_max_minutes=240))
    assert load_settings(ctx).server_url == ""
    assert [(r["officer"], r["action"], r["reason"]) for r in _refusals(ctx)] == [
        (FIELD_OFFICER.id, "enrol", "role"),
        (FIELD_OFFICER.id, "export_usb", "role"),
        (FIELD_OFFICER.id, "settings", "role"),
        (FIELD_OFFICER.id, "office_policy", "role"),
    ]

    ctx.officer = SUPERVISOR  # supervisors may change settings, but not enrol
    save_settings(ctx, AppSettings(server_url="https://vss.example.org", idle_lock_minutes=5))
    with pytest.raises(PermissionDenied):
        sync_enrolment.install_enrolment(ctx, data)
    ctx.officer = ADMINISTRATOR
    sync_enrolment.install_enrolment(ctx, data)
    assert sync_enrolment.is_enrolled(ctx)
    assert verify_audit_chain(ctx).intact


def test_nothing_is_allowed_while_locked(ctx: AppContext, tmp_path: Path) -> None:
    add_officers(ctx, [ADMINISTRATOR])
    ctx.officer = ADMINISTRATOR
    ctx.locked = True
    data, _fingerprint = _enrolment(ctx)
    with pytest.raises(SessionLocked):
        sync_enrolment.install_enrolment(ctx, data)
    with pytest.raises(SessionLocked):
        sync_usb.export_batches(ctx, tmp_path / "stick")
    with pytest.raises(SessionLocked):
        sync.sync_now(ctx, "http://127.0.0.1:9")
    with pytest.raises(SessionLocked):
        save_settings(ctx, AppSettings())
    assert {r["reason"] for r in _refusals(ctx)} == {"locked"}
    assert [r["action"] for r in _refusals(ctx)] == ["enrol", "export_usb", "sync", "settings"]


def test_replacing_the_office_key_needs_its_fingerprint_confirmed(ctx: AppContext) -> None:
    add_officers(ctx, [ADMINISTRATOR])
    ctx.officer = ADMINISTRATOR
    first, first_print = _enrolment(ctx)
    assert sync_enrolment.enrolment_fingerprint(first) == first_print
    sync_enrolment.install_enrolment(ctx, first, first_print)
    second, second_print = _enrolment(ctx)
    with pytest.raises(SyncError):
        sync_enrolment.install_enrolment(ctx, second)  # not confirmed
    with pytest.raises(SyncError):
        sync_enrolment.install_enrolment(ctx, second, first_print)  # the old key's fingerprint
    assert sync_enrolment.server_public_keys(ctx).fingerprint() == first_print  # type: ignore[union-attr]
    sync_enrolment.install_enrolment(ctx, second, second_print.lower().replace(" ", ""))
    assert sync_enrolment.server_public_keys(ctx).fingerprint() == second_print  # type: ignore[union-attr]
    with ctx.store.transaction() as session:
        details = [
            e.details
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == AuditAction.SETTINGS_CHANGE)
            )
        ]
    assert details == [
        {"sync": "enrolled", "office_key": first_print},
        {"sync": "re-enrolled", "office_key": second_print},
    ]


def test_the_idle_lock_cannot_exceed_the_office_maximum(ctx: AppContext) -> None:
    add_officers(ctx, [SUPERVISOR, ADMINISTRATOR])
    ctx.officer = SUPERVISOR
    with pytest.raises(SettingsError):
        save_settings(ctx, AppSettings(idle_lock_minutes=31))  # default maximum: 30
    save_settings(ctx, AppSettings(idle_lock_minutes=30))
    ctx.officer = ADMINISTRATOR
    save_policy(ctx, OfficePolicy(idle_lock_max_minutes=10))
    assert load_settings(ctx).idle_lock_minutes == 10  # the stored 30 is read as the maximum
    ctx.officer = SUPERVISOR
    with pytest.raises(SettingsError):
        save_settings(ctx, AppSettings(idle_lock_minutes=11))
    with ctx.store.transaction() as session:
        changes = [
            e.details
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == AuditAction.SETTINGS_CHANGE)
            )
        ]
    every_field = ["backup_folder", "device_name", "idle_lock_minutes", "khmer_digits"]
    every_field += ["language", "server_url"]
    assert changes == [
        {"changed": every_field},
        {"policy": {"idle_lock_max_minutes": 10, "supervisors_may_restore": False}},
    ]


def test_a_flood_of_refusals_is_folded_and_buries_nothing(ctx: AppContext) -> None:
    add_officers(ctx, [FIELD_OFFICER])
    ctx.officer = FIELD_OFFICER
    with ctx.store.transaction() as session:
        record_audit(session, ctx, AuditAction.RECORD_CREATE, record_id="real-entry")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for second in range(300):
        record_refusal(ctx, "export_usb", "role", now=start + timedelta(milliseconds=50 * second))
    with ctx.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2
        first = session.scalars(select(AuditEntry.record_id).order_by(AuditEntry.seq)).first()
        assert first == "real-entry"
    later = start + timedelta(minutes=5)
    record_refusal(ctx, "export_usb", "role", now=later)
    record_refusal(ctx, "settings", "role", now=later)  # another action is not folded into it
    refusals = _refusals(ctx)
    assert [r.get("folded") for r in refusals] == [None, 299, None]
    assert verify_audit_chain(ctx).intact


def test_every_role_refusal_is_audited_with_the_action(ctx: AppContext) -> None:
    from app.services.court import set_training_date
    from app.services.officers import create_officer

    add_officers(ctx, [FIELD_OFFICER])
    ctx.officer = FIELD_OFFICER
    with pytest.raises(PermissionDenied):
        create_officer(ctx, "mole", "Mole", "administrator", "a long sentence here")
    with pytest.raises(PermissionDenied):
        set_training_date(ctx, None)
    assert [(r["officer"], r["action"]) for r in _refusals(ctx)] == [
        (FIELD_OFFICER.id, "create_officer"),
        (FIELD_OFFICER.id, "settings"),
    ]
