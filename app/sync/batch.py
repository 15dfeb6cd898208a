"""Sealed sync batches and signed receipts, shared by the device and the central office.

A batch is canonical JSON ``{batch_id, device_id, created_at, records, audit}``, compressed with
zlib, encrypted to the office's X25519 key (an ephemeral X25519 key, HKDF-SHA256, AES-256-GCM with
the header as associated data) and signed by the device's Ed25519 key over header and ciphertext::

    b"VSSB" | version (1 byte) | header length (u32) | ciphertext length (u32)
    | header (canonical JSON) | ciphertext | Ed25519 signature (64 bytes)

The device stores the sealed bytes and resends them unchanged until a receipt arrives, so a batch
id always names the same bytes. The office answers with a receipt it signs with its Ed25519 key.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.sync.crypto import (
    KeyFormatError,
    b64decode,
    b64encode,
    public_bytes,
    sign_document,
    verify_document,
    verify_signature,
)
from app.sync.format import canonical_json

MAGIC = b"VSSB"
FORMAT_VERSION = 1
_PREFIX = struct.Struct(">4sBII")
SIGNATURE_SIZE = 64
# Bounds that keep the office's memory small whatever is sent (a batch of 500 ordinary records is
# well under 1 MB sealed): the laptop splits a batch that would pass them.
MAX_SEALED_BYTES = 16 * 1024 * 1024
MAX_PLAIN_BYTES = 8 * 1024 * 1024
MAX_HEADER_BYTES = 64 * 1024
MAX_RECORDS = 2000
MAX_AUDIT_ENTRIES = 20000
# Parsed JSON costs up to ~20x its text for empty objects; bounding how many objects and arrays
# the text may open keeps the parse small (a real batch opens a few hundred per record).
MAX_CONTAINERS = 400_000
_HKDF_INFO = b"vss-outreach sync batch v1"
# In a batch's content: the device applies the statuses its receipt carries. An office from
# before ignores it (and carries none); a device from before does not send it (and gets none).
RECEIPT_STATUSES = "receipt_statuses"


class BatchTooLarge(ValueError):
    """The content would pass :data:`MAX_PLAIN_BYTES`: seal fewer records."""


class BatchError(Exception):
    """A batch (or receipt) that must be refused as a whole; ``code`` is stable for machines.

    Codes: ``corrupt``, ``truncated``, ``bad_signature``, ``unknown_device``, ``revoked_device``,
    ``replay``, ``bad_receipt``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class KnownDevice:
    """What the office knows of a device when a batch arrives."""

    public_key: Ed25519PublicKey
    revoked: bool = False


DeviceLookup = Callable[[str], KnownDevice | None]


@dataclass(frozen=True)
class BatchContent:
    batch_id: str
    device_id: str
    created_at: str
    records: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    sha256: str  # of the sealed bytes
    audit_head: dict[str, Any] | None = None  # the device's audit checkpoint when sealed
    # The device applies statuses that come in the receipt (see Receipt.statuses).
    receipt_statuses: bool = False


def sealed_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _derive_key(shared: bytes, ephemeral_public: bytes, server_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_public + server_public,
        info=_HKDF_INFO,
    ).derive(shared)


def seal_batch(
    *,
    batch_id: str,
    device_id: str,
    created_at: str,
    records: Sequence[Mapping[str, Any]],
    audit: Sequence[Mapping[str, Any]],
    server_public: X25519PublicKey,
    device_key: Ed25519PrivateKey,
    audit_head: Mapping[str, Any] | None = None,
    receipt_statuses: bool = False,
) -> bytes:
    """The sealed bytes of one batch (see the module docstring for the layout).

    ``receipt_statuses`` tells the office that the device applies the statuses a receipt carries
    (the outbox's batches say so; devices from before fetch them all with status requests)."""
    body: dict[str, Any] = {
        "batch_id": batch_id,
        "device_id": device_id,
        "created_at": created_at,
        "records": [dict(record) for record in records],
        "audit": [dict(entry) for entry in audit],
    }
    if receipt_statuses:
        body[RECEIPT_STATUSES] = True
    if audit_head is not None:
        body["audit_head"] = dict(audit_head)
    content = canonical_json(body)
    if len(content) > MAX_PLAIN_BYTES:
        raise BatchTooLarge(f"{len(content)} bytes of content")
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = public_bytes(ephemeral.public_key())
    key = _derive_key(
        ephemeral.exchange(server_public), ephemeral_public, public_bytes(server_public)
    )
    nonce = os.urandom(12)
    header = canonical_json(
        {
            "batch_id": batch_id,
            "device_id": device_id,
            "created_at": created_at,
            "records": len(records),
            "ephemeral": b64encode(ephemeral_public),
            "nonce": b64encode(nonce),
        }
    )
    ciphertext = AESGCM(key).encrypt(nonce, zlib.compress(content, 6), header)
    signed = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(header), len(ciphertext)) + header + ciphertext
    return signed + device_key.sign(signed)


