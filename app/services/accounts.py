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

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import UserFacingError
from app.core.passwords import MAX_LENGTH, MIN_LENGTH, Weakness, weakness
from app.i18n import _, format_number
from app.services import before_sign_in
from app.services.audit import AuditAction, record_audit
from app.services.before_sign_in import setup_incomplete
from app.services.context import AppContext, SignedInOfficer, open_app
from app.services.epoch import start_new_epoch
from app.services.key_rotation import settle_rotation
from app.services.security import Role, signed_in
from app.services.settings import AppSettings, SettingsError, store_initial_settings
from app.store.db import StoreError
from app.store.keyring import (
    Keyring,
    KeyringError,
    KeyringMissing,
    TooManyAttempts,
    WrongPassword,
    WrongRecoveryCode,
    keyring_path,
    new_database_key,
)
from app.store.location import database_path
from app.store.models import Officer
from app.store.restore_journal import (
    SETUP_MARKER_NAME,
    early_events,
    forget_early_events,
    set_aside,
)

# The account API in one place: these live where the sign-in window can import them cheaply.
is_first_run = before_sign_in.is_first_run
known_usernames = before_sign_in.known_usernames
password_rules = before_sign_in.password_rules

MIN_PASSWORD_LENGTH = MIN_LENGTH
MAX_PASSWORD_LENGTH = MAX_LENGTH
STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")
_SETUP_MARK = b"set-up in progress"


class AccountError(UserFacingError):
    """An account action was refused; the message is translated and safe to show."""


class SignInFailed(AccountError):
    pass


class SignInLocked(SignInFailed):
    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class PasswordPolicyError(AccountError):
    pass


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- checks -------------------------------------------------------------------------------------


def normalize_username(username: str) -> str:
    return username.strip().casefold()


def check_username(username: str) -> str:
    name = normalize_username(username)
    if not 2 <= len(name) <= 50 or any(ch.isspace() for ch in name):
        raise AccountError(_("A user name needs 2 to 50 characters, without spaces."))
    return name


def check_password(password: str, names: tuple[str, ...] = ()) -> None:
    """Refuse a too short, too long, common or trivial password (``names``: the officer's user
    name and full name)."""
    problem = weakness(password, names)
    if problem is None:
        return
    messages = {
        Weakness.TOO_SHORT: _("The password must have at least {count} characters.").format(
            count=format_number(MIN_PASSWORD_LENGTH)
        ),
        Weakness.TOO_LONG: _("The password is too long."),
        Weakness.COMMON: _("This password is one of the most common ones. Choose another."),
        Weakness.PATTERN: _(
            "This password is too easy to guess (the same or consecutive keys). Choose another."
        ),
        Weakness.NAME: _("The password must not be made of the officer's name."),
    }
    raise PasswordPolicyError(messages[problem])


def check_display_name(display_name: str) -> str:
    name = display_name.strip()
    if not name or len(name) > 200:
        raise AccountError(_("Please type the officer's name (200 characters at most)."))
    return name


def check_role(role: str) -> Role:
    if role not in Role._value2member_map_:
        raise AccountError(_("Unknown role."))
    return Role(role)


def wait_text(seconds: int) -> str:
    """A wait as the officer reads it: "45 seconds", "4 minutes 30 seconds" (not rounded up to
    whole minutes, which made a 5-second wait read "1 minute")."""
    seconds = max(1, int(seconds))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return _("{seconds} seconds").format(seconds=format_number(rest))
    if not rest:
        return _("{minutes} minutes").format(minutes=format_number(minutes))
    return _("{minutes} minutes {seconds} seconds").format(
        minutes=format_number(minutes), seconds=format_number(rest)
    )


def wait_message(seconds: int) -> str:
    return _("Too many wrong passwords. Please wait {wait} and try again.").format(
        wait=wait_text(seconds)
    )


def _wrong_credentials() -> SignInFailed:
    return SignInFailed(_("Wrong user name or password."))


@contextmanager
def password_checked(wrong: Callable[[], AccountError]) -> Iterator[None]:
    """Keyring failures while a password is checked, as the officer's messages: a wrong
    password as ``wrong()``, too many tries as the real wait, anything else as a damaged file."""
    try:
        yield
    except WrongPassword as error:
        raise wrong() from error
    except TooManyAttempts as error:
        raise SignInLocked(
            wait_message(error.retry_after_seconds), error.retry_after_seconds
        ) from error
    except KeyringError as error:
        raise damaged_keyring() from error


def damaged_keyring() -> AccountError:
    return AccountError(
        _("The key file of this computer is damaged. Restore a backup or ask the office.")
    )


# --- first run ----------------------------------------------------------------------------------


def _store_files(home: Path) -> list[Path]:
    db = database_path(home)
    return [db.with_name(db.name + suffix) for suffix in STORE_SUFFIXES]


def begin_setup(home: Path) -> None:
    """Mark ``home`` as being set up (or restored); leftovers of an earlier try are removed.

    Refuses when a finished store is there, or a database file whose keyring is missing (that file
    might hold records: it is never deleted here).
    """
    if Keyring.exists(home) and not setup_incomplete(home):
        raise AccountError(_("This computer is already set up."))
    if setup_incomplete(home):
        discard_incomplete_setup(home)
    elif any(path.exists() for path in _store_files(home)):
        raise AccountError(
            _(
                "There is a data file here without its key file. "
                "Restore a backup, or ask the office for help."
            )
        )
    home.mkdir(parents=True, exist_ok=True)
    (home / SETUP_MARKER_NAME).write_bytes(_SETUP_MARK)


