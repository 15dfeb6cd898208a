"""Sync by USB stick: the sealed batches and a manifest written to a folder for the central office,
and the office's receipts read back from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core import clock
from app.i18n import _
from app.services.audit import AuditAction, record_audit
from app.services.civil_party_sync import read_list_from_stick, signed_list_key
from app.services.context import AppContext
from app.services.court_statuses import (
    apply_status_updates,
    set_pending_ack,
    signed_ack,
)
from app.services.errors import SyncError
from app.services.security import Action, authorize
from app.services.sync_enrolment import device_keys, require_enrolment
from app.services.sync_lock import SyncBusy, sync_lock
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
from app.store.models import Setting
from app.sync.batch import BatchError, verify_receipt
from app.sync.crypto import ServerPublicKeys, verify_document
from app.sync.stick import (
    LISTS_FOLDER,
    MANIFEST_FILE,
    MAX_SMALL_FILE_BYTES,
    RECEIPTS_FOLDER,
    STATUSES_FOLDER,
    StickError,
    StickFolder,
    stick_folder,
)

USB_STATUS_ISSUED_SETTING = "sync.usb_status_issued"


def export_batches(ctx: AppContext, folder: Path) -> int:
    """Write every waiting batch (sealed), a manifest and the signed acknowledgement of the
    statuses read from earlier sticks to ``folder``; returns the record count.

    Nothing is marked synced: the rows stay ``in_batch`` until the office's receipts come back
    (:func:`import_receipts`) or the same batches are sent over the network.
    """
    authorize(ctx, Action.EXPORT_USB)
    keys = require_enrolment(ctx)
    try:
        with sync_lock(ctx.home), OUTBOX_LOCK:
            return _export_locked(ctx, keys, folder)
    except SyncBusy as busy:
        raise SyncError(str(busy)) from busy


def _export_locked(ctx: AppContext, keys: ServerPublicKeys, folder: Path) -> int:
    while build_one_batch(ctx, keys, MAX_BATCH_SIZE) is not None:
        pass
    batches = stored_batches_unlocked(ctx)
    device_key = device_keys(ctx)
    with ctx.store.transaction() as session:
        ack = signed_ack(session, ctx.device_id, device_key)
    list_key = signed_list_key(ctx)
    try:
        with stick_folder(folder, create=True) as stick:
            for batch in batches:
                stick.write(batch.path.name, batch.path.read_bytes())
            manifest = {
                "kind": "vss-outreach-export",
                "device_id": ctx.device_id,
                "created_at": clock.utc_now().isoformat(),
                "batches": [
                    {
                        "batch_id": b.batch_id,
                        "file": b.path.name,
                        "sha256": b.sha256,
                        "records": b.records,
                    }
                    for b in batches
                ],
                "status_ack": ack,
                # the key the office seals this laptop's list of civil parties to
                "list_key": list_key,
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
    """Apply the office's receipts from ``folder/receipts`` (and take the office's list from
    ``folder/lists`` when there is one); returns the records acknowledged."""
    authorize(ctx, Action.IMPORT_RECEIPTS)
    keys = require_enrolment(ctx)
    try:
        with stick_folder(folder) as stick:
            documents: list[tuple[str, dict[str, Any]]] = []
            if stick.exists(RECEIPTS_FOLDER):
                with stick.subfolder(RECEIPTS_FOLDER) as receipts_dir:
                    documents = _receipt_documents(receipts_dir)
            elif not stick.exists(LISTS_FOLDER):  # a stick with only the office's list is fine
                raise SyncError(_("No receipts were found in this folder."))
            statuses = _usb_statuses(stick, ctx.device_id, keys)
            list_problem: SyncError | None = None
            try:
                read_list_from_stick(ctx, stick)
            except SyncError as problem:  # the receipts still count; said after them
                list_problem = problem
    except StickError as error:
        raise SyncError(stick_problem(error)) from error
    if statuses is not None:
        with ctx.store.transaction() as session:
            last = session.get(Setting, USB_STATUS_ISSUED_SETTING)
            issued = statuses.get("issued")
            if isinstance(issued, (int, float)) and (last is None or issued >= float(last.value)):
                # A stick lists every status the office still awaits an acknowledgement for:
                # earlier acknowledgements reached it; these are the ones the next stick carries.
                _changed, seen = apply_status_updates(
                    session, statuses.get("updates"), clock.today()
                )
                set_pending_ack(session, seen)
                session.merge(Setting(key=USB_STATUS_ISSUED_SETTING, value=issued))
    try:
        with sync_lock(ctx.home), OUTBOX_LOCK:
            acknowledged = _apply_receipt_documents(ctx, keys, documents)
    except SyncBusy as busy:
        raise SyncError(str(busy)) from busy
    if list_problem is not None:
        raise list_problem
    return acknowledged


def _apply_receipt_documents(
    ctx: AppContext, keys: ServerPublicKeys, documents: list[tuple[str, dict[str, Any]]]
) -> int:
    acknowledged = quarantined = 0
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
        applied = apply_receipt(ctx, batch, receipt)
        acknowledged += applied.acknowledged
        quarantined += applied.quarantined
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


def _usb_statuses(stick: StickFolder, device_id: str, keys: ServerPublicKeys) -> Any:
    """The office-signed statuses for this laptop on the stick, or None (absent or not genuine)."""
    if not stick.exists(STATUSES_FOLDER):
        return None
    with stick.subfolder(STATUSES_FOLDER) as folder:
        try:
            signed = json.loads(folder.read(f"{device_id}.json", MAX_SMALL_FILE_BYTES))
        except (StickError, ValueError):
            return None
    document = verify_document(keys.signing, signed)
    if document is None or document.get("device_id") != device_id:
        return None
    return document


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