def _split(data: bytes) -> tuple[dict[str, Any], bytes, bytes, bytes]:
    """(header, header bytes, ciphertext, signature); raises ``truncated``/``corrupt``."""
    if len(data) > MAX_SEALED_BYTES:
        raise BatchError("corrupt", "batch is larger than allowed")
    if len(data) < _PREFIX.size:
        raise BatchError("truncated", "batch is shorter than its fixed header")
    magic, version, header_length, body_length = _PREFIX.unpack_from(data)
    if magic != MAGIC or version != FORMAT_VERSION:
        raise BatchError("corrupt", "not a sealed batch of a known version")
    expected = _PREFIX.size + header_length + body_length + SIGNATURE_SIZE
    if len(data) < expected:
        raise BatchError("truncated", f"batch has {len(data)} of {expected} bytes")
    if len(data) > expected:
        raise BatchError("corrupt", "batch has trailing bytes")
    header_bytes = data[_PREFIX.size : _PREFIX.size + header_length]
    ciphertext = data[_PREFIX.size + header_length : expected - SIGNATURE_SIZE]
    try:
        header = json.loads(header_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BatchError("corrupt", "unreadable batch header") from error
    if not isinstance(header, dict) or not all(
        isinstance(header.get(name), str)
        for name in ("batch_id", "device_id", "created_at", "ephemeral", "nonce")
    ):
        raise BatchError("corrupt", "incomplete batch header")
    return header, header_bytes, ciphertext, data[expected - SIGNATURE_SIZE :]


def peek_device_id(start: bytes) -> str | None:
    """The device id from the first bytes of a batch still arriving (None: not enough bytes yet).

    Lets the office refuse an unknown device before it reads (let alone keeps) a large body.
    """
    if len(start) < _PREFIX.size:
        return None
    magic, version, header_length, _body_length = _PREFIX.unpack_from(start)
    if magic != MAGIC or version != FORMAT_VERSION:
        raise BatchError("corrupt", "not a sealed batch of a known version")
    if header_length > MAX_HEADER_BYTES:
        raise BatchError("corrupt", "batch header is larger than allowed")
    if len(start) < _PREFIX.size + header_length:
        return None
    try:
        header = json.loads(start[_PREFIX.size : _PREFIX.size + header_length])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BatchError("corrupt", "unreadable batch header") from error
    device_id = header.get("device_id") if isinstance(header, dict) else None
    if not isinstance(device_id, str):
        raise BatchError("corrupt", "incomplete batch header")
    return device_id


def peek_header(data: bytes) -> dict[str, Any]:
    """The clear header (batch id, device id, record count) without checking anything else."""
    return _split(data)[0]


def open_batch(
    data: bytes, server_private: X25519PrivateKey, device_public_lookup: DeviceLookup
) -> BatchContent:
    """Check and decrypt a sealed batch; raises :class:`BatchError` for anything not exactly right."""
    header, header_bytes, ciphertext, signature = _split(data)
    device = device_public_lookup(header["device_id"])
    if device is None:
        raise BatchError("unknown_device", "the device is not enrolled")
    if device.revoked:
        raise BatchError("revoked_device", "the device has been revoked")
    if not verify_signature(device.public_key, signature, data[:-SIGNATURE_SIZE]):
        raise BatchError("bad_signature", "the device signature does not match")
    try:
        ephemeral_public = b64decode(header["ephemeral"], 32)
        nonce = b64decode(header["nonce"], 12)
    except KeyFormatError as error:
        raise BatchError("corrupt", "bad key material in header") from error
    server_public = public_bytes(server_private.public_key())
    shared = server_private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = _derive_key(shared, ephemeral_public, server_public)
    try:
        compressed = AESGCM(key).decrypt(nonce, ciphertext, header_bytes)
    except InvalidTag as error:
        raise BatchError("corrupt", "the batch cannot be decrypted with this server key") from error
    try:
        decompressor = zlib.decompressobj()
        plain = decompressor.decompress(compressed, MAX_PLAIN_BYTES)
        if decompressor.unconsumed_tail or not decompressor.eof:
            raise BatchError("corrupt", "batch content is too large or incomplete")
        del compressed
        if plain.count(b"{") + plain.count(b"[") > MAX_CONTAINERS:
            raise BatchError("corrupt", "batch content has more structure than allowed")
        content = json.loads(plain)
        del plain
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BatchError("corrupt", "unreadable batch content") from error
    if (
        not isinstance(content, dict)
        or content.get("batch_id") != header["batch_id"]
        or content.get("device_id") != header["device_id"]
        or not isinstance(content.get("records"), list)
        or not isinstance(content.get("audit"), list)
        or len(content["records"]) > MAX_RECORDS
        or len(content["audit"]) > MAX_AUDIT_ENTRIES
        or not all(isinstance(record, dict) for record in content["records"])
        or not all(isinstance(entry, dict) for entry in content["audit"])
    ):
        raise BatchError("corrupt", "batch content does not match its header")
    return BatchContent(
        batch_id=header["batch_id"],
        device_id=header["device_id"],
        created_at=header["created_at"],
        records=content["records"],
        audit=content["audit"],
        sha256=sealed_sha256(data),
        audit_head=content["audit_head"] if isinstance(content.get("audit_head"), dict) else None,
        receipt_statuses=content.get(RECEIPT_STATUSES) is True,
    )


@dataclass(frozen=True)
class Receipt:
    """The office's signed answer for one batch: what it stored and what it refused, per record."""

    batch_id: str
    batch_sha256: str
    device_id: str
    stored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    # [{"version_id", "status": 409|422, "reason"}]: never stored; the device quarantines them.
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    # Court statuses for the batch's records, as a status answer lists them ({"seq",
    # "application_id", "status", ...}): for a device that said it applies them, the "received"
    # of each record new to the office. The office stores them as delivered.
    statuses: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "batch_id": self.batch_id,
            "batch_sha256": self.batch_sha256,
            "device_id": self.device_id,
            "stored": list(self.stored),
            "duplicates": list(self.duplicates),
            "conflicts": [dict(c) for c in self.conflicts],
        }
        if self.statuses:  # absent otherwise: receipts as offices from before signed them
            document["statuses"] = [dict(item) for item in self.statuses]
        return document

    def sign(self, server_signing: Ed25519PrivateKey) -> dict[str, Any]:
        return sign_document(server_signing, self.to_json())


