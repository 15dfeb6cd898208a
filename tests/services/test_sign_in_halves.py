"""Signing in in two halves (issue 20): the password unlocks the key from the keyring alone
(app.services.key_unlock, which the app runs while the store's modules load on a thread), then
the store is opened with it (accounts.finish_sign_in). Together they refuse, count, lock out and
tell exactly what ``sign_in`` does; a real encrypted store and keyring throughout."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.services import account_rules, accounts
from app.services.accounts import finish_sign_in, first_run_setup, sign_in_with_recovery
from app.services.audit import AuditAction
from app.services.key_unlock import (
    AccountError,
    RecoveryDelayed,
    SignInFailed,
    SignInLocked,
    unlock_database_key,
)
from app.services.officers import create_officer
from app.store.keyring import FAST_KDF_ENV, FREE_ATTEMPTS
from app.store.models import AuditEntry

ADMIN_PASSWORD = "admin password 1"


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")


def test_the_refusals_are_the_account_errors_every_screen_catches() -> None:
    assert account_rules.AccountError is AccountError is accounts.AccountError
    assert accounts.SignInFailed is SignInFailed and accounts.SignInLocked is SignInLocked
    assert accounts.RecoveryDelayed is RecoveryDelayed


def test_the_two_halves_refuse_count_and_open_like_sign_in(home: Path) -> None:
    ctx, _code = first_run_setup(home, "admin", "Sok Admin", ADMIN_PASSWORD, "Laptop 7", "en")
    ctx.close()
    with pytest.raises(SignInFailed) as wrong:
        unlock_database_key(home, "admin", "not the password")
    assert not isinstance(wrong.value, SignInLocked)
    for _attempt in range(FREE_ATTEMPTS - 1):
        with pytest.raises(SignInFailed):
            unlock_database_key(home, "admin", "not the password")
    with pytest.raises(SignInLocked) as locked:
        unlock_database_key(home, "admin", ADMIN_PASSWORD)  # even the right one waits
    assert locked.value.retry_after_seconds > 0
    with pytest.raises(AccountError):
        unlock_database_key(home / "elsewhere", "admin", ADMIN_PASSWORD)  # not set up


def test_the_second_half_audits_what_the_first_noted(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, _code = first_run_setup(home, " Admin ", "Sok Admin", ADMIN_PASSWORD, "Laptop 7", "en")
    ctx.close()
    with pytest.raises(SignInFailed):
        unlock_database_key(home, "admin", "not the password")
    unlocked = unlock_database_key(home, " ADMIN ", ADMIN_PASSWORD)
    assert unlocked.username == "admin" and unlocked.change is None
    ctx = finish_sign_in(home, unlocked, ADMIN_PASSWORD)
    try:
        assert ctx.officer is not None and ctx.officer.username == "admin"
        assert ctx.db_key == unlocked.db_key and ctx.notices == []
        with ctx.store.transaction() as session:
            actions = list(session.scalars(select(AuditEntry.action)))
        assert AuditAction.LOGIN_FAILED in actions and actions[-1] == AuditAction.LOGIN
    finally:
        ctx.close()


def test_a_waiting_administrator_reset_is_told_and_cancelled_through_the_halves(
    home: Path,
) -> None:
    ctx, code = first_run_setup(home, "admin", "Sok Admin", ADMIN_PASSWORD, "Laptop 7", "en")
    create_officer(ctx, "dara", "Dara", "field_officer", "dara password 1")
    ctx.close()
    with pytest.raises(RecoveryDelayed):
        sign_in_with_recovery(home, code, "admin", "taken over pw 9")
    with pytest.raises(SignInFailed) as early:
        unlock_database_key(home, "admin", "taken over pw 9")
    assert "takes effect" in str(early.value)
    officer = finish_sign_in(
        home, unlock_database_key(home, "dara", "dara password 1"), "dara password 1"
    )
    try:
        assert len(officer.notices) == 1 and "admin" in officer.notices[0]
    finally:
        officer.close()
    unlocked = unlock_database_key(home, "admin", ADMIN_PASSWORD)
    assert unlocked.change == "admin_reset_cancelled"
    admin = finish_sign_in(home, unlocked, ADMIN_PASSWORD)
    try:
        assert len(admin.notices) == 1 and "cancelled" in admin.notices[0]
        assert admin.new_recovery_code and admin.new_recovery_code != code
    finally:
        admin.close()
