"""Sending finalised records to the central office, over the network or by USB stick.

Guarantees: nothing is lost and nothing is sent twice as two records.

* Every finalised version has an outbox row (written with the version). :func:`build_pending_batches`
  seals pending rows into a batch, writes the sealed bytes to ``home/outbox/<batch_id>.vsb``
  (fsynced) and moves the rows to ``in_batch`` in the same transaction; a crash in between leaves
  an orphan file that is removed later, never a row without its batch.
* A stored batch is resent byte for byte until a receipt signed by the office arrives. The office
  keys everything by batch id and version id, so a resend after a lost reply is answered with the
  same receipt and stores nothing twice.
* A row becomes ``acknowledged`` only when a verified receipt lists it as stored or duplicate. A row
  the office refused (same id, other content; failed digest) is ``quarantined`` with the reason and
  never holds up the rest. A row a receipt does not mention goes back to ``pending``.

Only the standard library talks HTTP here (``urllib.request``) to keep the laptop bundle small.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.i18n import _
from app.services.audit import AuditAction, record_audit
from app.services.context import DEVICE_NAME_KEY, AppContext, get_setting
from app.services.followup import note_status_changes
from app.services.records import version_payload
from app.store.models import Application, ApplicationVersion, AuditEntry, OutboxItem, Setting
from app.sync.batch import BatchError, Receipt, seal_batch, sealed_sha256, verify_receipt
from app.sync.crypto import (
    KeyFormatError,
    ServerPublicKeys,
    b64encode,
    new_signing_key,
    private_bytes,
    public_bytes,
    signing_key_from_b64,
    verify_document,
)
from app.sync.protocol import (
    BATCHES_PATH,
    COURT_STATUSES,
    HEADER_DEVICE,
    HEADER_SIGNATURE,
    HEADER_TIME,
    PING_PATH,
    STATUS_PATH,
    status_request_message,
)

DEVICE_KEY_SETTING = "sync.device_signing_key"
SERVER_KEYS_SETTING = "sync.server_public_keys"
ENROLMENT_SETTING = "sync.enrolment"
AUDIT_CURSOR_SETTING = "sync.audit_cursor"
STATUS_CURSOR_SETTING = "sync.status_cursor"
LAST_SYNC_SETTING = "last_sync_at"

OUTBOX_FOLDER = "outbox"
BATCH_SUFFIX = ".vsb"
META_SUFFIX = ".json"
MANIFEST_FILE = "manifest.json"
RECEIPTS_FOLDER = "receipts"

FIRST_BATCH_SIZE = 20
MAX_BATCH_SIZE = 500
MIN_BATCH_SIZE = 5
MAX_AUDIT_PER_BATCH = 5000
MAX_CONSECUTIVE_FAILURES = 4
REQUEST_TIMEOUT = 60.0

# Refusals that mean the stored bytes are unusable: build a new batch from the same rows.
_REBUILD_CODES = frozenset({"corrupt", "truncated", "replay"})

_lock = threading.Lock()

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class SyncError(Exception):
    """Sync cannot go on; the message is translated and safe to show."""


@dataclass(frozen=True)
class StoredBatch:
    batch_id: str
    path: Path
    sha256: str
    records: int
    audit_from: int | None


@dataclass
class SyncResult:
    acknowledged: int = 0
    quarantined: int = 0
    remaining: int = 0
    batches_sent: int = 0
    requests: int = 0
    bytes_sent: int = 0
    status_updates: int = 0
    error: str | None = None
    cancelled: bool = False

    @property
    def complete(self) -> bool:
        return self.error is None and not self.cancelled and self.remaining == 0


class _TransportFailure(Exception):
    pass


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- keys and enrolment ------------------------------------------------------------------------


def device_keys(ctx: AppContext) -> Ed25519PrivateKey:
    """This device's Ed25519 signing key, made on first use and kept in the (encrypted) store."""
    with ctx.store.transaction() as session:
        row = session.get(Setting, DEVICE_KEY_SETTING)
        if row is None:
            key = new_signing_key()
            session.add(Setting(key=DEVICE_KEY_SETTING, value=b64encode(private_bytes(key))))
            return key
        return signing_key_from_b64(str(row.value))


