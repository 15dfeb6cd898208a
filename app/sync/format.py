"""The sync wire format's building blocks shared by the device and the central server.

A record version travels as canonical JSON (sorted keys, no insignificant whitespace, UTF-8); its
digest is the SHA-256 of exactly those bytes, so both ends agree on "same content" without trust.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

# The canonical form's encoder, made once: json.dumps given these options makes a new one for
# every call (it is otherwise the same: ``JSONEncoder(**options).encode``), which a bulk import
# pays four times a record. An encoder keeps nothing between calls.
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def canonical_json(payload: Mapping[str, Any] | list[Any]) -> bytes:
    return _CANONICAL.encode(payload).encode("utf-8")


def canonical_text(payload: Mapping[str, Any] | list[Any]) -> str:
    """``canonical_json`` before it is encoded as UTF-8 (for a text column)."""
    return _CANONICAL.encode(payload)


def record_digest(payload: Mapping[str, Any]) -> str:
    return encoded_digest(canonical_json(payload))


def encoded_digest(encoded: bytes) -> str:
    """`record_digest` of a payload already encoded by `canonical_json`."""
    return hashlib.sha256(encoded).hexdigest()
