"""The database key and the officers who may unwrap it (``home/keyring.json``).

The device database is SQLCipher-encrypted with a random 32-byte key. That key is never stored in
the clear: the keyring holds one copy per officer, wrapped (AES-GCM, the user name as associated
data) with a key derived from the officer's password by Argon2id, plus one copy wrapped with a
random *recovery code* shown once at set-up (to be written down and kept at the office).

Wrong passwords are counted per officer; after three in a row the next try waits a few seconds
(5 s, then 10 s, 20 s, 40 s, never more than 60 s), and the wait is kept in the file so restarting
the app does not lift it. The waits stay short on purpose: a colleague typing wrong passwords can
hold an officer off their own laptop for a minute at most, while a guesser still gets only about
one try a minute (and each try costs an Argon2id derivation). A try made during the wait is turned
away without being checked or counted, so it neither lengthens the wait nor tells anything.
Failed attempts (and other events that happen while the database is closed, such as a restore)
are noted in the file so the next successful sign-in can write them to the audit log.

The file is rewritten atomically (temporary file, fsync, ``os.replace``), so a power cut leaves
either the old or the new keyring, never half of one.

Password stretching (Argon2id) and its test-speed knob: :mod:`app.store.key_derivation`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import math
import secrets
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from app.store.key_derivation import FAST_KDF_ENV as FAST_KDF_ENV
from app.store.key_derivation import KEY_BYTES, KdfParams, derive_key, write_atomically
from app.store.officer_keys import (
    DamagedEntry,
    SealError,
    is_sealed_entry,
    new_entry_keys,
    public_of,
    seal,
    unseal,
)
from app.store.recovery_code import RECOVERY_AD as _RECOVERY_AD
from app.store.recovery_code import RECOVERY_ALPHABET as RECOVERY_ALPHABET
from app.store.recovery_code import RECOVERY_NAME as _RECOVERY_NAME
from app.store.recovery_code import (
    MalformedRecoveryCode,
    new_recovery_code,
    recovery_symbols,
    recovery_wrapping_key,
)

KEYRING_FILE_NAME = "keyring.json"

# What unwrapping an officer's entry imports as it goes (each where it is used, so the sign-in
# window is painted without them): AES-GCM and its error, Argon2id, then X25519 and HKDF to open
# the sealed key. Signing in from the environment imports them on the UI thread before the
# unlocking thread starts (load_unwrap_modules): imported on that thread while the UI thread
# imported Qt, the thread waited for the interpreter at each of their ~60 modules and reached
# the key derivation 130-150 ms after it started (16 ms to import them on an idle thread).
UNWRAP_MODULES = (
    "cryptography.exceptions",
    "cryptography.hazmat.primitives.ciphers.aead",
    "argon2.low_level",
    "cryptography.hazmat.primitives.asymmetric.x25519",
    "cryptography.hazmat.backends.openssl.backend",  # (X25519's own import, at its first key)
    "cryptography.hazmat.primitives.serialization",
    "cryptography.hazmat.primitives.hashes",
    "cryptography.hazmat.primitives.kdf.hkdf",
)


def load_unwrap_modules() -> None:
    """Import what :meth:`Keyring.unwrap` imports on its way (UNWRAP_MODULES), on this thread."""
    for name in UNWRAP_MODULES:
        importlib.import_module(name)


FORMAT_VERSION = 1

FREE_ATTEMPTS = 3
FIRST_DELAY_SECONDS = 5
MAX_DELAY_SECONDS = 60
MAX_PENDING_EVENTS = 200
_FOLDED_EVENTS = frozenset({"login_failed", "recovery_failed"})

_CHECK_LABEL = b"vss-outreach keyring check"


class KeyringError(Exception):
    """The keyring is missing, damaged, or refused an operation (messages are for developers;
    the service layer shows translated ones)."""


class KeyringMissing(KeyringError):
    pass


class WrongPassword(KeyringError):
    """Unknown user name or wrong password (deliberately not told apart)."""


class WrongRecoveryCode(KeyringError):
    pass


class TooManyAttempts(KeyringError):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"Too many wrong passwords; try again in {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def normalize_recovery_code(typed: str) -> str:
    """Upper case, spaces and dashes removed; raises WrongRecoveryCode for a foreign symbol."""
    try:
        return recovery_symbols(typed)
    except MalformedRecoveryCode as error:
        raise WrongRecoveryCode(str(error)) from error


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise KeyringError("Keyring field is not text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def key_check(db_key: bytes) -> str:
    """What the keyring keeps to tell whether a key is the one it guards."""
    return hmac.new(db_key, _CHECK_LABEL, hashlib.sha256).hexdigest()


def keyring_path(home: Path) -> Path:
    return home / KEYRING_FILE_NAME


class Keyring:
    """The loaded ``keyring.json``; every change is written back at once."""

    def __init__(
        self, path: Path, data: dict[str, Any], clock: Callable[[], float] = time.time
    ) -> None:
        self.path = path
        self._data = data
        self._clock = clock

    # --- opening and creating -------------------------------------------------------------------

    @staticmethod
    def exists(home: Path) -> bool:
        return keyring_path(home).is_file()

    @classmethod
    def load(cls, home: Path, clock: Callable[[], float] = time.time) -> Keyring:
        path = keyring_path(home)
        try:
            raw = path.read_bytes()
        except FileNotFoundError as error:
            raise KeyringMissing(f"No keyring at {path}") from error
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise KeyringError(f"The keyring {path} is damaged: {error}") from error
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT_VERSION
            or not isinstance(data.get("officers"), dict)
        ):
            raise KeyringError(f"The keyring {path} is damaged or of an unknown format")
        return cls(path, data, clock)

    @classmethod
    def create(
        cls, home: Path, username: str, password: str, db_key: bytes | None = None
    ) -> tuple[bytes, str]:
        """A new keyring for a new store: returns ``(db_key, recovery_code)``.

        ``db_key`` is made here unless given (the set-up code may create the database first and
        write the keyring last, so that the keyring marks a finished set-up).
        """
        if cls.exists(home):
            raise KeyringError(f"A keyring already exists in {home}")
        home.mkdir(parents=True, exist_ok=True)
        key = db_key if db_key is not None else new_database_key()
        if len(key) != KEY_BYTES:
            raise KeyringError("The database key must be 32 bytes")
        data: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "key_check": key_check(key),
            "officers": {},
            "recovery": None,
            "pending_events": [],
        }
        keyring = cls(keyring_path(home), data)
        code = keyring._set_recovery(key)
        keyring._data["officers"][username] = keyring._wrap_for(username, password, key)
        keyring._save()
        return key, code

    # --- reading ----------------------------------------------------------------------------------

    def usernames(self) -> list[str]:
        return sorted(self._data["officers"])

    def has(self, username: str) -> bool:
        return username in self._data["officers"]

    def params_of(self, username: str) -> KdfParams:
        return KdfParams.from_json(self._entry(username)["params"])

    def check_key(self, db_key: bytes) -> bool:
        """Whether ``db_key`` is the key this keyring guards."""
        return hmac.compare_digest(key_check(db_key), str(self._data.get("key_check", "")))

    # --- unwrapping -----------------------------------------------------------------------------

    def unwrap(self, username: str, password: str) -> bytes:
        """The database key; WrongPassword or TooManyAttempts(retry_after_seconds) otherwise."""
        entry = self._data["officers"].get(username)
        if entry is None:
            # Spend the same time as a real try, so timing does not tell which names exist.
            derive_key(password, secrets.token_bytes(16), KdfParams.default())
            self._note_event("login_failed", {"username": None})
            self._save()
            raise WrongPassword("Wrong user name or password")
        self._check_not_locked(username, entry)
        try:
            key = self._unwrap_entry(username, password, entry)
        except WrongPassword:
            self._count_failure(username, entry)
            raise
        if not is_sealed_entry(entry) and self.check_key(key):
            # A format-1 entry: rewrite it now that the password is at hand, so that a key
            # rotation can reach this officer without their password.
            self._data["officers"][username] = self._wrap_for(username, password, key)
            self._save()
        elif entry.get("failed_attempts") or entry.get("locked_until"):
            entry["failed_attempts"] = 0
            entry["locked_until"] = None
            self._save()
        return key

    def unwrap_recovery(self, code: str) -> bytes:
        recovery = self._data.get("recovery")
        if not isinstance(recovery, dict):
            raise WrongRecoveryCode("This keyring has no recovery entry")
        from cryptography.exceptions import InvalidTag  # with the first key used (officer_keys)
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        symbols = normalize_recovery_code(code)
        wrapping = recovery_wrapping_key(symbols, _unb64(recovery["salt"]))
        try:
            if is_sealed_entry(recovery):
                key = unseal(recovery, wrapping, _RECOVERY_NAME)
            else:
                key = AESGCM(wrapping).decrypt(
                    _unb64(recovery["nonce"]), _unb64(recovery["wrapped_key"]), _RECOVERY_AD
                )
        except DamagedEntry as error:
            raise KeyringError("The recovery entry is damaged") from error
        except (InvalidTag, SealError) as error:
            self._note_event("recovery_failed", {})
            self._save()
            raise WrongRecoveryCode("The recovery code is not right") from error
        return key

    # --- changing ---------------------------------------------------------------------------------

    def add_officer(self, username: str, password: str, db_key: bytes) -> None:
        if self.has(username):
            raise KeyringError(f"{username!r} already has a key")
        self._require_key(db_key)
        self._data["officers"][username] = self._wrap_for(username, password, db_key)
        self._save()

    def change_password(self, username: str, old: str, new: str) -> None:
        key = self.unwrap(username, old)
        self._data["officers"][username] = self._wrap_for(username, new, key)
        self._save()

    def reset_password_with_key(self, username: str, new: str, db_key: bytes) -> None:
        """Wrap the key under a new password (for an existing or a new entry); clears any wait."""
        self._require_key(db_key)
        self._data["officers"][username] = self._wrap_for(username, new, db_key)
        self._save()

    def remove(self, username: str) -> None:
        if not self.has(username):
            raise KeyringError(f"{username!r} has no key")
        del self._data["officers"][username]
        self._save()

    def replace_recovery_code(self, db_key: bytes) -> str:
        """A new recovery code (the old one stops working); shown once, like the first."""
        self._require_key(db_key)
        code = self._set_recovery(db_key)
        self._save()
        return code

    # --- an administrator's password reset waiting for its time (app.store.admin_reset) -------

    def waiting_reset(self) -> dict[str, Any] | None:
        waiting = self._data.get("waiting_reset")
        return dict(waiting) if isinstance(waiting, dict) else None

    def set_waiting_reset(self, waiting: Mapping[str, Any] | None) -> None:
        self._data["waiting_reset"] = None if waiting is None else dict(waiting)
        self._save()

    def new_entry(self, username: str, password: str, db_key: bytes) -> dict[str, Any]:
        """An entry for ``password``, not installed (see :meth:`install_entry`)."""
        self._require_key(db_key)
        return self._wrap_for(username, password, db_key)

    def open_entry(self, username: str, password: str, entry: Mapping[str, Any]) -> bytes:
        return self._unwrap_entry(username, password, entry)

    def install_entry(self, username: str, entry: Mapping[str, Any]) -> None:
        """Make ``entry`` the officer's entry and drop any waiting reset, in one write."""
        self._data["officers"][username] = dict(entry)
        self._data["waiting_reset"] = None
        self._save()

    # --- events noted while the database is closed --------------------------------------------------

    def note_event(self, action: str, details: Mapping[str, Any]) -> None:
        self._note_event(action, details)
        self._save()

    def pending_events(self) -> list[dict[str, Any]]:
        return [dict(event) for event in self._data.get("pending_events", [])]

    def clear_pending_events(self, count: int | None = None) -> None:
        """Forget the first ``count`` (default: all) events, once they are in the audit log."""
        events = self._data.get("pending_events", [])
        self._data["pending_events"] = [] if count is None else events[count:]
        self._save()

    # --- internals -------------------------------------------------------------------------------

    def _entry(self, username: str) -> dict[str, Any]:
        entry = self._data["officers"].get(username)
        if entry is None:
            raise KeyringError(f"{username!r} has no key")
        return dict(entry)

    def _require_key(self, db_key: bytes) -> None:
        if len(db_key) != KEY_BYTES or not self.check_key(db_key):
            raise KeyringError("That is not the key of this keyring")

    def _wrap_for(self, username: str, password: str, db_key: bytes) -> dict[str, Any]:
        params = KdfParams.default()
        salt = secrets.token_bytes(16)
        return {
            "salt": _b64(salt),
            "params": params.to_json(),
            **new_entry_keys(derive_key(password, salt, params), username, db_key),
            "failed_attempts": 0,
            "locked_until": None,
        }

    def _unwrap_entry(self, username: str, password: str, entry: Mapping[str, Any]) -> bytes:
        from cryptography.exceptions import InvalidTag  # with the first key used (officer_keys)
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        damaged = KeyringError(f"The keyring entry of {username!r} is damaged")
        if is_sealed_entry(entry):
            try:
                params = KdfParams.from_json(entry["params"])
                wrapping = derive_key(password, _unb64(entry["salt"]), params)
                return unseal(entry, wrapping, username)
            except (KeyError, TypeError, ValueError, DamagedEntry) as error:
                raise damaged from error
            except SealError as error:
                raise WrongPassword("Wrong user name or password") from error
        try:
            params = KdfParams.from_json(entry["params"])
            salt, nonce = _unb64(entry["salt"]), _unb64(entry["nonce"])
            wrapped = _unb64(entry["wrapped_key"])
        except (KeyError, TypeError, ValueError) as error:
            raise damaged from error
        try:
            return AESGCM(derive_key(password, salt, params)).decrypt(
                nonce, wrapped, username.encode("utf-8")
            )
        except InvalidTag as error:
            raise WrongPassword("Wrong user name or password") from error

    def _set_recovery(self, db_key: bytes) -> str:
        code = new_recovery_code()
        salt = secrets.token_bytes(16)
        wrapping = recovery_wrapping_key(normalize_recovery_code(code), salt)
        self._data["recovery"] = {
            "kdf": "hkdf-sha256",
            "salt": _b64(salt),
            **new_entry_keys(wrapping, _RECOVERY_NAME, db_key),
        }
        return code

    # --- rotating the database key ------------------------------------------------------------

    def begin_rotation(self, old_key: bytes, new_key: bytes) -> list[str]:
        """Seal ``new_key`` to every officer (and the recovery entry) in a pending section, kept
        beside the current one until :meth:`finish_rotation`. Returns the officers whose entries
        are still of format 1 (they cannot be reached without their password and need a new one)."""
        self._require_key(old_key)
        officers: dict[str, Any] = {}
        unreachable: list[str] = []
        for username, entry in self._data["officers"].items():
            if not is_sealed_entry(entry):
                unreachable.append(username)
                continue
            officers[username] = {**entry, "sealed": seal(new_key, public_of(entry), username)}
        recovery = self._data.get("recovery")
        if isinstance(recovery, dict) and is_sealed_entry(recovery):
            recovery = {**recovery, "sealed": seal(new_key, public_of(recovery), _RECOVERY_NAME)}
        else:
            recovery = None  # a format-1 recovery entry cannot follow: a new code is needed
        self._data["rotation"] = {
            "key_check": key_check(new_key),
            "officers": officers,
            "recovery": recovery,
        }
        self._save()
        return sorted(unreachable)

    def rotation_pending(self) -> bool:
        return isinstance(self._data.get("rotation"), dict)

    def unwrap_rotation(self, username: str, password: str) -> bytes:
        """The pending new key, for a sign-in after a rotation was cut off midway."""
        entry = self._data["rotation"]["officers"].get(username)
        if entry is None:
            raise WrongPassword("Wrong user name or password")
        return self._unwrap_entry(username, password, entry)

    def finish_rotation(self) -> bool:
        """Make the pending section the current one; True when the recovery code followed."""
        rotation = self._data.pop("rotation")
        self._data["officers"] = rotation["officers"]
        self._data["key_check"] = rotation["key_check"]
        self._data["recovery"] = rotation["recovery"]
        self._save()
        return rotation["recovery"] is not None

    def abandon_rotation(self) -> None:
        if self._data.pop("rotation", None) is not None:
            self._save()

    def _check_not_locked(self, username: str, entry: dict[str, Any]) -> None:
        locked_until = entry.get("locked_until")
        if locked_until is None:
            return
        remaining = float(locked_until) - self._clock()
        if remaining > 0:
            self._note_event("login_failed", {"username": username, "locked": True})
            self._save()
            # A clock set backwards must not stretch the wait beyond the longest one.
            raise TooManyAttempts(math.ceil(min(remaining, MAX_DELAY_SECONDS)))

    def _count_failure(self, username: str, entry: dict[str, Any]) -> None:
        failures = int(entry.get("failed_attempts") or 0) + 1
        entry["failed_attempts"] = failures
        if failures >= FREE_ATTEMPTS:
            delay = delay_after(failures)
            entry["locked_until"] = self._clock() + delay
        self._note_event("login_failed", {"username": username})
        self._save()

    def _note_event(self, action: str, details: Mapping[str, Any]) -> None:
        """Note an event for the audit log. Repeated failures are folded into one event with a
        count, and when the list is full failures go first: a script guessing passwords cannot
        push a restore or a key rotation out before it reaches the audit log."""
        events = self._data.setdefault("pending_events", [])
        event = {"action": action, "at": self._clock(), **details}
        last = events[-1] if events else None
        if (
            action in _FOLDED_EVENTS
            and isinstance(last, dict)
            and last.get("action") == action
            and {k: v for k, v in last.items() if k not in ("at", "count", "last_at")}
            == {k: v for k, v in event.items() if k != "at"}
        ):
            last["count"] = int(last.get("count", 1)) + 1
            last["last_at"] = event["at"]
            return
        events.append(event)
        while len(events) > MAX_PENDING_EVENTS:
            index = next(
                (i for i, old in enumerate(events) if old.get("action") in _FOLDED_EVENTS), 0
            )
            del events[index]

    def copy_of_data(self) -> dict[str, Any]:
        """A deep copy of the file's content (for a backup's keyring, see ``backup_keys``)."""
        copied: dict[str, Any] = json.loads(keyring_bytes(self._data))
        return copied

    def _save(self) -> None:
        write_atomically(self.path, keyring_bytes(self._data))


def keyring_bytes(data: Mapping[str, Any]) -> bytes:
    """The file content for keyring ``data`` (also used to write a restored keyring)."""
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=True).encode("ascii")


def delay_after(failures: int) -> int:
    """Seconds to wait before the next try after ``failures`` wrong passwords in a row (0 for the
    first two; 5 s doubling from the third, at most a minute)."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(FIRST_DELAY_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_SECONDS)