def enrolment_request(ctx: AppContext) -> dict[str, Any]:
    """What the office needs to enrol this laptop (give it to ``vss-outreach-server enrol-device``)."""
    return {
        "kind": "vss-outreach-enrolment-request",
        "device_id": ctx.device_id,
        "device_name": str(get_setting(ctx, DEVICE_NAME_KEY, "") or ""),
        "signing_public": b64encode(public_bytes(device_keys(ctx).public_key())),
    }


def install_enrolment(ctx: AppContext, data: Mapping[str, Any]) -> None:
    """Trust the office keys from an enrolment file made for this device."""
    if data.get("device_id") != ctx.device_id:
        raise SyncError(_("This enrolment file was made for another laptop."))
    try:
        keys = ServerPublicKeys.from_json(dict(data))
    except (KeyError, KeyFormatError, ValueError) as error:
        raise SyncError(_("This enrolment file is damaged.")) from error
    with ctx.store.transaction() as session:
        session.merge(Setting(key=SERVER_KEYS_SETTING, value=keys.to_json()))
        session.merge(
            Setting(
                key=ENROLMENT_SETTING,
                value={"server_url": str(data.get("server_url") or ""), "at": _now().isoformat()},
            )
        )
        record_audit(session, ctx, AuditAction.SETTINGS_CHANGE, details={"sync": "enrolled"})


def server_public_keys(ctx: AppContext) -> ServerPublicKeys | None:
    stored = get_setting(ctx, SERVER_KEYS_SETTING)
    return None if stored is None else ServerPublicKeys.from_json(stored)


def is_enrolled(ctx: AppContext) -> bool:
    return get_setting(ctx, SERVER_KEYS_SETTING) is not None


def _require_enrolment(ctx: AppContext) -> ServerPublicKeys:
    keys = server_public_keys(ctx)
    if keys is None:
        raise SyncError(_("This laptop is not enrolled with the central office yet."))
    return keys


# --- stored batches ----------------------------------------------------------------------------


def _outbox_dir(ctx: AppContext) -> Path:
    folder = ctx.home / OUTBOX_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write_durably(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _remove_batch_files(ctx: AppContext, batch_id: str) -> None:
    folder = _outbox_dir(ctx)
    for suffix in (BATCH_SUFFIX, META_SUFFIX):
        (folder / f"{batch_id}{suffix}").unlink(missing_ok=True)


def _build_one(ctx: AppContext, keys: ServerPublicKeys, limit: int) -> StoredBatch | None:
    device_key = device_keys(ctx)
    folder = _outbox_dir(ctx)
    batch_id = str(uuid.uuid4())
    written = False
    try:
        with ctx.store.transaction() as session:
            rows = session.execute(
                select(OutboxItem, ApplicationVersion, Application)
                .join(ApplicationVersion, ApplicationVersion.id == OutboxItem.version_id)
                .join(Application, Application.id == ApplicationVersion.application_id)
                .where(OutboxItem.state == "pending")
                .order_by(OutboxItem.created_at, OutboxItem.version_id)
                .limit(limit)
            ).all()
            if not rows:
                return None
            records = [
                {**version_payload(application, version), "content_sha256": version.content_sha256}
                for _item, version, application in rows
            ]
            cursor_row = session.get(Setting, AUDIT_CURSOR_SETTING)
            cursor = int(cursor_row.value) if cursor_row is not None else 0
            audit: list[dict[str, Any]] = [
                {
                    "seq": entry.seq,
                    "at": entry.at.isoformat(),
                    "officer_id": entry.officer_id,
                    "action": entry.action,
                    "record_id": entry.record_id,
                    "details": entry.details,
                    "prev_hash": entry.prev_hash,
                    "entry_hash": entry.entry_hash,
                }
                for entry in session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.seq > cursor)
                    .order_by(AuditEntry.seq)
                    .limit(MAX_AUDIT_PER_BATCH)
                )
            ]
            created_at = _now().isoformat()
            sealed = seal_batch(
                batch_id=batch_id,
                device_id=ctx.device_id,
                created_at=created_at,
                records=records,
                audit=audit,
                server_public=keys.encryption,
                device_key=device_key,
            )
            digest = sealed_sha256(sealed)
            audit_from: int | None = int(audit[0]["seq"]) if audit else None
            path = folder / f"{batch_id}{BATCH_SUFFIX}"
            written = True
            _write_durably(path, sealed)
            meta = {
                "batch_id": batch_id,
                "sha256": digest,
                "records": len(records),
                "audit_from": audit_from,
                "created_at": created_at,
            }
            _write_durably(folder / f"{batch_id}{META_SUFFIX}", json.dumps(meta).encode())
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.version_id.in_([item.version_id for item, _v, _a in rows]))
                .values(state="in_batch", batch_id=batch_id)
            )
            if audit:
                session.merge(Setting(key=AUDIT_CURSOR_SETTING, value=audit[-1]["seq"]))
    except BaseException:
        if written:
            _remove_batch_files(ctx, batch_id)
        raise
    return StoredBatch(batch_id, path, digest, len(records), audit_from)


