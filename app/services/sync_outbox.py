"""The outbox on disk: finalised versions sealed into batches, stored until a receipt signed by the
central office arrives, and the receipts applied (see ``sync`` for the guarantees).

Every function that reads or changes stored batches holds ``OUTBOX_LOCK``.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BindParameter, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from app.core import clock
from app.i18n import _
from app.services.audit import chain_head
from app.services.context import AppContext
from app.services.court_statuses import apply_status_updates
from app.services.errors import SyncError
from app.services.records import AWAITING_SIGNATURE, PAYLOAD_COLUMNS, payload_from_columns
from app.services.sync_enrolment import device_keys, require_enrolment
from app.store.models import Application, ApplicationVersion, AuditEntry, OutboxItem, Setting
from app.sync.batch import BatchTooLarge, Receipt, seal_batch, sealed_sha256
from app.sync.crypto import ServerPublicKeys

AUDIT_CURSOR_SETTING = "sync.audit_cursor"

OUTBOX_FOLDER = "outbox"
BATCH_SUFFIX = ".vsb"
META_SUFFIX = ".json"

MAX_BATCH_SIZE = 500
MAX_AUDIT_PER_BATCH = 5000

# Refusals that mean the stored bytes are unusable: build a new batch from the same rows.
REBUILD_CODES = frozenset({"corrupt", "truncated", "replay"})

OUTBOX_LOCK = threading.Lock()

# Lists of ids are bound at execution ("expanding"): written into the statement, every id of
# every batch was coerced and named by SQLAlchemy one by one, which cost more than the query.
_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)


@dataclass(frozen=True)
class StoredBatch:
    batch_id: str
    path: Path
    sha256: str
    records: int
    audit_from: int | None


def outbox_dir(ctx: AppContext) -> Path:
    folder = ctx.home / OUTBOX_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_durably(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def remove_batch_files(ctx: AppContext, batch_id: str) -> None:
    folder = outbox_dir(ctx)
    for suffix in (BATCH_SUFFIX, META_SUFFIX):
        (folder / f"{batch_id}{suffix}").unlink(missing_ok=True)


def build_one_batch(ctx: AppContext, keys: ServerPublicKeys, limit: int) -> StoredBatch | None:
    """Seal up to ``limit`` pending rows; fewer when their content would pass the office's bound."""
    while True:
        try:
            return _seal_one(ctx, keys, limit)
        except BatchTooLarge as error:
            if limit <= 1:
                raise SyncError(
                    _(
                        "A record is too large to send to the central office. Please contact the "
                        "office."
                    )
                ) from error
            limit //= 2


def _seal_one(ctx: AppContext, keys: ServerPublicKeys, limit: int) -> StoredBatch | None:
    device_key = device_keys(ctx)
    folder = outbox_dir(ctx)
    batch_id = str(uuid.uuid4())
    written = False
    try:
        with ctx.store.transaction() as session:
            chosen = _next_pending(session, limit)
            if not chosen:
                return None
            # Columns, not entities: loading 500 whole applications and versions took most of the
            # sealing time.
            found = {
                row[0]: {**payload_from_columns(row[:-1]), "content_sha256": row[-1]}
                for row in session.execute(
                    select(*PAYLOAD_COLUMNS, ApplicationVersion.content_sha256)
                    .join(Application, Application.id == ApplicationVersion.application_id)
                    .where(ApplicationVersion.id.in_(_IDS)),
                    {"ids": chosen},
                )
            }
            records = [found[version_id] for version_id in chosen]
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
            created_at = clock.utc_now().isoformat()
            sealed = seal_batch(
                batch_id=batch_id,
                device_id=ctx.device_id,
                created_at=created_at,
                records=records,
                audit=audit,
                server_public=keys.encryption,
                device_key=device_key,
                audit_head=chain_head(session),
                receipt_statuses=True,
            )
            digest = sealed_sha256(sealed)
            audit_from: int | None = int(audit[0]["seq"]) if audit else None
            path = folder / f"{batch_id}{BATCH_SUFFIX}"
            written = True
            write_durably(path, sealed)
            meta = {
                "batch_id": batch_id,
                "sha256": digest,
                "records": len(records),
                "audit_from": audit_from,
                "created_at": created_at,
            }
            write_durably(folder / f"{batch_id}{META_SUFFIX}", json.dumps(meta).encode())
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.version_id.in_(_IDS))
                .values(state="in_batch", batch_id=batch_id)
                .execution_options(synchronize_session=False),
                {"ids": [record["version_id"] for record in records]},
            )
            if audit:
                session.merge(Setting(key=AUDIT_CURSOR_SETTING, value=audit[-1]["seq"]))
    except BaseException:
        if written:
            remove_batch_files(ctx, batch_id)
        raise
    return StoredBatch(batch_id, path, digest, len(records), audit_from)


