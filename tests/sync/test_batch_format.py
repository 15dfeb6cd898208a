"""Sealed batches and receipts without a server: every way a batch can be wrong is refused."""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.sync.batch import (
    BatchError,
    KnownDevice,
    Receipt,
    open_batch,
    peek_header,
    seal_batch,
    sealed_sha256,
    verify_receipt,
)
from app.sync.crypto import ServerKeys
from app.sync.format import canonical_json, canonical_text, record_digest
from app.sync.protocol import record_problem

DEVICE_ID = "0b5c7a52-0000-4000-8000-000000000001"


def _record(number: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "version_id": str(uuid.uuid4()),
        "application_id": str(uuid.uuid4()),
        "reference": f"REF-{number}",
        "form_id": "complaint",
        "form_version": 1,
        "version_no": 1,
        "answers": {"applicant_name": {"km": "ចាន់ សុភា", "latin": "Chan Sophea"}},
        "reason": None,
        "created_at": "2025-03-01T09:30:00",
        "created_by": None,
    }
    record["content_sha256"] = record_digest(record)
    return record


def _seal(keys: ServerKeys, device: Ed25519PrivateKey, batch_id: str | None = None) -> bytes:
    return seal_batch(
        batch_id=batch_id or str(uuid.uuid4()),
        device_id=DEVICE_ID,
        created_at="2025-03-01T10:00:00",
        records=[_record(n) for n in range(3)],
        audit=[{"seq": 1, "action": "login"}],
        server_public=keys.public.encryption,
        device_key=device,
    )


@pytest.fixture
def device_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _lookup(device: Ed25519PrivateKey, revoked: bool = False) -> Any:
    def lookup(device_id: str) -> KnownDevice | None:
        return KnownDevice(device.public_key(), revoked) if device_id == DEVICE_ID else None

    return lookup


def test_round_trip_keeps_records_and_khmer_text(
    server_keys: ServerKeys, device_key: Ed25519PrivateKey
) -> None:
    sealed = _seal(server_keys, device_key)
    content = open_batch(sealed, server_keys.encryption, _lookup(device_key))
    assert len(content.records) == 3
    assert content.records[0]["answers"]["applicant_name"]["km"] == "ចាន់ សុភា"
    assert content.audit == [{"seq": 1, "action": "login"}]
    assert content.sha256 == sealed_sha256(sealed)
    assert all(record_problem(record) is None for record in content.records)
    assert peek_header(sealed)["records"] == 3
    # the answers are not readable in the sealed bytes
    assert b"Chan Sophea" not in sealed


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        (lambda b: b[: len(b) // 2], "truncated"),
        (lambda b: b[:5], "truncated"),
        (lambda b: b + b"x", "corrupt"),
        (lambda b: b"XXXX" + b[4:], "corrupt"),
        (lambda b: b[:-70] + bytes([b[-70] ^ 1]) + b[-69:], "bad_signature"),
        (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "bad_signature"),
    ],
)
def test_damaged_batches_are_refused(
    server_keys: ServerKeys, device_key: Ed25519PrivateKey, damage: Any, code: str
) -> None:
    sealed = _seal(server_keys, device_key)
    with pytest.raises(BatchError) as raised:
        open_batch(damage(sealed), server_keys.encryption, _lookup(device_key))
    assert raised.value.code == code


def test_wrong_signer_unknown_and_revoked_devices_are_refused(
    server_keys: ServerKeys, device_key: Ed25519PrivateKey
) -> None:
    impostor = Ed25519PrivateKey.generate()
    forged = _seal(server_keys, impostor)
    with pytest.raises(BatchError) as raised:
        open_batch(forged, server_keys.encryption, _lookup(device_key))
    assert raised.value.code == "bad_signature"
    sealed = _seal(server_keys, device_key)
    with pytest.raises(BatchError) as raised:
        open_batch(sealed, server_keys.encryption, lambda _device_id: None)
    assert raised.value.code == "unknown_device"
    with pytest.raises(BatchError) as raised:
        open_batch(sealed, server_keys.encryption, _lookup(device_key, revoked=True))
    assert raised.value.code == "revoked_device"


def test_a_batch_for_another_server_cannot_be_opened(
    server_keys: ServerKeys, device_key: Ed25519PrivateKey
) -> None:
    sealed = _seal(ServerKeys.generate(), device_key)
    with pytest.raises(BatchError) as raised:
        open_batch(sealed, server_keys.encryption, _lookup(device_key))
    assert raised.value.code == "corrupt"


def test_record_problem_finds_digest_mismatch_and_missing_fields() -> None:
    record = _record(1)
    record["answers"] = {"applicant_name": {"km": "ផ្សេង", "latin": "Other"}}
    assert record_problem(record) == "content_sha256 does not match the record content"
    del record["version_id"]
    assert record_problem(record) == "missing field version_id"


def test_receipts_verify_only_with_the_server_key_and_for_their_batch(
    server_keys: ServerKeys,
) -> None:
    receipt = Receipt("b-1", "ab" * 32, DEVICE_ID, stored=["v1"], duplicates=["v2"])
    signed = receipt.sign(server_keys.signing)
    assert verify_receipt(server_keys.public.signing, signed, "b-1", "ab" * 32) == receipt
    with pytest.raises(BatchError, match="another batch"):
        verify_receipt(server_keys.public.signing, signed, "b-2")
    tampered = {**signed, "body": {**signed["body"], "stored": ["v1", "v9"]}}
    with pytest.raises(BatchError) as raised:
        verify_receipt(server_keys.public.signing, tampered)
    assert raised.value.code == "bad_receipt"
    with pytest.raises(BatchError):
        verify_receipt(ServerKeys.generate().public.signing, signed)


def test_the_canonical_form_is_json_dumps_with_its_options() -> None:
    """canonical_json's encoder, made once, writes what json.dumps with the canonical options
    writes (the digests both ends compare are made of it), and refuses what it refuses."""
    payloads: list[Any] = [
        {"b": 1, "a": [True, None, 1.5, -0.0, 10**20, 1e16], "ក": "សុខ\u200bសំណាង"},
        {"z": {"y": {"x": '"quoted" \\ back\nline\t\u0007'}}, "": "", "A": []},
        [{"é": "e\u0301", "2": 2, "10": 10}, "\u2028\U0001f600"],
    ]
    for payload in payloads:
        expected = json.dumps(
            payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )
        assert canonical_text(payload) == expected
        assert canonical_json(payload) == expected.encode("utf-8")
    with pytest.raises(ValueError):
        canonical_json({"n": math.nan})