def _unbatch(session: Session, batch_id: str, reason: str, audit_from: int | None) -> None:
    """Put a batch's rows back to pending (their stored bytes are gone or unusable)."""
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.batch_id == batch_id, OutboxItem.state == "in_batch")
        .values(state="pending", batch_id=None, last_error=reason)
    )
    if audit_from is not None:
        row = session.get(Setting, AUDIT_CURSOR_SETTING)
        if row is not None and int(row.value) >= audit_from:
            row.value = audit_from - 1


def stored_batches(ctx: AppContext) -> list[StoredBatch]:
    """Sealed batches waiting for a receipt, oldest first; tidies files and rows that lost each other."""
    with _lock:
        return _stored_batches(ctx)


def _stored_batches(ctx: AppContext) -> list[StoredBatch]:
    folder = _outbox_dir(ctx)
    with ctx.store.transaction() as session:
        open_ids = {
            batch_id: (count, first)
            for batch_id, count, first in session.execute(
                select(OutboxItem.batch_id, func.count(), func.min(OutboxItem.created_at))
                .where(OutboxItem.state == "in_batch")
                .group_by(OutboxItem.batch_id)
            ).tuples()
            if batch_id is not None
        }
        batches: list[tuple[Any, StoredBatch]] = []
        for batch_id, (_count, first) in open_ids.items():
            path = folder / f"{batch_id}{BATCH_SUFFIX}"
            meta_path = folder / f"{batch_id}{META_SUFFIX}"
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                batch = StoredBatch(
                    batch_id, path, str(meta["sha256"]), int(meta["records"]), meta["audit_from"]
                )
                if not path.exists():
                    raise FileNotFoundError(path)
            except (OSError, ValueError, KeyError):
                _unbatch(session, batch_id, "stored batch file missing", None)
                continue
            batches.append((first, batch))
    for path in folder.glob(f"*{BATCH_SUFFIX}"):
        if path.stem not in open_ids:
            _remove_batch_files(ctx, path.stem)
    for path in folder.glob("*.tmp"):
        path.unlink(missing_ok=True)
    return [batch for _first, batch in sorted(batches, key=lambda pair: pair[0])]


def build_pending_batches(ctx: AppContext, max_records: int = MAX_BATCH_SIZE) -> int:
    """Seal every pending row into batches of at most ``max_records``; returns how many were made."""
    keys = _require_enrolment(ctx)
    made = 0
    with _lock:
        while _build_one(ctx, keys, max_records) is not None:
            made += 1
    return made


# --- receipts ----------------------------------------------------------------------------------


def _apply_receipt(ctx: AppContext, batch: StoredBatch, receipt: Receipt) -> tuple[int, int]:
    """Mark the batch's rows from a verified receipt; returns (acknowledged, quarantined)."""
    now = _now()
    accepted = set(receipt.stored) | set(receipt.duplicates)
    refused = {c["version_id"]: c for c in receipt.conflicts}
    acknowledged = quarantined = 0
    with ctx.store.transaction() as session:
        items = session.scalars(
            select(OutboxItem).where(
                OutboxItem.batch_id == batch.batch_id, OutboxItem.state == "in_batch"
            )
        ).all()
        done_versions: list[str] = []
        for item in items:
            item.attempts += 1
            if item.version_id in accepted:
                item.state = "acknowledged"
                item.acknowledged_at = now
                item.last_error = None
                acknowledged += 1
                done_versions.append(item.version_id)
            elif item.version_id in refused:
                conflict = refused[item.version_id]
                item.state = "quarantined"
                item.last_error = f"{conflict['status']}: {conflict['reason']}"
                quarantined += 1
            else:  # not mentioned: the office does not have it, so send it again
                item.state = "pending"
                item.batch_id = None
        _mark_applications_synced(session, done_versions)
    _remove_batch_files(ctx, batch.batch_id)
    return acknowledged, quarantined