def verify_receipt(
    server_signing_public: Ed25519PublicKey,
    signed: Any,
    batch_id: str | None = None,
    batch_sha256: str | None = None,
) -> Receipt:
    """The receipt if the office signed it (and it is for this batch), else ``bad_receipt``."""
    body = verify_document(server_signing_public, signed)
    if body is None:
        raise BatchError("bad_receipt", "the receipt signature does not match the server key")
    try:
        receipt = Receipt(
            batch_id=str(body["batch_id"]),
            batch_sha256=str(body["batch_sha256"]),
            device_id=str(body["device_id"]),
            stored=[str(v) for v in body["stored"]],
            duplicates=[str(v) for v in body["duplicates"]],
            conflicts=[
                {
                    "version_id": str(c["version_id"]),
                    "status": int(c["status"]),
                    "reason": str(c["reason"]),
                }
                for c in body["conflicts"]
            ],
            statuses=_statuses(body.get("statuses", [])),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BatchError("bad_receipt", "the receipt is incomplete") from error
    if batch_id is not None and receipt.batch_id != batch_id:
        raise BatchError("bad_receipt", "the receipt is for another batch")
    if batch_sha256 is not None and receipt.batch_sha256 != batch_sha256:
        raise BatchError("bad_receipt", "the receipt is for other bytes")
    return receipt


def _statuses(value: Any) -> list[dict[str, Any]]:
    """A receipt's statuses (each is checked again where it is applied)."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError("statuses must be a list of objects")
    return value
