"""Court statuses (and notes) from the central office, applied to this laptop's records.

The office owes each status to a (device, record) pair until the device acknowledges it; the
statuses come over the network or on a USB stick. A status applies to the record with its
application id only if its delivery number is newer than the one the record holds, so a status
delivered twice, or an old stick read again, changes nothing. The ids applied are kept as the
pending acknowledgement until the office has been told (next request, or next stick's manifest).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from app.services.followup import note_status_changes
from app.store.models import Application, Setting
from app.sync.crypto import sign_document
from app.sync.protocol import COURT_STATUSES

STATUS_ACK_SETTING = "sync.status_ack"
MAX_NOTE_CHARS = 2000


def pending_ack(session: Session) -> list[int]:
    row = session.get(Setting, STATUS_ACK_SETTING)
    value = row.value if row is not None else []
    return [int(item) for item in value] if isinstance(value, list) else []


def set_pending_ack(session: Session, ids: Sequence[int]) -> None:
    session.merge(Setting(key=STATUS_ACK_SETTING, value=sorted(set(ids))))


def signed_ack(session: Session, device_id: str, device_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The acknowledgement for a stick's manifest, signed so nobody else can silence statuses."""
    return sign_document(device_key, {"device_id": device_id, "ack": pending_ack(session)})


def apply_status_updates(session: Session, updates: Any, today: Any) -> tuple[int, list[int]]:
    """Apply well-formed updates (newest delivery wins); returns (records changed, ids seen)."""
    if not isinstance(updates, list):
        return 0, []
    newest: dict[str, dict[str, Any]] = {}
    seen: list[int] = []
    for item in updates:
        if not isinstance(item, dict) or not isinstance(item.get("seq"), int):
            continue
        seen.append(item["seq"])
        if item.get("status") not in COURT_STATUSES or not isinstance(
            item.get("application_id"), str
        ):
            continue
        held = newest.get(item["application_id"])
        if held is None or held["seq"] < item["seq"]:
            newest[item["application_id"]] = item
    changed: list[str] = []
    rows: list[dict[str, Any]] = []
    ids = list(newest)
    for start in range(0, len(ids), 500):
        for application_id, held_seq in session.execute(
            select(Application.id, Application.court_status_seq).where(
                Application.id.in_(ids[start : start + 500])
            )
        ).tuples():
            item = newest[application_id]
            if held_seq is not None and held_seq >= item["seq"]:
                continue  # already applied, or an older status arriving late
            note = item.get("note")
            rows.append(
                {
                    "target": application_id,
                    "court_status": str(item["status"]),
                    "court_status_note": note[:MAX_NOTE_CHARS] if isinstance(note, str) else None,
                    "court_status_seq": item["seq"],
                }
            )
            changed.append(application_id)
    if rows:
        # One prepared statement for the page, on the table: the ORM's bulk update by primary
        # key spent longer sorting its parameters per row than SQLite spent updating.
        table = cast(Table, Application.__table__)
        session.execute(update(table).where(table.c.id == bindparam("target")), rows)
    if changed:
        # The day a status arrives starts court deadlines such as Rule 53(6)'s 30 days.
        note_status_changes(session, today, changed)
    return len(changed), seen
