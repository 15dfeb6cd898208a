"""Court statuses (and notes) owed to each device, delivered until the device acknowledges them.

A status set for a reference becomes one :class:`StatusDelivery` row per (device, record) holding
that reference. A device fetches its unacknowledged rows (network: a challenge-response request;
USB: a signed document the office writes on the stick) and acknowledges the ids it applied in its
next request or on its next stick. The device applies a row only if its id is newer than what the
record holds, so a row delivered twice, or an old stick, changes nothing.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.core.clock import utc_now
from app.sync.batch import BatchError
from app.sync.crypto import ServerKeys, sign_document, verify_document, verify_key_from_b64
from app.sync.protocol import STATUS_CHALLENGE_SECONDS, STATUS_REQUEST_KIND

from .bulk import insert_rows
from .models import Device, RecordVersion, StatusDelivery, StatusNonce, StatusUpdate

# Statuses per answer: after a sync of 10,000 new records the office owes 10,000 "received";
# 2000 a page takes 6 challenge-and-request rounds instead of 21. A page's ids come back as the
# next request's acknowledgement, which MAX_ACKS bounds.
STATUS_PAGE = 2000
MAX_ACKS = 5000


def queue_status(
    session: Session,
    update_row: StatusUpdate,
    targets: list[tuple[str, str]] | None = None,
) -> int:
    """Owe ``update_row`` to every (device, application) holding its reference; returns how many."""
    session.flush()
    if targets is None:
        targets = list(
            session.execute(
                select(RecordVersion.device_id, RecordVersion.application_id)
                .where(RecordVersion.reference == update_row.reference)
                .distinct()
            ).tuples()
        )
    for device_id, application_id in targets:
        session.add(
            StatusDelivery(
                status_update_id=update_row.id,
                device_id=device_id,
                application_id=application_id,
                reference=update_row.reference,
                status=update_row.status,
                note=update_row.note,
            )
        )
    return len(targets)


def queue_received(
    session: Session, device_id: str, targets: list[tuple[str, str]], in_receipt: bool = False
) -> list[dict[str, Any]]:
    """Owe "received" to ``device_id`` for each (reference, application id) new at the office.

    Two statements for a whole batch, one per table: the ids are reserved first (an INSERT ...
    RETURNING that must keep the rows' order runs row by row on SQLite: 10,000 single INSERTs
    were a quarter of the office's time), so the delivery rows can name their status rows.

    ``in_receipt``: the statuses travel in the batch's receipt (returned here, as a status answer
    lists them), so they are stored as delivered. A laptop that applies a receipt applies its
    statuses in the same transaction, and keeps a batch until a receipt comes; asking for them
    again after a sync of 10,000 new records took six more rounds of 2000.
    """
    if not targets:
        return []
    now = utc_now()
    ids = _reserve_ids(session, "status_updates", len(targets))
    delivery_ids = _reserve_ids(session, "status_deliveries", len(targets))
    # On the tables (Core or COPY): the ORM's bulk INSERT sorted each row's parameters again.
    insert_rows(
        session,
        StatusUpdate,
        [
            {"id": update_id, "reference": reference, "status": "received", "at": now}
            for update_id, (reference, _application_id) in zip(ids, targets, strict=True)
        ],
    )
    rows = [
        {
            "id": delivery_id,
            "status_update_id": update_id,
            "device_id": device_id,
            "application_id": application_id,
            "reference": reference,
            "status": "received",
            "note": None,
            "at": now,
            "acknowledged_at": now if in_receipt else None,
        }
        for delivery_id, update_id, (reference, application_id) in zip(
            delivery_ids, ids, targets, strict=True
        )
    ]
    insert_rows(session, StatusDelivery, rows)
    if not in_receipt:
        return []
    return [
        _delivered(delivery_id, application_id, reference, "received", None, now)
        for delivery_id, (reference, application_id) in zip(delivery_ids, targets, strict=True)
    ]


def delivered_before(
    session: Session, device_id: str, application_ids: list[str]
) -> list[dict[str, Any]]:
    """The statuses already owed to ``device_id`` for these records, as a status answer lists them
    (a batch sealed again after its first receipt was lost holds records the office has: their
    "received" went with that receipt, and goes again with this one)."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(application_ids), 500):
        found.extend(
            _delivered(*row)
            for row in session.execute(
                _DELIVERY_COLUMNS.where(
                    StatusDelivery.device_id == device_id,
                    StatusDelivery.application_id.in_(application_ids[start : start + 500]),
                ).order_by(StatusDelivery.id)
            ).tuples()
        )
    return found


def _reserve_ids(session: Session, table: str, count: int) -> list[int]:
    """``count`` unused ids of ``table`` (status_updates or status_deliveries), ascending (a
    delivery's id order is the order devices apply)."""
    if session.get_bind().dialect.name == "postgresql":
        # From the column's own sequence: concurrent transactions never get the same id.
        return sorted(
            int(value)
            for value in session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :count)"
                ),
                {"table": table, "count": count},
            )
        )
    # SQLite: the office's transactions begin IMMEDIATE, so this one holds the only write lock
    # and nobody takes an id between this read and the INSERT (as SQLite itself picks max + 1).
    model = StatusUpdate if table == "status_updates" else StatusDelivery
    last = int(session.scalar(select(func.max(model.id))) or 0)
    return list(range(last + 1, last + 1 + count))


def issue_challenge(keys: ServerKeys) -> dict[str, Any]:
    return sign_document(keys.signing, {"nonce": secrets.token_hex(16), "issued": int(time.time())})


