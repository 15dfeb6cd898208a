"""How the office keeps its memory whatever is sent to it.

* A body is read as it streams, never past ``max_body_bytes`` (a chunked upload has no
  Content-Length to check first), and only after the first bytes name an enrolled device: an unknown
  sender's body is read and thrown away chunk by chunk, never kept.
* At most ``upload_slots`` bodies are held at once per worker; the others wait for a slot (holding
  only a socket). Each upload must arrive within ``upload_seconds``.
* Decompression is bounded per batch (:data:`app.sync.batch.MAX_PLAIN_BYTES`) and each record's
  size per record (:data:`app.sync.protocol.MAX_RECORD_BYTES`).
* Each device may send at most ``device_daily_bytes`` a day (per-device quota, answered with 429).

So one worker holds at most about ``upload_slots x (2 x max_body_bytes + MAX_PLAIN_BYTES x the
JSON parse factor)``; tests/server/test_memory_bounds.py measures the whole process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request

from app.sync.batch import MAX_SEALED_BYTES, BatchError, peek_device_id


@dataclass(frozen=True)
class UploadLimits:
    max_body_bytes: int = MAX_SEALED_BYTES
    upload_slots: int = 2
    upload_seconds: float = 300.0
    device_daily_bytes: int = 512 * 1024 * 1024


class BodyRefused(Exception):
    """The body was not kept: ``status`` and ``code`` say why (413 too large, 408 too slow, ...)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


DeviceCheck = Callable[[str], Awaitable[BatchError | None]]


async def read_batch_body(request: Request, limits: UploadLimits, check: DeviceCheck) -> bytes:
    """The whole body if it stays within the limits and names a device ``check`` accepts."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise BodyRefused(413, "too_large", "batch is larger than allowed")
    deadline = time.monotonic() + limits.upload_seconds
    body = bytearray()
    refusal: BatchError | None = None
    discarded = 0
    checked = False
    stream = request.stream().__aiter__()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BodyRefused(408, "too_slow", "the upload took too long")
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), timeout=remaining)
        except StopAsyncIteration:
            break
        except TimeoutError as error:
            raise BodyRefused(408, "too_slow", "the upload took too long") from error
        if refusal is not None:
            # An unknown sender: read on (so a laptop hears why) but keep nothing, and not forever.
            discarded += len(chunk)
            if discarded > limits.max_body_bytes:
                raise refusal
            continue
        if len(body) + len(chunk) > limits.max_body_bytes:
            raise BodyRefused(413, "too_large", "batch is larger than allowed")
        body += chunk
        if not checked:
            try:
                device_id = peek_device_id(bytes(body[:MAX_PEEK]))
            except BatchError as error:
                refusal = error
                body.clear()
                continue
            if device_id is not None:
                checked = True
                refusal = await check(device_id)
                if refusal is not None:
                    body.clear()
    if refusal is not None:
        raise refusal
    data = bytes(body)
    body.clear()
    return data


MAX_PEEK = 64 * 1024 + 16


async def read_small_body(request: Request, limit: int) -> bytes:
    """A small request body (a status request), refused past ``limit`` while it streams."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyRefused(413, "too_large", "request is larger than allowed")
    return bytes(body)