def _mark_applications_synced(session: Session, version_ids: list[str]) -> None:
    for start in range(0, len(version_ids), 500):
        chunk = version_ids[start : start + 500]
        for application, _version in session.execute(
            select(Application, ApplicationVersion)
            .join(ApplicationVersion, ApplicationVersion.application_id == Application.id)
            .where(
                ApplicationVersion.id.in_(chunk),
                ApplicationVersion.version_no == Application.current_version,
            )
        ).tuples():
            if application.status in ("final", "printed"):
                application.status = "synced"


def _unreachable() -> str:
    return _(
        "The central office could not be reached. Your records are safe and will be sent next time."
    )


def _refusal_reason(code: str) -> str:
    if code == "revoked_device":
        return _("This laptop has been blocked by the central office. Please contact the office.")
    if code in ("unknown_device", "bad_signature"):
        return _("The central office does not recognise this laptop. Please enrol it again.")
    if code == "bad_receipt":
        return _("The central office sent a reply that could not be verified.")
    return _("The central office refused a batch; it will be sent again.")


# --- network -----------------------------------------------------------------------------------


def _url(server_url: str, path: str) -> str:
    return server_url.rstrip("/") + path


def _request(request: urllib.request.Request, timeout: float) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        try:
            return int(error.code), error.read()
        except (OSError, HTTPException):
            return int(error.code), b""
    except (urllib.error.URLError, OSError, HTTPException, ValueError) as error:
        raise _TransportFailure(str(error)) from error


def server_reachable(url: str, timeout: float = 5.0) -> bool:
    """Whether the office answers its ping (false for any network problem)."""
    try:
        status, _body = _request(urllib.request.Request(_url(url, PING_PATH)), timeout)
    except _TransportFailure:
        return False
    return status == 200


def _error_code(body: bytes) -> str:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    return str(document.get("error", "")) if isinstance(document, dict) else ""


def _send_batch(
    ctx: AppContext, server_url: str, keys: ServerPublicKeys, batch: StoredBatch, result: SyncResult
) -> None:
    """Send one stored batch and apply its receipt; raises _TransportFailure or SyncError."""
    data = batch.path.read_bytes()
    if sealed_sha256(data) != batch.sha256:
        with ctx.store.transaction() as session:
            _unbatch(session, batch.batch_id, "stored batch file damaged", batch.audit_from)
        _remove_batch_files(ctx, batch.batch_id)
        return
    request = urllib.request.Request(
        _url(server_url, BATCHES_PATH),
        data=data,
        method="POST",
        headers={"Content-Type": "application/octet-stream"},
    )
    result.requests += 1
    result.bytes_sent += len(data)
    status, body = _request(request, REQUEST_TIMEOUT)
    if status == 200:
        try:
            receipt = verify_receipt(keys.signing, json.loads(body), batch.batch_id, batch.sha256)
        except (ValueError, UnicodeDecodeError, BatchError) as error:
            # An answer we cannot trust proves nothing: keep the batch and send it again later.
            raise _TransportFailure(f"unverifiable receipt: {error}") from error
        acknowledged, quarantined = _apply_receipt(ctx, batch, receipt)
        result.acknowledged += acknowledged
        result.quarantined += quarantined
        result.batches_sent += 1
        return
    code = _error_code(body)
    if status in (400, 409) and code in _REBUILD_CODES:
        # The office cannot use these bytes: the rows go into a fresh batch on the next sync
        # (stopping here, so a laptop sealing to the wrong key cannot loop).
        with ctx.store.transaction() as session:
            _unbatch(session, batch.batch_id, f"refused: {code}", batch.audit_from)
        _remove_batch_files(ctx, batch.batch_id)
        raise SyncError(_refusal_reason(code))
    if status in (401, 403):
        raise SyncError(_refusal_reason(code))
    raise _TransportFailure(f"HTTP {status} {code}")