def finish_setup(home: Path) -> None:
    (home / SETUP_MARKER_NAME).unlink(missing_ok=True)


def discard_incomplete_setup(home: Path) -> None:
    """Remove what an interrupted set-up left behind (it never holds records: the set-up writes
    only the first administrator and the settings). A marker left by anything else (a restore of
    an older version) may sit beside records: those files are moved aside, never deleted."""
    marker = home / SETUP_MARKER_NAME
    ours = marker.is_file() and marker.read_bytes() == _SETUP_MARK
    leftovers = [path for path in [*_store_files(home), keyring_path(home)] if path.exists()]
    if ours:
        for path in leftovers:
            path.unlink(missing_ok=True)
    elif leftovers:
        set_aside(home, leftovers)
    finish_setup(home)


def add_officer_row(
    session: Session, officer_id: str, username: str, display_name: str, role: Role
) -> None:
    session.add(
        Officer(
            id=officer_id,
            username=username,
            display_name=display_name,
            role=str(role),
            organisation=None,
            active=True,
            created_at=_now(),
        )
    )
    session.flush()


def first_run_setup(
    home: Path,
    admin_username: str,
    admin_display_name: str,
    password: str,
    device_name: str,
    language: str,
) -> tuple[AppContext, str]:
    """Create the encrypted store and its first administrator; returns the signed-in context and
    the recovery code (show it once; it is not stored anywhere readable)."""
    username = check_username(admin_username)
    display_name = check_display_name(admin_display_name)
    check_password(password, (username, display_name))
    try:
        settings = AppSettings(language=language, device_name=device_name.strip()).validated()
    except SettingsError as error:
        raise AccountError(str(error)) from error

    begin_setup(home)
    db_key = new_database_key()
    ctx: AppContext | None = None
    try:
        ctx = open_app(home, db_key)
        officer_id = str(uuid.uuid4())
        with ctx.store.transaction() as session:
            add_officer_row(session, officer_id, username, display_name, Role.ADMINISTRATOR)
            record_audit(
                session,
                ctx,
                AuditAction.ACCOUNT_CHANGE,
                details={"change": "first_run_setup", "username": username},
                officer_id=officer_id,
            )
        store_initial_settings(ctx, settings)
        # The keyring is written last: its presence marks a finished set-up.
        _key, recovery_code = Keyring.create(home, username, password, db_key=db_key)
        keyring = Keyring.load(home)
        for event in early_events(home):  # refused restores before this set-up
            keyring.note_event(str(event.pop("action")), event)
        forget_early_events(home)
        finish_setup(home)
    except BaseException:
        if ctx is not None:
            ctx.close()
        discard_incomplete_setup(home)
        raise
    ctx.officer = SignedInOfficer(officer_id, username, display_name, str(Role.ADMINISTRATOR))
    ctx.db_key = db_key
    return ctx, recovery_code


# --- signing in ---------------------------------------------------------------------------------


def load_keyring(home: Path) -> Keyring:
    try:
        return Keyring.load(home)
    except KeyringMissing as error:
        raise AccountError(_("This computer is not set up yet.")) from error
    except KeyringError as error:
        raise damaged_keyring() from error


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
    """Open the store and sign ``username`` in; with ``new_password`` (recovery) re-wrap first."""
    ctx = _open_store(home, db_key)
    try:
        with ctx.store.transaction() as session:
            officer = _active_officer(session, username)
            if officer is None:
                if new_password is not None:
                    raise SignInFailed(_("There is no active officer with this user name."))
                raise _wrong_credentials()
            if new_password is not None:
                record_audit(
                    session,
                    ctx,
                    AuditAction.ACCOUNT_CHANGE,
                    record_id=officer.id,
                    details={"change": "password_reset_with_recovery_code", "username": username},
                    officer_id=officer.id,
                )
                session.flush()
                keyring.reset_password_with_key(username, new_password, db_key)
            noted = _audit_pending_events(session, keyring, ctx.device_id)
            record_audit(session, ctx, AuditAction.LOGIN, details=details, officer_id=officer.id)
            ctx.officer = SignedInOfficer(
                officer.id, officer.username, officer.display_name, officer.role
            )
        if noted:
            keyring.clear_pending_events(noted)
    except KeyringError as error:
        ctx.close()
        raise damaged_keyring() from error
    except BaseException:
        ctx.close()
        raise
    ctx.db_key = db_key
    return ctx


def sign_in(home: Path, username: str, password: str) -> AppContext:
    """Unlock the store with ``username``'s password and open it, signed in as that officer."""
    keyring = load_keyring(home)
    name = normalize_username(username)
    with password_checked(_wrong_credentials):
        db_key = keyring.unwrap(name, password)
    try:
        db_key = settle_rotation(home, keyring, name, password, db_key)
    except KeyringError as error:
        raise damaged_keyring() from error
    return _signed_in_context(home, keyring, name, db_key, {"username": name})


def sign_in_with_recovery(home: Path, code: str, username: str, new_password: str) -> AppContext:
    """Use the recovery code to give ``username`` a new password, and sign them in. The code is
    then replaced: the new one is in ``ctx.new_recovery_code`` (show it once)."""
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
