"""The sync wire format's building blocks shared by the device and the central server.

A record version travels as canonical JSON (sorted keys, no insignificant whitespace, UTF-8); its
digest is the SHA-256 of exactly those bytes, so both ends agree on "same content" without trust.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def canonical_json(payload: Mapping[str, Any] | list[Any]) -> bytes:
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def record_digest(payload: Mapping[str, Any]) -> str:
    return encoded_digest(canonical_json(payload))


def encoded_digest(encoded: bytes) -> str:
    """`record_digest` of a payload already encoded by `canonical_json`."""
    return hashlib.sha256(encoded).hexdigest()