def _outstanding(ctx: AppContext) -> int:
    with ctx.store.transaction() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.state.in_(("pending", "in_batch")))
            )
            or 0
        )


def pull_status(ctx: AppContext, server_url: str) -> int:
    """Fetch court statuses for this laptop's records into ``Application.court_status``."""
    keys = _require_enrolment(ctx)
    device_key = device_keys(ctx)
    applied = 0
    for _page in range(1000):
        since = int(get_setting(ctx, STATUS_CURSOR_SETTING, 0) or 0)
        timestamp = int(time.time())
        signature = device_key.sign(status_request_message(ctx.device_id, since, timestamp))
        request = urllib.request.Request(
            _url(server_url, STATUS_PATH) + "?" + urllib.parse.urlencode({"since": since}),
            headers={
                HEADER_DEVICE: ctx.device_id,
                HEADER_TIME: str(timestamp),
                HEADER_SIGNATURE: b64encode(signature),
            },
        )
        status, body = _request(request, REQUEST_TIMEOUT)
        if status != 200:
            if status in (401, 403):
                raise SyncError(_refusal_reason(_error_code(body)))
            raise _TransportFailure(f"HTTP {status}")
        try:
            document = verify_document(keys.signing, json.loads(body))
        except (ValueError, UnicodeDecodeError):
            document = None
        if document is None or document.get("device_id") != ctx.device_id:
            raise SyncError(_refusal_reason("bad_receipt"))
        if document.get("since") != since:
            raise SyncError(_refusal_reason("bad_receipt"))
        updates = document.get("updates", [])
        latest: dict[str, str] = {}  # in cursor order, so the last status of a record wins
        for item in updates:
            if item.get("status") in COURT_STATUSES and isinstance(item.get("reference"), str):
                latest[item["reference"]] = str(item["status"])
        by_status: dict[str, list[str]] = {}
        for reference, court_status in latest.items():
            by_status.setdefault(court_status, []).append(reference)
        with ctx.store.transaction() as session:
            for court_status, references in by_status.items():
                for start in range(0, len(references), 500):
                    changed = session.execute(
                        update(Application)
                        .where(Application.reference.in_(references[start : start + 500]))
                        .values(court_status=court_status)
                    )
                    applied += int(getattr(changed, "rowcount", 0) or 0)
            session.merge(Setting(key=STATUS_CURSOR_SETTING, value=int(document["cursor"])))
            # The day a status arrives starts court deadlines such as Rule 53(6)'s 30 days.
            note_status_changes(session, _now().date())
        if not document.get("more"):
            break
    return applied


