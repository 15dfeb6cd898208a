"""A new epoch after a restore: references and audit numbers that the laptop may already have
given out after the backup was made are never given out again.

A backup is a copy of the past. Between the backup and the restore the laptop may have finalised
applications (references ``VSS-DDDD-NNNN-C`` with the next counter values) and written audit
entries, and some of them may already be at the office. The restored store's counters know
nothing of them, so at the first sign-in after a restore:

* references take a new four-character device part (``DDDD``), chosen to differ from every
  device part already used in this store and from the laptop's own, so no reference made from
  then on can equal one made before;
* the audit log's sequence jumps ahead by at least a million (far more than a laptop writes
  between two backups), with the restore as the first entry of the new epoch.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.reference import DEVICE_CHARS, PREFIX, device_code
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.store.models import Application, Setting

REFERENCE_DEVICE_KEY = "reference_device_id"
AUDIT_JUMP_UNIT = 1_000_000
AUDIT_JUMP_CHOICES = 64  # jumps of 1 to 64 million keep 32-bit sequence numbers at the office


def reference_device_id(session: Session, device_id: str) -> str:
    """The id whose code goes into new references (the device id until the first restore)."""
    row = session.get(Setting, REFERENCE_DEVICE_KEY)
    return str(row.value) if row is not None and row.value else device_id


def _used_device_codes(session: Session, device_id: str) -> set[str]:
    start = len(PREFIX) + 1
    used = {device_code(device_id), device_code(reference_device_id(session, device_id))}
    for reference in session.scalars(
        select(Application.reference).where(Application.reference.is_not(None))
    ):
        used.add(str(reference)[start : start + DEVICE_CHARS])
    return used


def start_new_epoch(
    session: Session, ctx: AppContext | None, device_id: str, details: Mapping[str, Any]
) -> str:
    """Take a new reference code and jump the audit sequence (inside the caller's transaction);
    returns the new four-character code."""
    used = _used_device_codes(session, device_id)
    while True:
        candidate = str(uuid.uuid4())
        code = device_code(candidate)
        if code not in used:
            break
    session.merge(Setting(key=REFERENCE_DEVICE_KEY, value=candidate))
    record_audit(
        session,
        ctx,
        AuditAction.RESTORE,
        details={**details, "new_reference_code": code},
        seq_jump=AUDIT_JUMP_UNIT * (1 + secrets.randbelow(AUDIT_JUMP_CHOICES)),
    )
    return code
