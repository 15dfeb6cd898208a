"""Who can open a backup, and the key that authenticates its manifest.

A backup's database is encrypted with a *backup key* made for that backup alone (never the key of
the store, which every officer's password opens). The backup key is sealed (X25519, see
:mod:`app.store.officer_keys`) to

* each officer whose role may restore (administrators unless the office allows supervisors too),
* the recovery code kept at the office,
* the office's encryption key, when the laptop is enrolled (the office restores with its
  private key, e.g. for a laptop whose administrator left).

The backup carries a copy of the keyring in which every other officer's entry has lost its sealed
key: a field officer's password (old or current) opens their own private key and nothing else.
The restore re-seals a fresh store key to every officer in the copy, so after a restore everyone
signs in with the password they had when the backup was made.

The manifest is authenticated with HMAC-SHA256 under a key derived from the backup key: someone
who cannot open the backup cannot edit it and recompute the hashes unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Collection, Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.store.keyring import (
    FORMAT_VERSION,
    KdfParams,
    KeyringError,
    WrongPassword,
    WrongRecoveryCode,
    derive_key,
    key_check,
    normalize_recovery_code,
)
from app.store.officer_keys import (
    DamagedEntry,
    SealError,
    is_sealed_entry,
    open_sealed,
    public_of,
    seal,
    unwrap_private,
)
from app.store.recovery_code import RECOVERY_NAME, recovery_wrapping_key

OFFICE_NAME = "vss-outreach office"  # associated data of the copy sealed to the office key
_MANIFEST_MAC_INFO = b"vss-outreach backup manifest"
MAC_FIELD = "mac"


class NotARestorer(KeyringError):
    """The password is right, but this officer's role may not restore backups."""


def _b64decode(text: Any) -> bytes:
    if not isinstance(text, str):
        raise KeyringError("not text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def backup_keyring(
    data: Mapping[str, Any],
    restorers: Collection[str],
    backup_key: bytes,
    office_public: bytes | None,
) -> dict[str, Any]:
    """The keyring copy that goes into a backup: ``backup_key`` sealed only to ``restorers``,
    the recovery entry and the office; other officers keep their entries without a sealed key."""
    officers: dict[str, Any] = {}
    for username, entry in dict(data.get("officers") or {}).items():
        if not is_sealed_entry(entry):
            continue  # an old-format entry cannot be re-sealed after the restore
        copy = {k: v for k, v in entry.items() if k != "sealed"}
        copy.update(failed_attempts=0, locked_until=None)
        if username in restorers:
            copy["sealed"] = seal(backup_key, public_of(entry), username)
        officers[username] = copy
    recovery = data.get("recovery")
    recovery_copy = None
    if isinstance(recovery, dict) and is_sealed_entry(recovery):
        recovery_copy = {**recovery, "sealed": seal(backup_key, public_of(recovery), RECOVERY_NAME)}
    return {
        "format": FORMAT_VERSION,
        "key_check": key_check(backup_key),
        "officers": officers,
        "recovery": recovery_copy,
        "pending_events": [],
        "office": None if office_public is None else seal(backup_key, office_public, OFFICE_NAME),
    }


def _checked(copy: Mapping[str, Any], key: bytes) -> bytes:
    if not hmac.compare_digest(key_check(key), str(copy.get("key_check", ""))):
        raise KeyringError("the opened key is not this backup's key")
    return key


def open_with_password(copy: Mapping[str, Any], username: str, password: str) -> bytes:
    """The backup key for an officer whose role may restore; WrongPassword for a wrong name or
    password, NotARestorer when the password is right but the officer may not restore."""
    entry = dict(copy.get("officers") or {}).get(username)
    if not isinstance(entry, dict):
        derive_key(password, secrets.token_bytes(16), KdfParams.default())  # same time as a try
        raise WrongPassword("Wrong user name or password")
    try:
        wrapping = derive_key(
            password, _b64decode(entry["salt"]), KdfParams.from_json(entry["params"])
        )
        private = unwrap_private(entry, wrapping, username)
        if not isinstance(entry.get("sealed"), dict):
            raise NotARestorer(f"{username!r} may not restore")
        return _checked(copy, open_sealed(entry["sealed"], private, username))
    except (DamagedEntry, KeyError, TypeError, ValueError) as error:
        raise KeyringError("damaged backup keyring entry") from error
    except SealError as error:
        raise WrongPassword("Wrong user name or password") from error


def open_with_recovery_code(copy: Mapping[str, Any], code: str) -> bytes:
    recovery = copy.get("recovery")
    if not isinstance(recovery, dict):
        raise WrongRecoveryCode("This backup has no recovery entry")
    symbols = normalize_recovery_code(code)
    try:
        wrapping = recovery_wrapping_key(symbols, _b64decode(recovery["salt"]))
        private = unwrap_private(recovery, wrapping, RECOVERY_NAME)
        return _checked(copy, open_sealed(recovery["sealed"], private, RECOVERY_NAME))
    except (DamagedEntry, KeyError, TypeError, ValueError) as error:
        raise KeyringError("damaged backup recovery entry") from error
    except SealError as error:
        raise WrongRecoveryCode("The recovery code is not right") from error


def open_with_office_key(copy: Mapping[str, Any], office_private: X25519PrivateKey) -> bytes:
    sealed = copy.get("office")
    if not isinstance(sealed, dict):
        raise NotARestorer("This backup was not sealed to an office key")
    try:
        return _checked(copy, open_sealed(sealed, office_private, OFFICE_NAME))
    except SealError as error:
        raise NotARestorer("This backup was sealed to another office key") from error


def restored_keyring(copy: Mapping[str, Any], store_key: bytes) -> dict[str, Any]:
    """The keyring of the restored store: ``store_key`` sealed to every officer in the copy."""
    officers = {
        username: {**entry, "sealed": seal(store_key, public_of(entry), username)}
        for username, entry in dict(copy.get("officers") or {}).items()
    }
    recovery = copy.get("recovery")
    if isinstance(recovery, dict):
        recovery = {**recovery, "sealed": seal(store_key, public_of(recovery), RECOVERY_NAME)}
    return {
        "format": FORMAT_VERSION,
        "key_check": key_check(store_key),
        "officers": officers,
        "recovery": recovery,
        "pending_events": [],
    }


def manifest_mac(backup_key: bytes, manifest: Mapping[str, Any]) -> str:
    """HMAC-SHA256 of the manifest (without its own ``mac`` field) under the backup's MAC key."""
    mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_MANIFEST_MAC_INFO).derive(
        backup_key
    )
    body = {k: v for k, v in manifest.items() if k != MAC_FIELD}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(mac_key, text.encode("ascii"), hashlib.sha256).hexdigest()


def manifest_is_authentic(backup_key: bytes, manifest: Mapping[str, Any]) -> bool:
    return hmac.compare_digest(str(manifest.get(MAC_FIELD, "")), manifest_mac(backup_key, manifest))
