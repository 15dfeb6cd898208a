"""The office's list of civil parties for one laptop, sealed and signed like the sync batches.

The direction is reversed: the office seals to the laptop's X25519 *list key* (made on the
laptop, sent signed by its Ed25519 identity key at enrolment, with a stick or with a list
request) and signs with its own Ed25519 key. The list is cut into parts of at most
``MAX_RECORDS`` people; each part is a sealed batch (:func:`app.sync.batch.seal_batch`, the
people as its records, ``audit`` empty) whose batch id is ``<list id>-<part>``. A manifest signed
by the office names the laptop, the provinces, when the list was made and the SHA-256 of every
part, so a part cannot be swapped, dropped or replayed from another list, and an older list
cannot replace a newer one (``issued`` only grows).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from app.sync.batch import (
    MAX_RECORDS,
    BatchError,
    KnownDevice,
    open_batch,
    seal_batch,
    sealed_sha256,
)
from app.sync.crypto import sign_document, verify_document

LIST_KIND = "vss-outreach-office-list"
LIST_KEY_KIND = "vss-outreach-list-key"
MAX_PARTS = 64  # 128,000 people: more than the court's lists together
OFFICE_SIGNER = "office"


def list_key_document(
    device_key: Ed25519PrivateKey, device_id: str, list_public_b64: str
) -> dict[str, Any]:
    """The laptop's list key, signed by its identity key (the office trusts no other)."""
    return sign_document(
        device_key, {"kind": LIST_KEY_KIND, "device_id": device_id, "list_public": list_public_b64}
    )


def seal_office_list(
    *,
    people: Sequence[Mapping[str, Any]],
    device_id: str,
    provinces: Sequence[str],
    issued: float,
    list_public: X25519PublicKey,
    office_key: Ed25519PrivateKey,
) -> tuple[dict[str, Any], list[bytes]]:
    """(signed manifest, sealed parts) of ``people`` for the laptop ``device_id``."""
    list_id = str(uuid.uuid4())
    parts: list[bytes] = []
    chunks = [people[i : i + MAX_RECORDS] for i in range(0, len(people), MAX_RECORDS)] or [[]]
    if len(chunks) > MAX_PARTS:
        raise BatchError("corrupt", "the list is larger than a laptop may hold")
    for number, chunk in enumerate(chunks):
        parts.append(
            seal_batch(
                batch_id=f"{list_id}-{number}",
                device_id=device_id,
                created_at=str(issued),
                records=chunk,
                audit=[],
                server_public=list_public,
                device_key=office_key,
            )
        )
    manifest = sign_document(
        office_key,
        {
            "kind": LIST_KIND,
            "list_id": list_id,
            "device_id": device_id,
            "provinces": sorted(provinces),
            "issued": issued,
            "people": len(people),
            "parts": [sealed_sha256(part) for part in parts],
        },
    )
    return manifest, parts


def verify_list_manifest(
    office_public: Ed25519PublicKey, signed: Any, device_id: str
) -> dict[str, Any]:
    """The manifest's body if the office signed it for this laptop; else ``BatchError``."""
    body = verify_document(office_public, signed)
    if body is None or body.get("kind") != LIST_KIND:
        raise BatchError("bad_signature", "the list was not signed by the office")
    if body.get("device_id") != device_id:
        raise BatchError("corrupt", "the list was made for another laptop")
    parts = body.get("parts")
    if (
        not isinstance(parts, list)
        or not 1 <= len(parts) <= MAX_PARTS
        or not all(isinstance(p, str) for p in parts)
        or not isinstance(body.get("issued"), int | float)
        or not isinstance(body.get("list_id"), str)
        or not isinstance(body.get("provinces"), list)
    ):
        raise BatchError("corrupt", "the list manifest is incomplete")
    return body


def open_office_list(
    body: Mapping[str, Any],
    parts: Sequence[bytes],
    list_private: X25519PrivateKey,
    office_public: Ed25519PublicKey,
) -> list[dict[str, Any]]:
    """The people of a list whose manifest ``body`` was verified: every part must be the one the
    manifest names, signed by the office and sealed to this laptop's list key."""
    expected = list(body["parts"])
    if len(parts) != len(expected):
        raise BatchError("truncated", "parts of the list are missing")
    office = KnownDevice(public_key=office_public)
    people: list[dict[str, Any]] = []
    for number, (part, digest) in enumerate(zip(parts, expected, strict=True)):
        if sealed_sha256(part) != digest:
            raise BatchError("corrupt", f"part {number} is not the one the office listed")
        content = open_batch(part, list_private, lambda _device_id: office)
        if content.batch_id != f"{body['list_id']}-{number}" or content.device_id != body.get(
            "device_id"
        ):
            raise BatchError("corrupt", f"part {number} belongs to another list")
        people.extend(content.records)
    if len(people) != body.get("people"):
        raise BatchError("corrupt", "the list holds another number of people than it says")
    return people
