"""Managing the officers of this laptop: adding, switching off and on, passwords, the recovery
code, the list. Each change updates the officer table and the keyring together, and is audited."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.services.account_rules import (
    AccountError,
    check_display_name,
    check_password,
    check_role,
    check_username,
    normalize_username,
)
from app.services.accounts import (
    SignInFailed,
    damaged_keyring,
    load_keyring,
    password_checked,
)
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.first_run import add_officer_row
from app.services.key_rotation import Progress, RotationResult, rotate_database_key
from app.services.security import Role, require_role, signed_in
from app.store.keyring import Keyring, KeyringError
from app.store.models import Officer


@dataclass(frozen=True)
class OfficerSummary:
    id: str
    username: str
    display_name: str
    role: str
    organisation: str | None
    active: bool
    created_at: datetime


def _db_key(ctx: AppContext) -> bytes:
    key = ctx.db_key
    if key is None:
        raise AccountError(_("Please sign in again first."))
    return key


@contextmanager
def _keyring_change(ctx: AppContext) -> Iterator[Keyring]:
    keyring = load_keyring(ctx.home)
    try:
        yield keyring
    except KeyringError as error:
        raise damaged_keyring() from error


def create_officer(
    ctx: AppContext, username: str, display_name: str, role: str, password: str
) -> str:
    """Add an officer who can sign in on this laptop; administrators only. Returns the officer id."""
    require_role(ctx, Role.ADMINISTRATOR)
    name = check_username(username)
    shown = check_display_name(display_name)
    chosen = check_role(role)
    check_password(password, (name, shown))
    db_key = _db_key(ctx)
    officer_id = str(uuid.uuid4())
    with _keyring_change(ctx) as keyring, ctx.store.transaction() as session:
        taken = session.scalar(
            select(func.count()).select_from(Officer).where(Officer.username == name)
        )
        if taken or keyring.has(name):
            raise AccountError(_("This user name is already taken."))
        add_officer_row(session, officer_id, name, shown, chosen)
        record_audit(
            session,
            ctx,
            AuditAction.ACCOUNT_CHANGE,
            record_id=officer_id,
            details={"change": "create_officer", "username": name, "role": str(chosen)},
        )
        keyring.add_officer(name, password, db_key)
    return officer_id


def _officer_by_username(session: Session, username: str) -> Officer:
    officer = session.scalars(
        select(Officer).where(Officer.username == normalize_username(username))
    ).first()
    if officer is None:
        raise AccountError(_("There is no officer with this user name."))
    return officer


def deactivate_officer(
    ctx: AppContext, username: str, progress: Progress | None = None
) -> RotationResult | None:
    """Switch an account off, remove its key and rotate the database key, so that a copy of the
    keyring made before cannot open the data on this laptop. None if it was already off."""
    me = require_role(ctx, Role.ADMINISTRATOR)
    with _keyring_change(ctx) as keyring, ctx.store.transaction() as session:
        officer = _officer_by_username(session, username)
        if officer.id == me.id:
            raise AccountError(_("You cannot switch off your own account."))
        if not officer.active:
            return None
        officer.active = False
        record_audit(
            session,
            ctx,
            AuditAction.ACCOUNT_CHANGE,
            record_id=officer.id,
            details={"change": "deactivate_officer", "username": officer.username},
        )
        session.flush()
        if keyring.has(officer.username):
            keyring.remove(officer.username)
        name = officer.username
    return rotate_database_key(ctx, f"deactivated {name}", progress)


def reactivate_officer(ctx: AppContext, username: str, new_password: str) -> None:
    """Switch an account back on with a new password (its old key was removed when it was
    switched off, so the administrator gives a new password); administrators only."""
    require_role(ctx, Role.ADMINISTRATOR)
    check_password(new_password, (username,))
    db_key = _db_key(ctx)
    with _keyring_change(ctx) as keyring, ctx.store.transaction() as session:
        officer = _officer_by_username(session, username)
        if officer.active:
            return
        officer.active = True
        record_audit(
            session,
            ctx,
            AuditAction.ACCOUNT_CHANGE,
            record_id=officer.id,
            details={"change": "reactivate_officer", "username": officer.username},
        )
        session.flush()
        if keyring.has(officer.username):
            keyring.remove(officer.username)
        keyring.add_officer(officer.username, new_password, db_key)


def change_password(ctx: AppContext, old_password: str, new_password: str) -> None:
    """The signed-in officer changes their own password."""
    officer = signed_in(ctx)
    check_password(new_password, (officer.username, officer.display_name))
    keyring = load_keyring(ctx.home)
    with password_checked(lambda: SignInFailed(_("The old password is wrong."))):
        keyring.change_password(officer.username, old_password, new_password)
    with ctx.store.transaction() as session:
        record_audit(
            session,
            ctx,
            AuditAction.ACCOUNT_CHANGE,
            record_id=officer.id,
            details={"change": "change_password", "username": officer.username},
        )


def reset_password(ctx: AppContext, username: str, new_password: str) -> None:
    """Give another officer a new password (supervisors: field officers only; administrators: all)."""
    me = require_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)
    check_password(new_password, (username,))
    db_key = _db_key(ctx)
    with _keyring_change(ctx) as keyring, ctx.store.transaction() as session:
        officer = _officer_by_username(session, username)
        if not officer.active:
            raise AccountError(_("This account is switched off."))
        if me.role != Role.ADMINISTRATOR and officer.role != Role.FIELD_OFFICER:
            raise AccountError(_("Only an administrator may reset this officer's password."))
        record_audit(
            session,
            ctx,
            AuditAction.ACCOUNT_CHANGE,
            record_id=officer.id,
            details={"change": "reset_password", "username": officer.username},
        )
        session.flush()
        keyring.reset_password_with_key(officer.username, new_password, db_key)


def new_recovery_code(ctx: AppContext) -> str:
    """Replace the recovery code (the old one stops working); administrators only."""
    require_role(ctx, Role.ADMINISTRATOR)
    db_key = _db_key(ctx)
    with _keyring_change(ctx) as keyring, ctx.store.transaction() as session:
        record_audit(
            session, ctx, AuditAction.ACCOUNT_CHANGE, details={"change": "new_recovery_code"}
        )
        session.flush()
        return keyring.replace_recovery_code(db_key)


def list_officers(ctx: AppContext) -> list[OfficerSummary]:
    require_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)
    with ctx.store.transaction() as session:
        return [
            OfficerSummary(
                o.id, o.username, o.display_name, o.role, o.organisation, o.active, o.created_at
            )
            for o in session.scalars(select(Officer).order_by(Officer.username))
        ]