def enrolled_device_key(session: Session, device_id: str) -> Any:
    device = session.get(Device, device_id[:36])
    if device is None:
        raise BatchError("unknown_device", "the device is not enrolled")
    if device.revoked:
        raise BatchError("revoked_device", "the device has been revoked")
    return verify_key_from_b64(device.signing_public)


_DELIVERY_COLUMNS = select(
    StatusDelivery.id,
    StatusDelivery.application_id,
    StatusDelivery.reference,
    StatusDelivery.status,
    StatusDelivery.note,
    StatusDelivery.at,
)


def _delivered(
    seq: int, application_id: str, reference: str, status: str, note: str | None, at: Any
) -> dict[str, Any]:
    """One status as a device receives it (in a status answer or a receipt)."""
    return {
        "seq": seq,
        "application_id": application_id,
        "reference": reference,
        "status": status,
        "note": note,
        "at": at.isoformat(),
    }


def _open_rows(session: Session, device_id: str) -> list[dict[str, Any]]:
    # Columns, not entities: building a page of ORM objects cost more than reading it.
    rows = session.execute(
        _DELIVERY_COLUMNS.where(
            StatusDelivery.device_id == device_id, StatusDelivery.acknowledged_at.is_(None)
        )
        .order_by(StatusDelivery.id)
        .limit(STATUS_PAGE)
    ).tuples()
    return [_delivered(*row) for row in rows]


def _acknowledge(session: Session, device_id: str, ack: Any) -> None:
    if not isinstance(ack, list) or len(ack) > MAX_ACKS:
        raise BatchError("corrupt", "bad acknowledgement list")
    ids = [item for item in ack if isinstance(item, int)]
    for start in range(0, len(ids), 500):
        session.execute(
            update(StatusDelivery)
            .where(
                StatusDelivery.id.in_(ids[start : start + 500]),
                StatusDelivery.device_id == device_id,
                StatusDelivery.acknowledged_at.is_(None),
            )
            .values(acknowledged_at=utc_now())
        )


def verified_request(
    sessions: sessionmaker[Session], keys: ServerKeys, signed_request: Any, kind: str
) -> tuple[str, dict[str, Any], str]:
    """(device id, body, nonce) of a request of ``kind`` signed by an enrolled device around a
    fresh challenge of this office; else ``BatchError``. The nonce is spent by :func:`spend_nonce`
    in the transaction that answers."""
    body = signed_request.get("body") if isinstance(signed_request, dict) else None
    if not isinstance(body, dict) or body.get("kind") != kind:
        raise BatchError("corrupt", "not a request of this kind")
    device_id = str(body.get("device_id", ""))
    with sessions() as session:
        device_key = enrolled_device_key(session, device_id)
    if verify_document(device_key, signed_request) is None:
        raise BatchError("bad_signature", "the request signature does not match")
    challenge = verify_document(keys.signing.public_key(), body.get("challenge"))
    if challenge is None or not isinstance(challenge.get("nonce"), str):
        raise BatchError("bad_signature", "the challenge was not issued by this office")
    issued = challenge.get("issued")
    if not isinstance(issued, int) or not 0 <= time.time() - issued <= STATUS_CHALLENGE_SECONDS:
        raise BatchError("replay", "the challenge has expired; ask for a new one")
    return device_id, body, str(challenge["nonce"])[:64]


def spend_nonce(session: Session, nonce: str) -> None:
    """Mark a challenge used (IntegrityError if it was) and forget long-expired ones."""
    session.add(StatusNonce(nonce=nonce))
    session.flush()
    session.execute(
        delete(StatusNonce).where(
            StatusNonce.used_at < utc_now() - timedelta(seconds=4 * STATUS_CHALLENGE_SECONDS)
        )
    )


def deliver_statuses(
    sessions: sessionmaker[Session], keys: ServerKeys, signed_request: Any
) -> dict[str, Any]:
    """Answer a signed status request: acks applied, then the device's open statuses, signed."""
    device_id, body, nonce = verified_request(sessions, keys, signed_request, STATUS_REQUEST_KIND)
    try:
        with sessions.begin() as session:
            spend_nonce(session, nonce)
            _acknowledge(session, device_id, body.get("ack", []))
            updates = _open_rows(session, device_id)
    except IntegrityError as error:
        raise BatchError("replay", "this status request was already answered") from error
    return sign_document(
        keys.signing,
        {
            "device_id": device_id,
            "nonce": nonce,
            "updates": updates,
            "more": len(updates) == STATUS_PAGE,
        },
    )


def usb_status_document(sessions: sessionmaker[Session], keys: ServerKeys, device_id: str) -> bytes:
    """The signed statuses a device has not acknowledged, for its stick (at most one page)."""
    from app.sync.format import canonical_json

    with sessions() as session:
        updates = _open_rows(session, device_id)
    return canonical_json(
        sign_document(
            keys.signing,
            {
                "device_id": device_id,
                "nonce": None,
                "issued": time.time(),
                "updates": updates,
                "more": False,
            },
        )
    )


def apply_usb_ack(sessions: sessionmaker[Session], signed_ack: Any) -> bool:
    """Apply a device-signed acknowledgement found on a stick; False if it is not genuine."""
    body = signed_ack.get("body") if isinstance(signed_ack, dict) else None
    if not isinstance(body, dict):
        return False
    device_id = str(body.get("device_id", ""))
    try:
        with sessions.begin() as session:
            device_key = enrolled_device_key(session, device_id)
            if verify_document(device_key, signed_ack) is None:
                return False
            _acknowledge(session, device_id, body.get("ack", []))
    except BatchError:
        return False
    return True
