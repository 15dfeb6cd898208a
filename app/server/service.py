"""What the central office does with devices, batches and statuses (shared by HTTP, CLI and USB
import, whose stick handling is :mod:`app.server.usb_import`).

:func:`ingest_batch` is the heart of sync: it opens a sealed batch (refusing it whole if anything is
wrong), then in one transaction stores every new record version, notes duplicates and conflicts,
and saves the signed receipt with the batch. The receipt is only handed out after that commit, and
a batch id seen before gets its stored receipt back unchanged.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.core.clock import utc_now
from app.sync.batch import (
    BatchContent,
    BatchError,
    KnownDevice,
    Receipt,
    open_batch,
)
from app.sync.crypto import (
    KeyFormatError,
    ServerKeys,
    verify_key_from_b64,
)
from app.sync.protocol import (
    COURT_STATUSES,
    RECORD_TOO_LARGE,
    checked_record,
)

from .bulk import insert_rows
from .models import (
    Batch,
    Conflict,
    Device,
    DeviceAudit,
    EncodedJSON,
    RecordVersion,
    StatusUpdate,
)
from .statuses import delivered_before, queue_received, queue_status

_CHUNK = 500
_ATTEMPTS = 6


class ServerError(Exception):
    """An office-side operation that cannot be done (unknown device, bad status, ...)."""


def enrol_device(
    sessions: sessionmaker[Session], device_id: str, public_key: str, name: str
) -> None:
    try:
        verify_key_from_b64(public_key)
    except (KeyFormatError, ValueError) as error:
        raise ServerError(f"not an Ed25519 public key: {error}") from error
    with sessions.begin() as session:
        device = session.get(Device, device_id)
        if device is None:
            session.add(Device(id=device_id, signing_public=public_key, name=name, revoked=False))
        elif device.signing_public != public_key:
            raise ServerError(f"device {device_id} is enrolled with another key; revoke it first")
        elif device.revoked:
            raise ServerError(f"device {device_id} was revoked")


def revoke_device(sessions: sessionmaker[Session], device_id: str) -> None:
    with sessions.begin() as session:
        device = session.get(Device, device_id)
        if device is None:
            raise ServerError(f"unknown device {device_id}")
        device.revoked = True
        device.revoked_at = utc_now()


def set_status(
    sessions: sessionmaker[Session], reference: str, status: str, note: str | None = None
) -> int:
    if status not in COURT_STATUSES:
        raise ServerError(f"status must be one of {', '.join(COURT_STATUSES)}")
    with sessions.begin() as session:
        known = session.scalars(
            select(RecordVersion.id).where(RecordVersion.reference == reference).limit(1)
        ).first()
        if known is None:
            raise ServerError(f"no record with reference {reference}")
        update = StatusUpdate(reference=reference, status=status, note=note)
        session.add(update)
        queue_status(session, update)
        return update.id


def reference_clashes(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    """Records refused because another record holds their reference (for the office to resolve)."""
    with sessions() as session:
        rows = session.scalars(
            select(Conflict).where(Conflict.reason == REFERENCE_CLASH).order_by(Conflict.id)
        ).all()
        return [
            {
                "reference": row.payload.get("reference"),
                "version_id": row.version_id,
                "device_id": row.device_id,
                "application_id": row.payload.get("application_id"),
                "received_at": row.received_at.isoformat(),
            }
            for row in rows
        ]


def device_lookup(sessions: sessionmaker[Session]) -> Any:
    def lookup(device_id: str) -> KnownDevice | None:
        with sessions() as session:
            device = session.get(Device, device_id)
            if device is None:
                return None
            return KnownDevice(verify_key_from_b64(device.signing_public), device.revoked)

    return lookup


def upload_refusal(
    sessions: sessionmaker[Session], device_id: str, daily_bytes: int
) -> BatchError | None:
    """Why a device may not upload now (unknown, revoked, over its daily quota), or None."""
    with sessions() as session:
        device = session.get(Device, device_id[:36])
        if device is None:
            return BatchError("unknown_device", "the device is not enrolled")
        if device.revoked:
            return BatchError("revoked_device", "the device has been revoked")
        since = utc_now() - timedelta(days=1)
        sent = session.scalar(
            select(func.coalesce(func.sum(Batch.size), 0)).where(
                Batch.device_id == device_id, Batch.received_at >= since
            )
        )
    if int(sent or 0) >= daily_bytes:
        return BatchError("quota", "the device has sent its quota for today; try again later")
    return None


REFERENCE_CLASH = "another record already holds this reference at the office"


def _reference_owners(session: Session, records: list[dict[str, Any]]) -> dict[str, str]:
    """reference -> the application id that holds it at the office (for the batch's references)."""
    references = list({str(r["reference"]) for r in records if r.get("reference")})
    owners: dict[str, str] = {}
    for chunk in _chunks(references):
        for reference, application_id in session.execute(
            select(RecordVersion.reference, RecordVersion.application_id)
            .where(RecordVersion.reference.in_(chunk))
            .distinct()
        ).tuples():
            if reference is not None:
                owners.setdefault(reference, application_id)
    return owners


def _with_digest(encoded: bytes, digest: str) -> str:
    """The record's JSON text: its checked content's canonical JSON (an object with fields) with
    ``content_sha256`` added as the last field."""
    return f"{encoded[:-1].decode()},{json.dumps({'content_sha256': digest})[1:]}"


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _apply(
    session: Session, content: BatchContent, data_size: int, keys: ServerKeys
) -> dict[str, Any]:
    ids = [str(r.get("version_id")) for r in content.records]
    existing: dict[str, str] = {}
    for chunk in _chunks(ids):
        for version_id, digest in session.execute(
            select(RecordVersion.version_id, RecordVersion.content_sha256).where(
                RecordVersion.version_id.in_(chunk)
            )
        ).tuples():
            existing[version_id] = digest
    application_ids = list({str(r.get("application_id")) for r in content.records})
    known_applications: set[str] = set()
    for chunk in _chunks(application_ids):
        known_applications.update(
            session.scalars(
                select(RecordVersion.application_id)
                .where(RecordVersion.application_id.in_(chunk))
                .distinct()
            )
        )
    reference_owner = _reference_owners(session, content.records)
    stored: list[str] = []
    duplicates: list[str] = []
    conflicts: list[dict[str, Any]] = []
    now = utc_now()
    versions: list[dict[str, Any]] = []
    conflict_rows: list[dict[str, Any]] = []
    received: list[tuple[str, str]] = []  # (reference, application id) new to the office
    held_applications: set[str] = set()  # of the records the office had already
    # In version id order: concurrent batches holding the same records then take the unique
    # index's locks in one order and wait for each other instead of deadlocking (PostgreSQL).
    for record in sorted(content.records, key=lambda r: str(r.get("version_id"))):
        version_id = str(record.get("version_id"))
        problem, encoded = checked_record(record)
        status = 422
        if problem is None and version_id in existing:
            if existing[version_id] == record["content_sha256"]:
                duplicates.append(version_id)
                held_applications.add(str(record.get("application_id")))
                continue
            problem = "the office holds different content under this version id"
            status = 409
        reference = record.get("reference")
        owner = reference_owner.get(str(reference)) if reference else None
        if problem is None and owner is not None and owner != str(record["application_id"]):
            # Two records under one reference would let the office hand one applicant's
            # status or paper to another: refuse, and keep it for the office to sort out.
            problem = REFERENCE_CLASH
            status = 409
        if problem is not None:
            conflicts.append({"version_id": version_id, "status": status, "reason": problem})
            conflict_rows.append(
                {
                    "version_id": version_id[:100],
                    "device_id": content.device_id,
                    "batch_id": content.batch_id,
                    "content_sha256": str(record.get("content_sha256"))[:64],
                    "status": status,
                    "reason": problem,
                    # kept for a person to look at, unless it is the oversized record refused
                    "payload": record if problem != RECORD_TOO_LARGE else {},
                    "received_at": now,
                }
            )
            continue
        existing[version_id] = record["content_sha256"]
        application_id = str(record["application_id"])
        if reference:
            reference_owner[str(reference)] = application_id
        versions.append(
            {
                "version_id": version_id,
                "device_id": content.device_id,
                "batch_id": content.batch_id,
                "application_id": application_id,
                "reference": reference,
                "version_no": int(record["version_no"]),
                "form_id": str(record["form_id"]),
                "content_sha256": record["content_sha256"],
                # the checked encoding with its digest added: not encoded a second time
                "payload": EncodedJSON(record, _with_digest(encoded, record["content_sha256"])),
                "received_at": now,
            }
        )
        stored.append(version_id)
        if application_id not in known_applications and reference:
            known_applications.add(application_id)
            received.append((str(reference), application_id))
    # One statement per table for the whole batch (row by row, 10,000 records took minutes).
    insert_rows(session, Conflict, conflict_rows)
    insert_rows(session, RecordVersion, versions)
    statuses = queue_received(
        session, content.device_id, received, in_receipt=content.receipt_statuses
    )
    if content.receipt_statuses and held_applications:
        statuses += delivered_before(session, content.device_id, sorted(held_applications))
    audit_rows = _audit_head_rows(session, content)
    seqs = [int(e["seq"]) for e in content.audit if isinstance(e.get("seq"), int)]
    if seqs:
        have = set(
            session.scalars(
                select(DeviceAudit.seq).where(
                    DeviceAudit.device_id == content.device_id,
                    DeviceAudit.seq >= min(seqs),
                    DeviceAudit.seq <= max(seqs),
                )
            )
        )
        for entry in content.audit:
            seq = entry.get("seq")
            if isinstance(seq, int) and seq not in have:
                have.add(seq)
                audit_rows.append({"device_id": content.device_id, "seq": seq, "entry": entry})
    insert_rows(session, DeviceAudit, audit_rows)
    receipt = Receipt(
        batch_id=content.batch_id,
        batch_sha256=content.sha256,
        device_id=content.device_id,
        stored=stored,
        duplicates=duplicates,
        conflicts=conflicts,
        statuses=statuses,
    ).sign(keys.signing)
    session.add(
        Batch(
            batch_id=content.batch_id,
            device_id=content.device_id,
            sha256=content.sha256,
            size=data_size,
            record_count=len(content.records),
            receipt=receipt,
        )
    )
    return receipt


AUDIT_HEAD_SEQ = -1  # device_audit row holding the newest audit head a device sent
AUDIT_FLAG_SEQ = -2  # device_audit row set when a device's audit chain went backwards


def _audit_head_rows(session: Session, content: BatchContent) -> list[dict[str, Any]]:
    """Keep the newest audit head of the device; flag a chain that goes backwards. Returns the
    marker rows still to be inserted (with the batch's audit entries, in the same statement).

    A batch that was late (say, a USB stick read after a network sync) carries a head behind the
    kept one in both sequence and count: that is no sign of tampering. Backwards means the same
    sequence number with another hash, or a higher number with no more entries than before (a log
    cut and continued, or a restored backup): the office then looks at that laptop.
    """
    head = content.audit_head
    try:
        seq, count, digest = int(head["seq"]), int(head["count"]), str(head["head"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return []
    new = {"seq": seq, "count": count, "head": digest}

    def row(marker: int) -> DeviceAudit | None:
        return session.scalars(
            select(DeviceAudit).where(
                DeviceAudit.device_id == content.device_id, DeviceAudit.seq == marker
            )
        ).first()

    kept = row(AUDIT_HEAD_SEQ)
    if kept is None:
        return [{"device_id": content.device_id, "seq": AUDIT_HEAD_SEQ, "entry": new}]
    old = dict(kept.entry)
    old_seq, old_count = int(old.get("seq", 0)), int(old.get("count", 0))
    backwards = (
        (seq == old_seq and digest != old.get("head"))
        or (seq > old_seq and count <= old_count)
        or (seq < old_seq and count >= old_count)
    )
    rows: list[dict[str, Any]] = []
    if backwards:
        flag = {"flag": "audit_chain_went_backwards", "kept": old, "received": new}
        flagged = row(AUDIT_FLAG_SEQ)
        if flagged is None:
            rows.append({"device_id": content.device_id, "seq": AUDIT_FLAG_SEQ, "entry": flag})
        else:
            flagged.entry = flag
    if seq > old_seq:
        kept.entry = new
    return rows


def audit_chain_flags(sessions: sessionmaker[Session]) -> dict[str, dict[str, Any]]:
    """Devices whose audit chain went backwards, with the heads involved."""
    with sessions() as session:
        return {
            row.device_id: dict(row.entry)
            for row in session.scalars(select(DeviceAudit).where(DeviceAudit.seq == AUDIT_FLAG_SEQ))
        }


def ingest_batch(sessions: sessionmaker[Session], keys: ServerKeys, data: bytes) -> dict[str, Any]:
    """Store a sealed batch; returns its signed receipt (the stored one if it came before).

    Raises :class:`BatchError` when the batch must be refused whole (nothing is stored then).
    """
    content = open_batch(data, keys.encryption, device_lookup(sessions))
    last_error: Exception | None = None
    for attempt in range(_ATTEMPTS):
        try:
            with sessions.begin() as session:
                previous = session.get(Batch, content.batch_id)
                if previous is not None:
                    if (
                        previous.sha256 == content.sha256
                        and previous.device_id == content.device_id
                    ):
                        return dict(previous.receipt)
                    raise BatchError("replay", "this batch id was used for other bytes")
                return _apply(session, content, len(data), keys)
        except (IntegrityError, OperationalError) as error:
            # A concurrent delivery stored the same batch or version first: look again, after a
            # short random pause so two retrying deliveries do not collide again in step.
            last_error = error
            time.sleep(random.uniform(0, 0.02 * 2**attempt))
    raise RuntimeError(f"could not store batch {content.batch_id}: {last_error}")
