"""Reading the audit log: supervisors and administrators only (the writing side, with its chain
and anchor, is app.services.audit, which every service imports; this module sits above the role
check so that audit never reaches back up to it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.services.context import AppContext
from app.services.security import Action, authorize
from app.store.models import AuditEntry


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    officer_id: str | None
    action: str
    record_id: str | None
    details: dict[str, Any] | None


def list_audit(ctx: AppContext, limit: int = 500, record_id: str | None = None) -> list[AuditRow]:
    """The newest entries first; supervisors and administrators only."""
    authorize(ctx, Action.READ_AUDIT)
    with ctx.store.transaction() as session:
        statement = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
        if record_id is not None:
            statement = statement.where(AuditEntry.record_id == record_id)
        return [
            AuditRow(e.seq, e.at, e.officer_id, e.action, e.record_id, e.details)
            for e in session.scalars(statement)
        ]
