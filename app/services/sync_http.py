"""The laptop's side of the HTTP exchange with the central office, below the sync use cases:
one request with the office's certificate pinned, and what a failure or a refusal means.

Only the standard library talks HTTP here (``urllib.request``) to keep the laptop bundle small.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from http.client import HTTPException
from typing import Any

from app.i18n import _
from app.services.errors import SyncError
from app.sync import tls
from app.sync.protocol import PING_PATH


class TransportFailure(Exception):
    """The exchange failed on the way; ``kind`` is ``network``, ``silent`` (no answer in time),
    ``pin`` (another certificate) or ``damaged`` (the office received other bytes than were
    sent)."""

    def __init__(self, message: str, kind: str = "network") -> None:
        super().__init__(message)
        self.kind = kind


def unreachable_message() -> str:
    return _(
        "The central office could not be reached. Your records are safe and will be sent next time."
    )


def refusal_reason(code: str) -> str:
    if code == "revoked_device":
        return _("This laptop has been blocked by the central office. Please contact the office.")
    if code in ("unknown_device", "bad_signature"):
        return _("The central office does not recognise this laptop. Please enrol it again.")
    if code == "bad_receipt":
        return _("The central office sent a reply that could not be verified.")
    return _("The central office refused a batch; it will be sent again.")


def url_for(server_url: str, path: str) -> str:
    return server_url.rstrip("/") + path


def http_request(
    request: urllib.request.Request, timeout: float, pin: str | None = None
) -> tuple[int, bytes]:
    """(HTTP status, body); raises TransportFailure when no answer came."""
    try:
        with tls.opener(pin).open(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        try:
            return int(error.code), error.read()
        except (OSError, HTTPException):
            return int(error.code), b""
    except (urllib.error.URLError, OSError, HTTPException, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(error, tls.PinMismatch) or isinstance(reason, tls.PinMismatch):
            raise TransportFailure(str(error), "pin") from error
        silent = isinstance(error, TimeoutError) or isinstance(reason, TimeoutError)
        raise TransportFailure(str(error), "silent" if silent else "network") from error


def server_reachable(url: str, timeout: float = 5.0, pin: str | None = None) -> bool:
    """Whether the office answers its ping (false for any network problem)."""
    try:
        status, _body = http_request(urllib.request.Request(url_for(url, PING_PATH)), timeout, pin)
    except TransportFailure:
        return False
    return status == 200


def error_code(body: bytes) -> str:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    return str(document.get("error", "")) if isinstance(document, dict) else ""


def fetch_json(request: urllib.request.Request, timeout: float, pin: str | None) -> Any:
    """The JSON answer of a request the office must answer with 200."""
    status, body = http_request(request, timeout, pin)
    if error_code(body) == "damaged":
        raise TransportFailure("the office received damaged bytes", "damaged")
    if status != 200:
        if status in (401, 403):
            raise SyncError(refusal_reason(error_code(body)))
        raise TransportFailure(f"HTTP {status} {error_code(body)}")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise TransportFailure("unreadable answer") from error
