"""The small HTTP protocol between a device and the central office (shared by both ends).

``POST /v1/batches``: body = sealed batch bytes (the device signature authenticates it); the answer is
a signed receipt (see :mod:`app.sync.batch`). ``GET /v1/status/challenge``: a fresh nonce signed by
the office; ``POST /v1/status``: :func:`status_request` signed by the device, answered by the
statuses the device has not acknowledged, signed by the office and echoing the nonce (so neither a
captured request nor a captured answer can be replayed). ``GET /v1/ping``: reachability.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sync.format import canonical_json, encoded_digest

BATCHES_PATH = "/v1/batches"
STATUS_PATH = "/v1/status"
PING_PATH = "/v1/ping"
STATUS_CHALLENGE_PATH = "/v1/status/challenge"
# A challenge is good for this long on the office's own clock (the laptop's clock is never used).
STATUS_CHALLENGE_SECONDS = 300
STATUS_REQUEST_KIND = "vss-outreach-status-request"
# ``POST /v1/list``: :func:`list_request` signed by the device (answering a status challenge),
# answered by the office's list for the provinces the device serves (app.sync.office_list) or
# ``{"unchanged": true}``, signed. An office without lists answers 404: nothing changes.
LIST_PATH = "/v1/list"
LIST_REQUEST_KIND = "vss-outreach-list-request"

# SHA-256 (hex) of the body as sent: the office tells a body damaged on the way ("damaged", to
# be sent again) from one that is wrongly signed ("bad_signature").
HEADER_CONTENT_SHA256 = "X-VSS-Content-SHA256"

# Court statuses the office reports back, in the order a record usually passes them.
COURT_STATUSES: tuple[str, ...] = (
    "received",
    "forwarded",
    "admitted",
    "rejected",
    "lawyer_assigned",
)

# One record version's canonical JSON may not pass this (answers are text; files travel apart).
MAX_RECORD_BYTES = 1024 * 1024
RECORD_TOO_LARGE = f"the record is larger than {MAX_RECORD_BYTES // 1024} kB"

RECORD_FIELDS: tuple[str, ...] = (
    "version_id",
    "application_id",
    "reference",
    "form_id",
    "form_version",
    "version_no",
    "answers",
    "content_sha256",
)


def status_request(device_id: str, challenge: Mapping[str, Any], ack: list[int]) -> dict[str, Any]:
    """What a device signs to fetch its statuses: the office's fresh challenge and the delivery
    ids it has applied since its last request (so the office stops sending them)."""
    return {
        "kind": STATUS_REQUEST_KIND,
        "device_id": device_id,
        "challenge": dict(challenge),
        "ack": [int(item) for item in ack],
    }


def record_problem(record: Mapping[str, Any]) -> str | None:
    """Why a record in a batch cannot be stored (missing fields, digest mismatch), or None."""
    return checked_record(record)[0]


def checked_record(record: Mapping[str, Any]) -> tuple[str | None, bytes]:
    """(why the record cannot be stored or None, its content's canonical JSON: every field but
    ``content_sha256``, as the digest was made of it; empty when it could not be encoded)."""
    for name in RECORD_FIELDS:
        if name not in record:
            return f"missing field {name}", b""
    if not isinstance(record["version_id"], str) or not isinstance(record["content_sha256"], str):
        return "version_id and content_sha256 must be text", b""
    if not isinstance(record["answers"], dict):
        return "answers must be an object", b""
    content = {key: value for key, value in record.items() if key != "content_sha256"}
    encoded = canonical_json(content)  # once: the office checks every record of every batch
    if len(encoded) > MAX_RECORD_BYTES:
        return RECORD_TOO_LARGE, encoded
    if encoded_digest(encoded) != record["content_sha256"]:
        return "content_sha256 does not match the record content", encoded
    return None, encoded


def list_request(
    device_id: str, challenge: Mapping[str, Any], list_key: Mapping[str, Any], have: float | None
) -> dict[str, Any]:
    """What a device signs to fetch the office's list: a fresh challenge, its list key (signed,
    see app.sync.office_list.list_key_document) and when the list it holds was made."""
    return {
        "kind": LIST_REQUEST_KIND,
        "device_id": device_id,
        "challenge": dict(challenge),
        "list_key": dict(list_key),
        "have": have,
    }