def sync_now(
    ctx: AppContext,
    server_url: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> SyncResult:
    """Send everything waiting, then fetch court statuses. Never raises for network trouble: the
    result says what happened (``error`` is a translated message)."""
    result = SyncResult()
    with _lock:
        try:
            keys = _require_enrolment(ctx)
        except SyncError as error:
            result.error = str(error)
            result.remaining = _outstanding(ctx)
            return result
        total = _outstanding(ctx)
        size = FIRST_BATCH_SIZE
        failures = 0
        if progress is not None:
            progress(0, total)
        while True:
            if cancelled is not None and cancelled():
                result.cancelled = True
                break
            waiting = _stored_batches(ctx)
            batch = waiting[0] if waiting else _build_one(ctx, keys, size)
            if batch is None:
                break
            try:
                _send_batch(ctx, server_url, keys, batch, result)
            except _TransportFailure:
                failures += 1
                size = max(MIN_BATCH_SIZE, size // 2)
                if failures >= MAX_CONSECUTIVE_FAILURES:
                    result.error = _unreachable()
                    break
                time.sleep(min(0.05 * 2**failures, 2.0))
                continue
            except SyncError as error:
                result.error = str(error)
                break
            failures = 0
            size = min(MAX_BATCH_SIZE, size * 2)
            if progress is not None:
                progress(result.acknowledged + result.quarantined, total)
        if result.error is None and not result.cancelled:
            try:
                result.status_updates = pull_status(ctx, server_url)
            except _TransportFailure:
                result.error = _unreachable()
            except SyncError as error:
                result.error = str(error)
        result.remaining = _outstanding(ctx)
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
    return result


# --- USB ---------------------------------------------------------------------------------------


def export_batches(ctx: AppContext, folder: Path) -> int:
    """Write every waiting batch (sealed) and a manifest to ``folder``; returns the record count.

    Nothing is marked synced: the rows stay ``in_batch`` until the office's receipts come back
    (:func:`import_receipts`) or the same batches are sent over the network.
    """
    keys = _require_enrolment(ctx)
    with _lock:
        while _build_one(ctx, keys, MAX_BATCH_SIZE) is not None:
            pass
        batches = _stored_batches(ctx)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for batch in batches:
                target = folder / batch.path.name
                shutil.copyfile(batch.path, target.with_name(target.name + ".tmp"))
                with target.with_name(target.name + ".tmp").open("rb+") as handle:
                    os.fsync(handle.fileno())
                os.replace(target.with_name(target.name + ".tmp"), target)
            manifest = {
                "kind": "vss-outreach-export",
                "device_id": ctx.device_id,
                "created_at": _now().isoformat(),
                "batches": [
                    {
                        "batch_id": b.batch_id,
                        "file": b.path.name,
                        "sha256": b.sha256,
                        "records": b.records,
                    }
                    for b in batches
                ],
            }
            _write_durably(folder / MANIFEST_FILE, json.dumps(manifest, indent=1).encode())
        except OSError as error:
            raise SyncError(
                _("The folder cannot be written to: {error}").format(error=error.strerror or error)
            ) from error
        records = sum(b.records for b in batches)
        with ctx.store.transaction() as session:
            record_audit(
                session,
                ctx,
                AuditAction.SYNC,
                details={"mode": "usb_export", "batches": len(batches), "records": records},
            )
    return records


def import_receipts(ctx: AppContext, folder: Path) -> int:
    """Apply the office's receipts from ``folder/receipts``; returns the records acknowledged."""
    keys = _require_enrolment(ctx)
    receipts_dir = folder / RECEIPTS_FOLDER
    if not receipts_dir.is_dir():
        raise SyncError(_("No receipts were found in this folder."))
    acknowledged = quarantined = 0
    with _lock:
        waiting = {batch.batch_id: batch for batch in _stored_batches(ctx)}
        for path in sorted(receipts_dir.glob("*.json")):
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if path.name.endswith(".error.json"):
                batch = waiting.get(str(document.get("batch_id")))
                if batch is not None and document.get("error") in _REBUILD_CODES:
                    with ctx.store.transaction() as session:
                        _unbatch(
                            session,
                            batch.batch_id,
                            f"refused: {document['error']}",
                            batch.audit_from,
                        )
                    _remove_batch_files(ctx, batch.batch_id)
                continue
            body = document.get("body") if isinstance(document, dict) else None
            batch = waiting.get(str(body.get("batch_id"))) if isinstance(body, dict) else None
            if batch is None:
                continue  # already applied, or not ours
            try:
                receipt = verify_receipt(keys.signing, document, batch.batch_id, batch.sha256)
            except BatchError:
                continue
            done, refused = _apply_receipt(ctx, batch, receipt)
            acknowledged += done
            quarantined += refused
        with ctx.store.transaction() as session:
            record_audit(
                session,
                ctx,
                AuditAction.SYNC,
                details={
                    "mode": "usb_receipts",
                    "acknowledged": acknowledged,
                    "quarantined": quarantined,
                },
            )
    return acknowledged


@dataclass(frozen=True)
class QuarantinedRecord:
    reference: str | None
    name_km: str
    reason: str


def quarantined_records(ctx: AppContext, limit: int = 200) -> list[QuarantinedRecord]:
    """Records the office refused, with the reason, for the officer to correct."""
    with ctx.store.transaction() as session:
        rows = session.execute(
            select(Application.reference, Application.name_km, OutboxItem.last_error)
            .join(ApplicationVersion, ApplicationVersion.id == OutboxItem.version_id)
            .join(Application, Application.id == ApplicationVersion.application_id)
            .where(OutboxItem.state == "quarantined")
            .order_by(OutboxItem.created_at)
            .limit(limit)
        ).all()
    return [QuarantinedRecord(ref, name or "", reason or "") for ref, name, reason in rows]
