"""An administrator's password reset with the recovery code waits 72 hours for the administrator.

The recovery code resets a field officer's or a supervisor's password at once. For an
administrator it only *requests* the reset: the new password's entry is kept aside in the keyring
and takes effect at the first sign-in with it after 72 hours. Until then every sign-in screen
shows the waiting reset, and the administrator cancels it by signing in with the current
password (the administrator's own confirmation path: someone who saw the code at the office
cannot take the administrator's account over between two of the administrator's sign-ins).

What this guards is the administrator's *account in the app* (accounts, enrolment, office
policy). The recovery code itself opens the database key (it is the office's key of last resort,
kept locked away), so someone holding it and editing files by hand is not held back by the wait.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.keyring import Keyring, KeyringError, WrongPassword

WAIT_SECONDS = 72 * 3600


class ResetAlreadyWaiting(KeyringError):
    pass


class ResetNotYet(KeyringError):
    def __init__(self, effective_at: float) -> None:
        super().__init__("The reset has not taken effect yet")
        self.effective_at = effective_at


class ResetOvertaken(KeyringError):
    """The database key changed while the reset waited (a key rotation): ask again."""


@dataclass(frozen=True)
class WaitingReset:
    username: str
    requested_at: float
    effective_at: float


def waiting_reset(keyring: Keyring) -> WaitingReset | None:
    data = keyring.waiting_reset()
    if data is None:
        return None
    try:
        return WaitingReset(
            str(data["username"]), float(data["requested_at"]), float(data["effective_at"])
        )
    except (KeyError, TypeError, ValueError):
        return None


def request_reset(
    keyring: Keyring, username: str, new_password: str, db_key: bytes, now: float
) -> WaitingReset:
    """Keep the entry for ``new_password`` aside until ``now`` + 72 hours."""
    if waiting_reset(keyring) is not None:
        raise ResetAlreadyWaiting("A reset is already waiting")
    waiting = WaitingReset(username, now, now + WAIT_SECONDS)
    keyring.set_waiting_reset(
        {
            "username": username,
            "requested_at": waiting.requested_at,
            "effective_at": waiting.effective_at,
            "entry": keyring.new_entry(username, new_password, db_key),
        }
    )
    return waiting


def cancel_reset(keyring: Keyring) -> None:
    keyring.set_waiting_reset(None)


def complete_reset(keyring: Keyring, username: str, password: str, now: float) -> bytes:
    """Sign-in with the new password: the database key once the wait is over (the new entry is
    then installed); WrongPassword if it is not the waiting password, ResetNotYet before the
    time, ResetOvertaken when the key changed meanwhile."""
    data = keyring.waiting_reset()
    waiting = waiting_reset(keyring)
    if data is None or waiting is None or waiting.username != username:
        raise WrongPassword("Wrong user name or password")
    entry = data.get("entry")
    if not isinstance(entry, dict):
        raise KeyringError("The waiting reset is damaged")
    key = keyring.open_entry(username, password, entry)
    if now < waiting.effective_at:
        raise ResetNotYet(waiting.effective_at)
    if not keyring.check_key(key):
        cancel_reset(keyring)
        raise ResetOvertaken("The database key changed while the reset waited")
    keyring.install_entry(username, entry)
    return key