def _next_pending(session: Session, limit: int) -> list[str]:
    """The version ids of the oldest ``limit`` pending rows that may be sent.

    The outbox alone is sorted, a page at a time, and only that page is looked up in the (large)
    versions and applications: joining every pending row before sorting cost a pass over the
    whole outbox for each batch.
    """
    chosen: list[str] = []
    after: tuple[datetime, str] | None = None
    while len(chosen) < limit:
        page_query = (
            select(OutboxItem.version_id, OutboxItem.created_at)
            .where(OutboxItem.state == "pending")
            .order_by(OutboxItem.created_at, OutboxItem.version_id)
            .limit(limit)
        )
        if after is not None:
            created, version_id = after
            page_query = page_query.where(
                or_(
                    OutboxItem.created_at > created,
                    and_(OutboxItem.created_at == created, OutboxItem.version_id > version_id),
                )
            )
        page = session.execute(page_query).tuples().all()
        if not page:
            break
        ids = [version_id for version_id, _created in page]
        # Not sent before the signed paper is confirmed (Rule 23bis: a written application).
        waiting_for_paper = set(
            session.scalars(
                select(ApplicationVersion.id)
                .join(Application, Application.id == ApplicationVersion.application_id)
                .where(ApplicationVersion.id.in_(ids), Application.status == AWAITING_SIGNATURE)
            )
        )
        chosen.extend(version_id for version_id in ids if version_id not in waiting_for_paper)
        after = (page[-1][1], page[-1][0])
    return chosen[:limit]


def unbatch(session: Session, batch_id: str, reason: str, audit_from: int | None) -> None:
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
    with OUTBOX_LOCK:
        return stored_batches_unlocked(ctx)


def stored_batches_unlocked(ctx: AppContext) -> list[StoredBatch]:
    folder = outbox_dir(ctx)
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
                unbatch(session, batch_id, "stored batch file missing", None)
                continue
            batches.append((first, batch))
    for path in folder.glob(f"*{BATCH_SUFFIX}"):
        if path.stem not in open_ids:
            remove_batch_files(ctx, path.stem)
    for path in folder.glob("*.tmp"):
        path.unlink(missing_ok=True)
    return [batch for _first, batch in sorted(batches, key=lambda pair: pair[0])]


def build_pending_batches(ctx: AppContext, max_records: int = MAX_BATCH_SIZE) -> int:
    """Seal every pending row into batches of at most ``max_records``; returns how many were made."""
    keys = require_enrolment(ctx)
    made = 0
    with OUTBOX_LOCK:
        while build_one_batch(ctx, keys, max_records) is not None:
            made += 1
    return made


def read_stored(ctx: AppContext, batch: StoredBatch) -> bytes | None:
    """The stored bytes of a batch; None (its rows back to pending) when the file is damaged."""
    data = batch.path.read_bytes()
    if sealed_sha256(data) == batch.sha256:
        return data
    with ctx.store.transaction() as session:
        unbatch(session, batch.batch_id, "stored batch file damaged", batch.audit_from)
    remove_batch_files(ctx, batch.batch_id)
    return None


