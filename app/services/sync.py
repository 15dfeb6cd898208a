"""Sending finalised records to the central office, over the network or by USB stick.

Guarantees: nothing is lost and nothing is sent twice as two records.

* Every finalised version has an outbox row (written with the version). ``sync_outbox`` seals
  pending rows into a batch, writes the sealed bytes to ``home/outbox/<batch_id>.vsb``
  (fsynced) and moves the rows to ``in_batch`` in the same transaction; a crash in between leaves
  an orphan file that is removed later, never a row without its batch.
* A stored batch is resent byte for byte until a receipt signed by the office arrives. The office
  keys everything by batch id and version id, so a resend after a lost reply is answered with the
  same receipt and stores nothing twice.
* A row becomes ``acknowledged`` only when a verified receipt lists it as stored or duplicate. A row
  the office refused (same id, other content; failed digest) is ``quarantined`` with the reason and
  never holds up the rest. A row a receipt does not mention goes back to ``pending``.

This module is the network path; ``sync_http`` makes the requests, ``sync_enrolment`` holds the
keys, ``sync_outbox`` the stored batches and receipts, ``sync_usb`` the USB-stick path.
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from app.core import clock
from app.i18n import _
from app.services.audit import AuditAction, record_audit
from app.services.civil_party_sync import held_issued, receive_list, signed_list_key
from app.services.context import AppContext
from app.services.court_statuses import apply_status_updates, pending_ack, set_pending_ack
from app.services.errors import SyncError
from app.services.security import Action, authorize
from app.services.sync_enrolment import device_keys, require_enrolment, tls_pin
from app.services.sync_http import (
    TransportFailure,
    error_code,
    fetch_json,
    http_request,
    refusal_reason,
    server_reachable,
    unreachable_message,
    url_for,
)
from app.services.sync_lock import SyncBusy, sync_lock
from app.services.sync_outbox import (
    OUTBOX_LOCK,
    REBUILD_CODES,
    StoredBatch,
    apply_receipt,
    next_batch,
    outstanding,
    read_stored,
    remove_batch_files,
    unbatch,
)
from app.store.models import Setting
from app.sync.batch import MAX_RECORDS, BatchError, sealed_sha256, verify_receipt
from app.sync.crypto import (
    KeyFormatError,
    ServerPublicKeys,
    b64decode,
    sign_document,
    verify_document,
)
from app.sync.format import canonical_json
from app.sync.protocol import (
    BATCHES_PATH,
    HEADER_CONTENT_SHA256,
    LIST_PATH,
    STATUS_CHALLENGE_PATH,
    STATUS_PATH,
    list_request,
    status_request,
)

__all__ = ["SyncResult", "pull_list", "pull_status", "server_reachable", "sync_now"]

LAST_SYNC_SETTING = "last_sync_at"
# The laptop's clock as sync reads it (a test sets it days off).
_now = clock.utc_now

FIRST_BATCH_SIZE = 20  # a small first batch finds a bad link or key cheaply
GROWTH = 2
# Batches on their way at once after the first receipt: 2 lets the laptop seal the next batch
# and apply the last receipt while the office stores the current one (measured: more than 2
# only queues at the office, which stores one batch at a time).
PIPELINE_DEPTH = 2
# The largest batch sent over the network: as many records as the office takes in one batch.
# Measured with 10,000 records (tests/bench/bench_sync.py): 2000 needs 12 requests instead of 25
# at 500, and each request costs the laptop and the office a transaction, an fsync and a round
# trip. A failing link halves the size again. (USB sticks keep sync_outbox.MAX_BATCH_SIZE.)
MAX_BATCH_SIZE = MAX_RECORDS
MIN_BATCH_SIZE = 5
MAX_CONSECUTIVE_FAILURES = 4
# A server that accepts but never answers is abandoned after this long without a byte (the
# timeout is per socket read or write, so a slow upload that keeps moving is not cut).
REQUEST_TIMEOUT = 30.0

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass
class SyncResult:
    acknowledged: int = 0
    quarantined: int = 0
    remaining: int = 0
    batches_sent: int = 0
    requests: int = 0
    bytes_sent: int = 0
    status_updates: int = 0
    list_people: int = 0  # people in the office's list just received (0: none or unchanged)
    error: str | None = None
    cancelled: bool = False

    @property
    def complete(self) -> bool:
        return self.error is None and not self.cancelled and self.remaining == 0


@dataclass
class _Delivery:
    """A stored batch on its way to the office, and the office's answer once it came (None: not
    sent, because the batch before it on the sender thread got no receipt)."""

    batch: StoredBatch
    size: int
    answer: Future[tuple[int, bytes] | None]


def _post_batch(
    server_url: str,
    batch: StoredBatch,
    data: bytes,
    pin: str | None,
    after: Future[tuple[int, bytes] | None] | None,
) -> tuple[int, bytes] | None:
    """The HTTP exchange alone (no database): runs on the sender thread, after the request
    before it (``after``); sent only if that one came back with a receipt, so a link that fails
    or an office that refuses is not sent more than the one request."""
    if after is not None:
        try:
            previous = after.result()
        except TransportFailure:
            return None
        if previous is None or previous[0] != 200:
            return None
    request = urllib.request.Request(
        url_for(server_url, BATCHES_PATH),
        data=data,
        method="POST",
        headers={"Content-Type": "application/octet-stream", HEADER_CONTENT_SHA256: batch.sha256},
    )
    return http_request(request, REQUEST_TIMEOUT, pin)


def _settle(
    ctx: AppContext, keys: ServerPublicKeys, delivery: _Delivery, result: SyncResult
) -> bool:
    """Apply the office's answer to a batch sent; False if it was not sent after all (it stays
    stored and goes again). Raises TransportFailure or SyncError."""
    batch = delivery.batch
    answer = delivery.answer.result()
    if answer is None:
        result.requests -= 1
        result.bytes_sent -= delivery.size
        return False
    status, body = answer
    if status == 200:
        try:
            receipt = verify_receipt(keys.signing, json.loads(body), batch.batch_id, batch.sha256)
        except (ValueError, UnicodeDecodeError, BatchError) as error:
            # An answer we cannot trust proves nothing: keep the batch and send it again later.
            raise TransportFailure(f"unverifiable receipt: {error}", "damaged") from error
        applied = apply_receipt(ctx, batch, receipt)
        result.acknowledged += applied.acknowledged
        result.quarantined += applied.quarantined
        result.status_updates += applied.status_updates
        result.batches_sent += 1
        return True
    code = error_code(body)
    if code == "damaged":
        raise TransportFailure("the office received damaged bytes", "damaged")
    if status in (400, 409) and code in REBUILD_CODES:
        # The office cannot use these bytes: the rows go into a fresh batch on the next sync
        # (stopping here, so a laptop sealing to the wrong key cannot loop).
        with ctx.store.transaction() as session:
            unbatch(session, batch.batch_id, f"refused: {code}", batch.audit_from)
        remove_batch_files(ctx, batch.batch_id)
        raise SyncError(refusal_reason(code))
    if status in (401, 403):
        raise SyncError(refusal_reason(code))
    if status == 429:
        raise SyncError(
            _(
                "The central office has received a lot from this laptop today. The rest will be "
                "sent next time; your records are safe."
            )
        )
    raise TransportFailure(f"HTTP {status} {code}")


def _fetch_json(request: urllib.request.Request, pin: str | None) -> Any:
    return fetch_json(request, REQUEST_TIMEOUT, pin)


def pull_status(ctx: AppContext, server_url: str) -> int:
    """Fetch the court statuses (and notes) the office owes this laptop; returns records changed.

    Each request answers a fresh challenge from the office (its clock, not the laptop's, decides
    what is fresh) and acknowledges the statuses applied by the previous one; the office's answer
    echoes the challenge, so an old answer cannot be played back either.
    """
    keys = require_enrolment(ctx)
    device_key = device_keys(ctx)
    pin = tls_pin(ctx)
    applied = 0
    for _page in range(1000):
        challenge = _fetch_json(
            urllib.request.Request(url_for(server_url, STATUS_CHALLENGE_PATH)), pin
        )
        challenge_body = verify_document(keys.signing, challenge)
        if challenge_body is None:
            raise TransportFailure("unverifiable challenge", "damaged")
        with ctx.store.transaction() as session:
            ack = pending_ack(session)
        signed = sign_document(device_key, status_request(ctx.device_id, challenge, ack))
        document = verify_document(
            keys.signing,
            _fetch_json(
                urllib.request.Request(
                    url_for(server_url, STATUS_PATH),
                    data=canonical_json(signed),
                    method="POST",
                    headers={
                        "Content-Type": "application/json",
                        HEADER_CONTENT_SHA256: sealed_sha256(canonical_json(signed)),
                    },
                ),
                pin,
            ),
        )
        if (
            document is None
            or document.get("device_id") != ctx.device_id
            or document.get("nonce") != challenge_body.get("nonce")
        ):
            # Signed answers cannot be forged, only damaged or stale: try again later.
            raise TransportFailure("unverifiable status answer", "damaged")
        with ctx.store.transaction() as session:
            changed, seen = apply_status_updates(session, document.get("updates"), clock.today())
            set_pending_ack(session, seen)  # the office has the previous acknowledgement now
        applied += changed
        if not seen:
            break
    return applied


def pull_list(ctx: AppContext, server_url: str) -> int:
    """Fetch the office's list of civil parties for this laptop's provinces if it is newer than
    the one held; returns the people now held (0: unchanged, or an office without lists)."""
    keys = require_enrolment(ctx)
    pin = tls_pin(ctx)
    challenge = _fetch_json(urllib.request.Request(url_for(server_url, STATUS_CHALLENGE_PATH)), pin)
    challenge_body = verify_document(keys.signing, challenge)
    if challenge_body is None:
        raise TransportFailure("unverifiable challenge", "damaged")
    request = canonical_json(
        sign_document(
            device_keys(ctx),
            list_request(ctx.device_id, challenge, signed_list_key(ctx), held_issued(ctx)),
        )
    )
    status, body = http_request(
        urllib.request.Request(
            url_for(server_url, LIST_PATH),
            data=request,
            method="POST",
            headers={
                "Content-Type": "application/json",
                HEADER_CONTENT_SHA256: sealed_sha256(request),
            },
        ),
        REQUEST_TIMEOUT,
        pin,
    )
    if status == 404:
        return 0  # an office from before lists: nothing to fetch
    if status != 200:
        if status in (401, 403):
            raise SyncError(refusal_reason(error_code(body)))
        raise TransportFailure(f"HTTP {status} {error_code(body)}")
    try:
        document = verify_document(keys.signing, json.loads(body))
    except (ValueError, UnicodeDecodeError) as error:
        raise TransportFailure("unreadable answer") from error
    if (
        document is None
        or document.get("device_id") != ctx.device_id
        or document.get("nonce") != challenge_body.get("nonce")
    ):
        raise TransportFailure("unverifiable list answer", "damaged")
    if document.get("unchanged") is True:
        return 0
    parts = document.get("parts")
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise TransportFailure("incomplete list answer", "damaged")
    try:
        sealed = [b64decode(part) for part in parts]
    except KeyFormatError as error:
        raise TransportFailure("incomplete list answer", "damaged") from error
    return receive_list(ctx, document.get("manifest"), sealed)


def sync_now(
    ctx: AppContext,
    server_url: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> SyncResult:
    """Send everything waiting, then fetch court statuses. Never raises for network trouble: the
    result says what happened (``error`` is a translated message)."""
    authorize(ctx, Action.SYNC)
    result = SyncResult()
    try:
        with sync_lock(ctx.home), OUTBOX_LOCK:
            _sync_locked(ctx, server_url, result, progress, cancelled)
    except SyncBusy as busy:
        result.error = str(busy)
        result.remaining = outstanding(ctx)
    return result


def _transport_message(failure: TransportFailure) -> str:
    if failure.kind == "pin":
        return _(
            "The central office's security certificate does not match the enrolment file. "
            "Nothing was sent. Please contact the office."
        )
    if failure.kind == "damaged":
        return _(
            "The transfer was damaged on the way. Nothing was lost; it will be sent again at the "
            "next sync."
        )
    if failure.kind == "silent":
        return _(
            "The central office did not answer within {seconds} seconds. Your records are safe "
            "and will be sent next time."
        ).format(seconds=int(REQUEST_TIMEOUT))
    return unreachable_message()


def _send_all(
    ctx: AppContext,
    server_url: str,
    keys: ServerPublicKeys,
    sender: ThreadPoolExecutor,
    result: SyncResult,
    progress: Progress | None,
    cancelled: Cancelled | None,
    total: int,
) -> None:
    """Send every batch. Once the office has acknowledged one, the next batch is sealed and on
    its way before the receipt of the one before is applied, so the laptop's sealing and
    database work overlap the office's (PIPELINE_DEPTH batches in flight)."""
    pin = tls_pin(ctx)
    size = FIRST_BATCH_SIZE
    failures = 0
    proven = False  # a receipt came in this sync: the link and the keys work
    in_flight: deque[_Delivery] = deque()
    try:
        while True:
            depth = PIPELINE_DEPTH if proven and failures == 0 else 1
            while len(in_flight) < depth and not result.cancelled:
                if cancelled is not None and cancelled():
                    result.cancelled = True
                    break
                flying = {delivery.batch.batch_id for delivery in in_flight}
                upcoming = next_batch(ctx, keys, size, flying)
                if upcoming is None:
                    break
                data = read_stored(ctx, upcoming)
                if data is None:
                    continue  # its file was damaged: the rows are pending again
                result.requests += 1
                result.bytes_sent += len(data)
                after = in_flight[-1].answer if in_flight else None
                answer = sender.submit(_post_batch, server_url, upcoming, data, pin, after)
                in_flight.append(_Delivery(upcoming, len(data), answer))
            if not in_flight:
                return
            try:
                if not _settle(ctx, keys, in_flight.popleft(), result):
                    continue  # held back behind a failed request: nothing was learnt
            except TransportFailure as failure:
                failures += 1
                size = max(MIN_BATCH_SIZE, size // 2)
                if failures >= MAX_CONSECUTIVE_FAILURES or failure.kind in ("silent", "pin"):
                    # a silent office is not asked again: each try would cost the full timeout
                    result.error = _transport_message(failure)
                    return
                time.sleep(min(0.05 * 2**failures, 2.0))
            except SyncError as error:
                result.error = str(error)
                return
            else:
                failures = 0
                proven = True
                size = min(MAX_BATCH_SIZE, size * GROWTH)
                if progress is not None:
                    progress(result.acknowledged + result.quarantined, total)
    finally:
        # Stopping with a batch still on its way: its receipt (if it was sent and came back)
        # is applied, so it is not sent again; any other outcome leaves it stored for next time.
        while in_flight:
            with contextlib.suppress(TransportFailure, SyncError):
                _settle(ctx, keys, in_flight.popleft(), result)


def _sync_locked(
    ctx: AppContext,
    server_url: str,
    result: SyncResult,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> None:
    try:
        keys = require_enrolment(ctx)
        if not server_url:
            raise SyncError(_("No central office address is set. Enter it on the Sync page."))
    except SyncError as error:
        result.error = str(error)
        result.remaining = outstanding(ctx)
        return
    total = outstanding(ctx)
    if progress is not None:
        progress(0, total)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-send") as sender:
        _send_all(ctx, server_url, keys, sender, result, progress, cancelled, total)
    if result.error is None and not result.cancelled:
        try:
            result.status_updates += pull_status(ctx, server_url)
            result.list_people = pull_list(ctx, server_url)
        except TransportFailure as failure:
            result.error = _transport_message(failure)
        except SyncError as error:
            result.error = str(error)
    result.remaining = outstanding(ctx)
    with ctx.store.transaction() as session:
        if result.error is None and not result.cancelled:
            session.merge(Setting(key=LAST_SYNC_SETTING, value=_now().isoformat()))
        record_audit(
            session,
            ctx,
            AuditAction.SYNC,
            details={
                "mode": "network",
                "acknowledged": result.acknowledged,
                "quarantined": result.quarantined,
                "remaining": result.remaining,
                "requests": result.requests,
                "ok": result.error is None,
            },
        )
