"""Sync by USB stick: the sealed batches and a manifest written to a folder for the central office,
and the office's receipts read back from it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.i18n import _
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.errors import SyncError
from app.services.sync_enrolment import require_enrolment
from app.services.sync_outbox import (
    MAX_BATCH_SIZE,
    OUTBOX_LOCK,
    REBUILD_CODES,
    apply_receipt,
    build_one_batch,
    remove_batch_files,
    stored_batches_unlocked,
    unbatch,
)
from app.services.usb_stick import stick_problem
from app.sync.batch import BatchError, verify_receipt
from app.sync.stick import MAX_SMALL_FILE_BYTES, StickError, StickFolder, stick_folder

MANIFEST_FILE = "manifest.json"
RECEIPTS_FOLDER = "receipts"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def export_batches(ctx: AppContext, folder: Path) -> int:
    """Write every waiting batch (sealed) and a manifest to ``folder``; returns the record count.

    Nothing is marked synced: the rows stay ``in_batch`` until the office's receipts come back
    (:func:`import_receipts`) or the same batches are sent over the network.
    """
    keys = require_enrolment(ctx)
    with OUTBOX_LOCK:
        while build_one_batch(ctx, keys, MAX_BATCH_SIZE) is not None:
            pass
        batches = stored_batches_unlocked(ctx)
        try:
            with stick_folder(folder, create=True) as stick:
                for batch in batches:
                    stick.write(batch.path.name, batch.path.read_bytes())
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
                stick.write(MANIFEST_FILE, json.dumps(manifest, indent=1).encode())
        except StickError as error:
            raise SyncError(stick_problem(error)) from error
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
    keys = require_enrolment(ctx)
    try:
        with stick_folder(folder) as stick:
            if not stick.exists(RECEIPTS_FOLDER):
                raise SyncError(_("No receipts were found in this folder."))
            with stick.subfolder(RECEIPTS_FOLDER) as receipts_dir:
                documents = _receipt_documents(receipts_dir)
    except StickError as error:
        raise SyncError(stick_problem(error)) from error
    acknowledged = quarantined = 0
    with OUTBOX_LOCK:
        waiting = {batch.batch_id: batch for batch in stored_batches_unlocked(ctx)}
        for name, document in documents:
            if name.endswith(".error.json"):
                batch = waiting.get(str(document.get("batch_id")))
                if batch is not None and document.get("error") in REBUILD_CODES:
                    with ctx.store.transaction() as session:
                        unbatch(
                            session,
                            batch.batch_id,
                            f"refused: {document['error']}",
                            batch.audit_from,
                        )
                    remove_batch_files(ctx, batch.batch_id)
                continue
            body = document.get("body") if isinstance(document, dict) else None
            batch = waiting.get(str(body.get("batch_id"))) if isinstance(body, dict) else None
            if batch is None:
                continue  # already applied, or not ours
            try:
                receipt = verify_receipt(keys.signing, document, batch.batch_id, batch.sha256)
            except BatchError:
                continue
            done, refused = apply_receipt(ctx, batch, receipt)
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


def _receipt_documents(receipts_dir: StickFolder) -> list[tuple[str, dict[str, Any]]]:
    """Each readable receipt document on the stick (links, devices, huge or bad files skipped)."""
    documents: list[tuple[str, dict[str, Any]]] = []
    for name in receipts_dir.names():
        if not name.endswith(".json"):
            continue
        try:
            document = json.loads(receipts_dir.read(name, MAX_SMALL_FILE_BYTES))
        except (StickError, ValueError):
            continue
        if isinstance(document, dict):
            documents.append((name, document))
    return documents
