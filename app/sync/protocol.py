"""The small HTTP protocol between a device and the central office (shared by both ends).

``POST /v1/batches``: body = sealed batch bytes (the device signature authenticates it); the answer is
a signed receipt (see :mod:`app.sync.batch`). ``GET /v1/status?since=N``: signed by the device in
three headers; the answer is a document signed by the office. ``GET /v1/ping``: reachability.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sync.format import canonical_json, record_digest

BATCHES_PATH = "/v1/batches"
STATUS_PATH = "/v1/status"
PING_PATH = "/v1/ping"

HEADER_DEVICE = "X-VSS-Device"
HEADER_TIME = "X-VSS-Time"
HEADER_SIGNATURE = "X-VSS-Signature"

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


def status_request_message(device_id: str, since: int, timestamp: int) -> bytes:
    """The bytes a device signs to ask for its status updates."""
    return canonical_json(
        {
            "method": "GET",
            "path": STATUS_PATH,
            "device_id": device_id,
            "since": since,
            "time": timestamp,
        }
    )


def record_problem(record: Mapping[str, Any]) -> str | None:
    """Why a record in a batch cannot be stored (missing fields, digest mismatch), or None."""
    for name in RECORD_FIELDS:
        if name not in record:
            return f"missing field {name}"
    if not isinstance(record["version_id"], str) or not isinstance(record["content_sha256"], str):
        return "version_id and content_sha256 must be text"
    if not isinstance(record["answers"], dict):
        return "answers must be an object"
    content = {key: value for key, value in record.items() if key != "content_sha256"}
    if len(canonical_json(content)) > MAX_RECORD_BYTES:
        return RECORD_TOO_LARGE
    if record_digest(content) != record["content_sha256"]:
        return "content_sha256 does not match the record content"
    return None
