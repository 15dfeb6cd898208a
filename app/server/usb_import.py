"""The office's side of a USB exchange: a laptop's export read from a stick, answered on it.

Every batch the stick's manifest lists is ingested as a network upload is
(:func:`app.server.service.ingest_batch`), and the stick gets back a receipt for each, the
statuses the laptop has not acknowledged and the office's list for its provinces.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.sync.batch import MAX_SEALED_BYTES, BatchError
from app.sync.crypto import ServerKeys
from app.sync.format import canonical_json
from app.sync.stick import (
    MANIFEST_FILE,
    MAX_MANIFEST_BYTES,
    RECEIPTS_FOLDER,
    STATUSES_FOLDER,
    StickError,
    StickFolder,
    plain_name,
    stick_folder,
)

from .office_list import note_list_key, write_list_to_stick
from .service import ServerError, ingest_batch
from .statuses import apply_usb_ack, usb_status_document

_SAFE_NAME = re.compile(r"[0-9a-fA-F-]{1,64}")


def import_folder(
    sessions: sessionmaker[Session], keys: ServerKeys, folder: Path
) -> dict[str, int]:
    """Import a USB export: every batch the manifest lists, a receipt file written back for each.

    ``FOLDER/receipts/<batch_id>.json`` holds the signed receipt; a refused batch gets
    ``<batch_id>.error.json`` instead. ``FOLDER/statuses/<device_id>.json`` holds the statuses the
    laptop has not acknowledged (its acknowledgement travels in the next manifest);
    ``FOLDER/lists/`` the office's list for the provinces it serves. Returns counts of accepted and refused batches. The stick is
    hostile (see :mod:`app.sync.stick`): links, devices, names leaving the folder and oversized
    files are refused, and nothing outside the folder is read or written.
    """
    try:
        with stick_folder(folder) as stick:
            try:
                manifest = json.loads(stick.read(MANIFEST_FILE, MAX_MANIFEST_BYTES))
            except (ValueError, UnicodeDecodeError) as error:
                raise ServerError(f"{MANIFEST_FILE} on the stick is not readable JSON") from error
            items = manifest.get("batches") if isinstance(manifest, dict) else None
            if not isinstance(items, list):
                raise ServerError(f"{MANIFEST_FILE} on the stick lists no batches")
            if isinstance(manifest.get("status_ack"), dict):
                apply_usb_ack(sessions, manifest["status_ack"])
            with stick.subfolder(RECEIPTS_FOLDER, create=True) as receipts:
                counts = _import_items(sessions, keys, stick, receipts, items)
            device_id = str(manifest.get("device_id", ""))
            if _SAFE_NAME.fullmatch(device_id):
                # The statuses (and notes) this laptop has not acknowledged go back on the stick.
                with stick.subfolder(STATUSES_FOLDER, create=True) as statuses:
                    statuses.write(
                        f"{device_id}.json", usb_status_document(sessions, keys, device_id)
                    )
                # The office's list for its provinces, when the laptop's list key is known.
                if isinstance(manifest.get("list_key"), dict):
                    note_list_key(sessions, manifest["list_key"])
                with contextlib.suppress(BatchError):  # unknown or revoked: no list
                    write_list_to_stick(sessions, keys, stick, device_id)
            return counts
    except StickError as error:
        raise ServerError(_stick_refusal(error)) from error


def _stick_refusal(error: StickError) -> str:
    reasons = {
        "link": "is a symbolic link or junction",
        "name": "is a name that leaves the folder",
        "not_file": "is not a regular file",
        "too_large": "is larger than allowed",
        "missing": "is missing",
        "not_folder": "is not a folder",
    }
    reason = reasons.get(error.code, f"cannot be used ({error.detail})")
    return f"refused: {error.name} on the stick {reason}; nothing was read from or written to it"


def _import_items(
    sessions: sessionmaker[Session],
    keys: ServerKeys,
    stick: StickFolder,
    receipts: StickFolder,
    items: list[Any],
) -> dict[str, int]:
    accepted = refused = 0
    for item in items:
        batch_id = str(item.get("batch_id")) if isinstance(item, dict) else ""
        if not _SAFE_NAME.fullmatch(batch_id):
            refused += 1
            continue
        try:
            data = stick.read(plain_name(item.get("file")), MAX_SEALED_BYTES)
            if hashlib.sha256(data).hexdigest() != item.get("sha256"):
                raise BatchError("truncated", "the file does not match the manifest")
            receipt: dict[str, Any] = ingest_batch(sessions, keys, data)
        except (BatchError, StickError) as error:
            if isinstance(error, BatchError):
                code, message = error.code, error.message
            else:
                code, message = "missing", _stick_refusal(error)
            receipts.write(
                f"{batch_id}.error.json",
                canonical_json({"batch_id": batch_id, "error": code, "message": message}),
            )
            refused += 1
            continue
        receipts.write(f"{batch_id}.json", canonical_json(receipt))
        accepted += 1
    return {"accepted": accepted, "refused": refused}
