"""What an office watches: ``/v1/health`` (the database answers) and ``/v1/metrics`` (Prometheus
text: devices, batches, records, refusals, statuses still owed). Counts only, never names or
references; the numbers come from the database, so every worker reports the same."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .models import Batch, Conflict, Device, RecordVersion, StatusDelivery
from .service import REFERENCE_CLASH

HEALTH_PATH = "/v1/health"
METRICS_PATH = "/v1/metrics"


def database_ok(sessions: sessionmaker[Session]) -> bool:
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def metrics_text(sessions: sessionmaker[Session]) -> str:
    def count(session: Session, *where: object, model: type = RecordVersion) -> int:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return int(session.scalar(query) or 0)

    with sessions() as session:
        figures = {
            "vss_devices_enrolled": count(session, model=Device),
            "vss_devices_revoked": count(session, Device.revoked.is_(True), model=Device),
            "vss_batches_received_total": count(session, model=Batch),
            "vss_batch_bytes_received_total": int(
                session.scalar(select(func.coalesce(func.sum(Batch.size), 0))) or 0
            ),
            "vss_record_versions_stored": count(session),
            "vss_records_refused_total": count(session, model=Conflict),
            "vss_reference_clashes_total": count(
                session, Conflict.reason == REFERENCE_CLASH, model=Conflict
            ),
            "vss_statuses_owed": count(
                session, StatusDelivery.acknowledged_at.is_(None), model=StatusDelivery
            ),
        }
    return "".join(f"# TYPE {name} gauge\n{name} {value}\n" for name, value in figures.items())