def outstanding(ctx: AppContext) -> int:
    with ctx.store.reading() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .join(ApplicationVersion, ApplicationVersion.id == OutboxItem.version_id)
                .join(Application, Application.id == ApplicationVersion.application_id)
                .where(OutboxItem.state.in_(("pending", "in_batch")))
                .where(Application.status != AWAITING_SIGNATURE)  # listed on Follow-up instead
            )
            or 0
        )


def next_batch(
    ctx: AppContext, keys: ServerPublicKeys, size: int, flying: set[str]
) -> StoredBatch | None:
    """The oldest stored batch not on its way already (``flying``), else a newly sealed one (or
    None: nothing to send)."""
    waiting = [b for b in stored_batches_unlocked(ctx) if b.batch_id not in flying]
    return waiting[0] if waiting else build_one_batch(ctx, keys, size)


# --- receipts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptApplied:
    acknowledged: int
    quarantined: int
    status_updates: int  # records whose court status the receipt's statuses changed


def apply_receipt(ctx: AppContext, batch: StoredBatch, receipt: Receipt) -> ReceiptApplied:
    """Mark the batch's rows from a verified receipt, and apply the court statuses it carries.

    A few UPDATE statements per batch, not one per row: the receipt of 500 records is applied
    while the next batch is already on its way. The statuses are applied in the same transaction
    as the rows are marked: the office stored them as delivered when it signed the receipt, and a
    batch is sent again (and answered with the same receipt) until its receipt is applied.
    """
    now = clock.utc_now()
    accepted = set(receipt.stored) | set(receipt.duplicates)
    refused = {c["version_id"]: c for c in receipt.conflicts}
    in_batch = update(OutboxItem).where(
        OutboxItem.batch_id == batch.batch_id, OutboxItem.state == "in_batch"
    )
    with ctx.store.transaction() as session:
        version_ids = list(
            session.scalars(
                select(OutboxItem.version_id).where(
                    OutboxItem.batch_id == batch.batch_id, OutboxItem.state == "in_batch"
                )
            )
        )
        done = [version_id for version_id in version_ids if version_id in accepted]
        quarantined = [v for v in version_ids if v not in accepted and v in refused]
        acknowledge = in_batch.values(
            state="acknowledged",
            acknowledged_at=now,
            last_error=None,
            attempts=OutboxItem.attempts + 1,
        ).execution_options(synchronize_session=False)
        if len(done) == len(version_ids):
            session.execute(acknowledge)  # the usual case: the whole batch, no list of ids
        else:
            for chunk in _chunks(done):
                session.execute(acknowledge.where(OutboxItem.version_id.in_(_IDS)), {"ids": chunk})
        for version_id in quarantined:
            conflict = refused[version_id]
            session.execute(
                in_batch.where(OutboxItem.version_id == version_id).values(
                    state="quarantined",
                    last_error=f"{conflict['status']}: {conflict['reason']}",
                    attempts=OutboxItem.attempts + 1,
                )
            )
        # Not mentioned: the office does not have them, so they are sent again.
        session.execute(
            in_batch.values(state="pending", batch_id=None, attempts=OutboxItem.attempts + 1)
        )
        _mark_applications_synced(session, done)
        changed, _seen = apply_status_updates(session, receipt.statuses, clock.today())
    remove_batch_files(ctx, batch.batch_id)
    return ReceiptApplied(len(done), len(quarantined), changed)


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _mark_applications_synced(session: Session, version_ids: list[str]) -> None:
    """Printed and final records whose current version the office holds become "synced"."""
    for chunk in _chunks(version_ids):
        # The ids first: a subquery inside the UPDATE made SQLite walk every final record.
        application_ids = list(
            session.scalars(
                select(ApplicationVersion.application_id)
                .join(Application, Application.id == ApplicationVersion.application_id)
                .where(
                    ApplicationVersion.id.in_(_IDS),
                    ApplicationVersion.version_no == Application.current_version,
                ),
                {"ids": chunk},
            )
        )
        if application_ids:
            session.execute(
                update(Application)
                .where(Application.id.in_(_IDS), Application.status.in_(("final", "printed")))
                .values(status="synced")
                .execution_options(synchronize_session=False),
                {"ids": application_ids},
            )


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
