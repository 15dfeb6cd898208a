"""Signing in, first half: the officer's password unlocks the database key (the keyring only).

Opening the store with that key is the second half (:func:`app.services.accounts.finish_sign_in`).
They are apart so the key derivation (Argon2id, meant to take about half a second; it lets other
threads run) can go while SQLAlchemy, the models and the services are imported on another thread:
this module imports neither (tests/ui/test_first_paint.py keeps it that way). The refusals are the
account errors of every sign-in screen; their messages are translated and safe to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import UserFacingError
from app.i18n import _, format_number
from app.services.before_sign_in import reset_date_text
from app.store.admin_reset import (
    ResetNotYet,
    ResetOvertaken,
    cancel_reset,
    complete_reset,
    waiting_reset,
)
from app.store.keyring import (
    Keyring,
    KeyringError,
    KeyringMissing,
    TooManyAttempts,
    WrongPassword,
)
from app.store.keyring import load_unwrap_modules as load_unwrap_modules


class AccountError(UserFacingError):
    """An account action was refused; the message is translated and safe to show."""


class SignInFailed(AccountError):
    pass


class RecoveryDelayed(SignInFailed):
    """An administrator's reset with the recovery code was requested; it waits 72 hours."""


class SignInLocked(SignInFailed):
    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


def normalize_username(username: str) -> str:
    return username.strip().casefold()


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


def wrong_credentials() -> SignInFailed:
    return SignInFailed(_("Wrong user name or password."))


def damaged_keyring() -> AccountError:
    return AccountError(
        _("The key file of this computer is damaged. Restore a backup or ask the office.")
    )


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


def load_keyring(home: Path) -> Keyring:
    try:
        return Keyring.load(home)
    except KeyringMissing as error:
        raise AccountError(_("This computer is not set up yet.")) from error
    except KeyringError as error:
        raise damaged_keyring() from error


@dataclass
class UnlockedKey:
    """The database key ``username``'s password unlocked, and what it changed on the way."""

    keyring: Keyring
    username: str  # normalised
    db_key: bytes = field(repr=False)
    # A waiting administrator's reset this sign-in cancelled or completed (audited once the
    # store is open): "admin_reset_cancelled" or "admin_reset_completed"; None otherwise.
    change: str | None = None


def _settle_waiting_reset(keyring: Keyring, name: str, password: str) -> tuple[bytes, str]:
    """Sign-in with a password that is not the current one: the new password of a waiting
    reset whose time has come (returns the key and the audited change), else refused."""
    try:
        return complete_reset(keyring, name, password, time.time()), "admin_reset_completed"
    except WrongPassword as error:
        raise wrong_credentials() from error
    except ResetNotYet as error:
        raise SignInFailed(
            _("This new password takes effect on {date}.").format(
                date=reset_date_text(error.effective_at)
            )
        ) from error
    except ResetOvertaken as error:
        raise SignInFailed(
            _("The data was given a new key while the reset waited. Use the recovery code again.")
        ) from error
    except KeyringError as error:
        raise damaged_keyring() from error


def unlock_database_key(home: Path, username: str, password: str) -> UnlockedKey:
    """Check ``username``'s password against the keyring and return the database key it unlocks.

    While an administrator's reset waits: the administrator's current password cancels it, the
    new one completes it once the 72 hours are over (``change`` says which); wrong passwords
    count toward the wait (SignInLocked) as every sign-in's do."""
    keyring = load_keyring(home)
    name = normalize_username(username)
    waiting = waiting_reset(keyring)
    change = None
    try:
        with password_checked(wrong_credentials):
            db_key = keyring.unwrap(name, password)
        if waiting is not None and waiting.username == name:
            cancel_reset(keyring)
            change = "admin_reset_cancelled"
    except SignInLocked:
        raise
    except SignInFailed:
        if waiting is None or waiting.username != name:
            raise
        db_key, change = _settle_waiting_reset(keyring, name, password)
    return UnlockedKey(keyring, name, db_key, change)
