"""Keyring entries that let the database key be replaced without the officers' passwords.

Each officer has an X25519 key pair. The private key is wrapped (AES-GCM) with a key derived from
their password; the database key is *sealed* to the public key (ephemeral X25519, HKDF-SHA256,
AES-GCM). Sealing needs no password, so when an officer is switched off (or a compromise is
suspected) the app can make a new database key and seal it to every remaining officer at once;
the switched-off officer's copy of the old keyring only yields the old key, which no longer opens
the rekeyed store.

Entries of format 1 (the database key wrapped straight under the password) are still read; they
are rewritten in this format at the officer's next sign-in, when the password is at hand.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

# cryptography is imported where a key is used, not with this module: the sign-in window reads
# the keyring (who can sign in) before any key is needed, and is painted without it (issue 20).
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

_SEAL_INFO = b"vss-outreach sealed database key"
ENTRY_FORMAT = 2


class SealError(Exception):
    """A sealed key or a wrapped private key does not open (wrong password or code)."""


class DamagedEntry(SealError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise SealError("not text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _raw_public(key: X25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _seal_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_SEAL_INFO
    ).derive(shared)


def seal(db_key: bytes, public: bytes, username: str) -> dict[str, str]:
    """``db_key`` sealed to the officer's public key (the user name is bound as associated data)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw_public(ephemeral.public_key())
    key = _seal_key(
        ephemeral.exchange(X25519PublicKey.from_public_bytes(public)), ephemeral_public, public
    )
    nonce = AESGCM.generate_key(bit_length=128)[:12]
    return {
        "ephemeral": _b64(ephemeral_public),
        "nonce": _b64(nonce),
        "sealed_key": _b64(AESGCM(key).encrypt(nonce, db_key, username.encode("utf-8"))),
    }


def new_entry_keys(wrapping_key: bytes, username: str, db_key: bytes) -> dict[str, Any]:
    """The format-2 parts of an entry, given the password- (or recovery-code-) derived wrapping
    key; ``username`` is bound as associated data."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    private = X25519PrivateKey.generate()
    public = _raw_public(private.public_key())
    nonce = AESGCM.generate_key(bit_length=128)[:12]
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return {
        "entry_format": ENTRY_FORMAT,
        "public": _b64(public),
        "private_nonce": _b64(nonce),
        "wrapped_private": _b64(
            AESGCM(wrapping_key).encrypt(nonce, raw_private, username.encode("utf-8"))
        ),
        "sealed": seal(db_key, public, username),
    }


def is_sealed_entry(entry: Mapping[str, Any]) -> bool:
    return entry.get("entry_format") == ENTRY_FORMAT


def public_of(entry: Mapping[str, Any]) -> bytes:
    return _unb64(entry["public"])


def unwrap_private(
    entry: Mapping[str, Any], wrapping_key: bytes, username: str
) -> X25519PrivateKey:
    """The officer's private key from a format-2 entry; SealError when the password is wrong."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw_private = AESGCM(wrapping_key).decrypt(
            _unb64(entry["private_nonce"]),
            _unb64(entry["wrapped_private"]),
            username.encode("utf-8"),
        )
        return X25519PrivateKey.from_private_bytes(raw_private)
    except InvalidTag as error:
        raise SealError("wrong password") from error
    except (KeyError, TypeError, ValueError) as error:
        raise DamagedEntry("damaged entry") from error


def open_sealed(sealed: Mapping[str, Any], private: X25519PrivateKey, name: str) -> bytes:
    """The key sealed to ``private``'s public key for ``name`` (see :func:`seal`)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        ephemeral = _unb64(sealed["ephemeral"])
        public = _raw_public(private.public_key())
        key = _seal_key(
            private.exchange(X25519PublicKey.from_public_bytes(ephemeral)), ephemeral, public
        )
        return AESGCM(key).decrypt(
            _unb64(sealed["nonce"]), _unb64(sealed["sealed_key"]), name.encode("utf-8")
        )
    except InvalidTag as error:
        raise SealError("not sealed to this key") from error
    except (KeyError, TypeError, ValueError) as error:
        raise DamagedEntry("damaged entry") from error


def unseal(entry: Mapping[str, Any], wrapping_key: bytes, username: str) -> bytes:
    """The database key of a format-2 entry; SealError when the password (key) is wrong."""
    private = unwrap_private(entry, wrapping_key, username)
    if not isinstance(entry.get("sealed"), Mapping):
        raise DamagedEntry("no sealed key in this entry")
    return open_sealed(entry["sealed"], private, username)
