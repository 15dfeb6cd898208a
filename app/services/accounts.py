"""Officer accounts on this laptop: first-run set-up, signing in and locking (``officers`` manages
the officers themselves).

The device database is encrypted; its key is unlocked by an officer's password through the keyring
(:mod:`app.store.keyring`). Signing in therefore *is* opening the store: without a right password
nothing on disk can be read. Wrong passwords cannot be written to the audit log at the moment they
happen (the database is still closed), so the keyring notes them and the next successful sign-in
copies them into the audit log.

Every refusal is an :class:`AccountError` (or a subclass) whose message is translated and safe to
show; role checks raise :class:`app.services.security.PermissionDenied`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _, format_number
from app.services.account_rules import MAX_PASSWORD_LENGTH as MAX_PASSWORD_LENGTH
from app.services.account_rules import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH
from app.services.account_rules import AccountError, check_password
from app.services.account_rules import PasswordPolicyError as PasswordPolicyError
from app.services.account_rules import check_role as check_role
from app.services.account_rules import password_rules as password_rules
from app.services.account_rules import wait_text as wait_text
from app.services.audit import AuditAction, record_audit
from app.services.before_sign_in import reset_date_text, waiting_reset_notice
from app.services.context import AppContext, SignedInOfficer, open_app
from app.services.epoch import start_new_epoch
from app.services.first_run import add_officer_row as add_officer_row
from app.services.first_run import begin_setup as begin_setup
from app.services.first_run import discard_incomplete_setup as discard_incomplete_setup
from app.services.first_run import finish_setup as finish_setup
from app.services.first_run import first_run_setup as first_run_setup
from app.services.first_run import is_first_run as is_first_run
from app.services.first_run import setup_incomplete as setup_incomplete
from app.services.key_rotation import settle_rotation

# The first half of signing in (the keyring only) and the refusals every sign-in screen shows.
from app.services.key_unlock import RecoveryDelayed as RecoveryDelayed
from app.services.key_unlock import SignInFailed as SignInFailed
from app.services.key_unlock import SignInLocked as SignInLocked
from app.services.key_unlock import UnlockedKey, unlock_database_key, wrong_credentials
from app.services.key_unlock import damaged_keyring as damaged_keyring
from app.services.key_unlock import load_keyring as load_keyring
from app.services.key_unlock import normalize_username as normalize_username
from app.services.key_unlock import password_checked as password_checked
from app.services.security import Role, signed_in
from app.store.admin_reset import (
    WAIT_SECONDS,
    ResetAlreadyWaiting,
    WaitingReset,
    request_reset,
)
from app.store.db import StoreError
from app.store.keyring import Keyring, KeyringError, WrongRecoveryCode
from app.store.models import Officer

# --- signing in ---------------------------------------------------------------------------------


def _open_store(home: Path, db_key: bytes) -> AppContext:
    try:
        return open_app(home, db_key)
    except StoreError as error:
        raise AccountError(
            _("The data file cannot be opened. Restore a backup or ask the office.")
        ) from error


def _active_officer(session: Session, username: str) -> Officer | None:
    officer = session.scalars(select(Officer).where(Officer.username == username)).first()
    return officer if officer is not None and officer.active else None


def _audit_pending_events(session: Session, keyring: Keyring, device_id: str) -> int:
    """Copy events noted while the store was closed (wrong passwords, restores) into the log; a
    restore also starts a new epoch (new reference code, audit numbers jump ahead)."""
    events = keyring.pending_events()
    for event in events:
        if event.get("action") == "restore":
            start_new_epoch(
                session, None, device_id, {k: v for k, v in event.items() if k != "action"}
            )
            continue
        action = {
            "login_failed": AuditAction.LOGIN_FAILED,
            "recovery_failed": AuditAction.LOGIN_FAILED,
            "restore_refused": AuditAction.REFUSED,
        }.get(str(event.get("action")), AuditAction.LOGIN_FAILED)
        at = event.get("at")
        details: dict[str, Any] = {k: v for k, v in event.items() if k not in ("at",)}
        if event.get("action") == "restore_refused":
            details["action"] = "restore"
        if isinstance(at, int | float):
            details["noted_at"] = datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")
        record_audit(session, None, action, details=details)
    return len(events)


def _signed_in_context(
    home: Path,
    keyring: Keyring,
    username: str,
    db_key: bytes,
    details: dict[str, Any],
    new_password: str | None = None,
) -> AppContext:
    """Open the store and sign ``username`` in; with ``new_password`` (recovery) re-wrap first,
    or, for an administrator, request the reset (RecoveryDelayed: nobody is signed in)."""
    ctx = _open_store(home, db_key)
    waiting: WaitingReset | None = None
    try:
        with ctx.store.transaction() as session:
            officer = _active_officer(session, username)
            if officer is None:
                if new_password is not None:
                    raise SignInFailed(_("There is no active officer with this user name."))
                raise wrong_credentials()
            if new_password is not None:
                delayed = officer.role == Role.ADMINISTRATOR
                change = "admin_reset_requested" if delayed else "password_reset_with_recovery_code"
                record_audit(
                    session,
                    ctx,
                    AuditAction.ACCOUNT_CHANGE,
                    record_id=officer.id,
                    details={"change": change, "username": username},
                    officer_id=None if delayed else officer.id,
                )
                session.flush()
                if delayed:
                    waiting = request_reset(keyring, username, new_password, db_key, time.time())
                else:
                    keyring.reset_password_with_key(username, new_password, db_key)
            noted = _audit_pending_events(session, keyring, ctx.device_id)
            if waiting is None:
                record_audit(
                    session, ctx, AuditAction.LOGIN, details=details, officer_id=officer.id
                )
                ctx.officer = SignedInOfficer(
                    officer.id, officer.username, officer.display_name, officer.role
                )
        if noted:
            keyring.clear_pending_events(noted)
    except ResetAlreadyWaiting as error:
        ctx.close()
        raise SignInFailed(_("A reset of this password is already waiting.")) from error
    except KeyringError as error:
        ctx.close()
        raise damaged_keyring() from error
    except BaseException:
        ctx.close()
        raise
    if waiting is not None:
        ctx.close()
        raise RecoveryDelayed(
            _(
                "The administrator's new password takes effect on {date}, {hours} hours from "
                "now. Until then every sign-in shows that it is waiting, and the administrator "
                "can cancel it by signing in with the current password."
            ).format(
                date=reset_date_text(waiting.effective_at),
                hours=format_number(WAIT_SECONDS // 3600),
            )
        )
    ctx.db_key = db_key
    return ctx


def sign_in(home: Path, username: str, password: str) -> AppContext:
    """Unlock the store with ``username``'s password and open it, signed in as that officer.

    While an administrator's reset waits: the administrator's current password cancels it, the
    new one completes it once the 72 hours are over (either way the recovery code is replaced and
    ``ctx.new_recovery_code`` holds the new one); any other sign-in gets ``ctx.notices``."""
    return finish_sign_in(home, unlock_database_key(home, username, password), password)


def finish_sign_in(home: Path, unlocked: UnlockedKey, password: str) -> AppContext:
    """Signing in, second half: open the store with the key ``password`` unlocked
    (:func:`app.services.key_unlock.unlock_database_key`), audit, and say what the officer
    must know (see :func:`sign_in`)."""
    keyring, name, db_key, change = (
        unlocked.keyring,
        unlocked.username,
        unlocked.db_key,
        unlocked.change,
    )
    try:
        db_key = settle_rotation(home, keyring, name, password, db_key)
    except KeyringError as error:
        raise damaged_keyring() from error
    ctx = _signed_in_context(home, keyring, name, db_key, {"username": name})
    if change is None:
        notice = waiting_reset_notice(home)
        ctx.notices = [notice] if notice else []
        return ctx
    try:
        with ctx.store.transaction() as session:
            record_audit(
                session,
                ctx,
                AuditAction.ACCOUNT_CHANGE,
                details={"change": change, "username": name},
            )
        ctx.new_recovery_code = keyring.replace_recovery_code(db_key)  # it was used
    except KeyringError as error:
        ctx.close()
        raise damaged_keyring() from error
    if change == "admin_reset_cancelled":
        ctx.notices = [
            _(
                "A reset of your password with the recovery code was waiting; it is cancelled "
                "now. Someone used the recovery code: a new one is shown next."
            )
        ]
    return ctx


def sign_in_with_recovery(home: Path, code: str, username: str, new_password: str) -> AppContext:
    """Use the recovery code to give ``username`` a new password, and sign them in. The code is
    then replaced: the new one is in ``ctx.new_recovery_code`` (show it once). For an
    administrator the reset only waits 72 hours (RecoveryDelayed; see app.store.admin_reset)."""
    check_password(new_password, (username,))
    keyring = load_keyring(home)
    name = normalize_username(username)
    try:
        db_key = keyring.unwrap_recovery(code)
    except WrongRecoveryCode as error:
        raise SignInFailed(_("The recovery code is not right.")) from error
    except KeyringError as error:
        raise damaged_keyring() from error
    ctx = _signed_in_context(
        home, keyring, name, db_key, {"username": name, "recovery": True}, new_password
    )
    # Single use: the code just typed stops working; the new one is shown once, like the first.
    try:
        ctx.new_recovery_code = keyring.replace_recovery_code(db_key)
    except KeyringError as error:
        ctx.close()
        raise damaged_keyring() from error
    return ctx


def sign_out(ctx: AppContext) -> None:
    """Audit the sign-out and close the store."""
    if ctx.officer is not None:
        with ctx.store.transaction() as session:
            record_audit(session, ctx, AuditAction.LOGOUT)
    ctx.officer = None
    ctx.db_key = None
    ctx.close()


def lock(ctx: AppContext) -> None:
    """Lock the session (idle or by hand): services refuse until :func:`unlock`."""
    officer = signed_in(ctx)
    with ctx.store.transaction() as session:
        record_audit(session, ctx, AuditAction.LOCK, officer_id=officer.id)
    ctx.locked = True


def is_locked(ctx: AppContext) -> bool:
    return ctx.locked


def unlock(ctx: AppContext, password: str) -> None:
    """Unlock with the signed-in officer's password (wrong tries count toward the wait)."""
    if ctx.officer is None:
        raise AccountError(_("Please sign in first."))
    keyring = load_keyring(ctx.home)
    with password_checked(lambda: SignInFailed(_("Wrong password."))):
        db_key = keyring.unwrap(ctx.officer.username, password)
    current = ctx.db_key
    if current is not None and current != db_key:
        raise damaged_keyring()
    with ctx.store.transaction() as session:
        noted = _audit_pending_events(session, keyring, ctx.device_id)
        record_audit(session, ctx, AuditAction.UNLOCK)
    if noted:
        keyring.clear_pending_events(noted)
    ctx.locked = False
