"""Keys for sync: each device signs with Ed25519; the central office opens batches with X25519.

A device holds one Ed25519 signing key (its identity, enrolled at the office). The server holds an
X25519 key that batches are encrypted to and an Ed25519 key that signs receipts and status replies.
Keys travel as base64 of their raw 32 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.sync.format import canonical_json

SERVER_ENCRYPTION_KEY_FILE = "server_x25519.key"
SERVER_SIGNING_KEY_FILE = "server_ed25519.key"
SERVER_PUBLIC_FILE = "server_public.json"


class KeyFormatError(ValueError):
    """A key is not valid base64 of 32 bytes."""


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, length: int | None = None) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, AttributeError) as error:
        raise KeyFormatError(f"not base64: {error}") from error
    if length is not None and len(data) != length:
        raise KeyFormatError(f"expected {length} bytes, got {len(data)}")
    return data


def private_bytes(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_bytes(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def signing_key_from_b64(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(b64decode(text, 32))


def verify_key_from_b64(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64decode(text, 32))


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def verify_signature(public: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def sign_document(key: Ed25519PrivateKey, document: dict[str, Any]) -> dict[str, Any]:
    """``{"body": document, "signature": b64}`` where the signature covers the canonical JSON."""
    return {"body": document, "signature": b64encode(key.sign(canonical_json(document)))}


def verify_document(public: Ed25519PublicKey, signed: Any) -> dict[str, Any] | None:
    """The body of a :func:`sign_document` result if its signature holds, else None."""
    if not isinstance(signed, dict):
        return None
    body, signature = signed.get("body"), signed.get("signature")
    if not isinstance(body, dict) or not isinstance(signature, str):
        return None
    try:
        raw = b64decode(signature, 64)
    except KeyFormatError:
        return None
    return body if verify_signature(public, raw, canonical_json(body)) else None


@dataclass(frozen=True)
class ServerKeys:
    """The central office's private keys: X25519 to open batches, Ed25519 to sign replies."""

    encryption: X25519PrivateKey
    signing: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> ServerKeys:
        return cls(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())

    @property
    def public(self) -> ServerPublicKeys:
        return ServerPublicKeys(
            encryption=self.encryption.public_key(), signing=self.signing.public_key()
        )

    def save(self, folder: Path) -> None:
        """Write the keys (owner-readable only) and a public-key file to ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, key in (
            (SERVER_ENCRYPTION_KEY_FILE, self.encryption),
            (SERVER_SIGNING_KEY_FILE, self.signing),
        ):
            path = folder / name
            if path.exists():
                raise FileExistsError(path)
            path.write_text(b64encode(private_bytes(key)) + "\n", encoding="ascii")
            path.chmod(0o600)
        (folder / SERVER_PUBLIC_FILE).write_bytes(canonical_json(self.public.to_json()))

    @classmethod
    def load(cls, folder: Path) -> ServerKeys:
        encryption = (folder / SERVER_ENCRYPTION_KEY_FILE).read_text(encoding="ascii").strip()
        signing = (folder / SERVER_SIGNING_KEY_FILE).read_text(encoding="ascii").strip()
        return cls(
            X25519PrivateKey.from_private_bytes(b64decode(encryption, 32)),
            Ed25519PrivateKey.from_private_bytes(b64decode(signing, 32)),
        )


@dataclass(frozen=True)
class ServerPublicKeys:
    """What a device needs to know about the office: where to seal to, whose replies to trust."""

    encryption: X25519PublicKey
    signing: Ed25519PublicKey

    def to_json(self) -> dict[str, str]:
        return {
            "server_encryption_public": b64encode(public_bytes(self.encryption)),
            "server_signing_public": b64encode(public_bytes(self.signing)),
        }

    def fingerprint(self) -> str:
        """What an administrator compares with the office (read aloud or on paper) before
        trusting these keys: 128 bits of SHA-256 over both keys, in groups of four."""
        digest = hashlib.sha256(
            public_bytes(self.encryption) + public_bytes(self.signing)
        ).hexdigest()[:32]
        return " ".join(digest[i : i + 4] for i in range(0, 32, 4)).upper()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServerPublicKeys:
        return cls(
            encryption=X25519PublicKey.from_public_bytes(
                b64decode(str(data["server_encryption_public"]), 32)
            ),
            signing=Ed25519PublicKey.from_public_bytes(
                b64decode(str(data["server_signing_public"]), 32)
            ),
        )
