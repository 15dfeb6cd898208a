"""The central office database (PostgreSQL in production, SQLite for a single office laptop).

Every table is keyed so that a retried or concurrent delivery cannot store anything twice: batches
by ``batch_id``, record versions by ``version_id`` (the device-made uuid), audit entries by
``(device_id, seq)``. A version that arrives again with different content is never overwritten: it
is kept in ``conflicts`` for a person to look at.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.clock import utc_now


class EncodedJSON(dict[str, Any]):
    """A JSON object stored with the text it already has (a record's canonical JSON, made once to
    check its digest) instead of being encoded again."""

    def __init__(self, value: dict[str, Any], text: str) -> None:
        super().__init__(value)
        self.text = text


def json_text(value: Any) -> str:
    """How the office stores JSON: as UTF-8 text, Khmer as it is (the default wrote each Khmer
    character as a six-byte \\u escape, twice its UTF-8 size)."""
    if isinstance(value, EncodedJSON):
        return value.text
    return json.dumps(value, ensure_ascii=False)


class ServerBase(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}  # noqa: RUF012 (SQLAlchemy reads it as is)


class Device(ServerBase):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    signing_public: Mapped[str] = mapped_column(String(64))  # base64 Ed25519 public key
    name: Mapped[str] = mapped_column(String(200), default="")
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Batch(ServerBase):
    __tablename__ = "batches"
    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    record_count: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    receipt: Mapped[dict[str, Any]] = mapped_column(JSON)  # the signed receipt, resent as is


class RecordVersion(ServerBase):
    __tablename__ = "record_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(String(36), index=True)
    batch_id: Mapped[str] = mapped_column(String(36), index=True)
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    reference: Mapped[str | None] = mapped_column(String(30), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    form_id: Mapped[str] = mapped_column(String(50))
    content_sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class Conflict(ServerBase):
    """A version id that arrived with other content than the stored one (or failed its digest)."""

    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(String(100), index=True)
    device_id: Mapped[str] = mapped_column(String(36))
    batch_id: Mapped[str] = mapped_column(String(36))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)

    __table_args__ = (UniqueConstraint("batch_id", "version_id"),)


class DeviceAudit(ServerBase):
    __tablename__ = "device_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("device_id", "seq"),)


class StatusUpdate(ServerBase):
    """A court status for an application reference; ``id`` is the cursor devices poll with."""

    __tablename__ = "status_updates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class StatusDelivery(ServerBase):
    """One status (and note) owed to one device for one of its records, until the device acks it.

    Delivery reads every unacknowledged row of the device, whatever order rows were committed in,
    so no status can be skipped (a cursor over ids passes rows committed late on PostgreSQL).
    """

    __tablename__ = "status_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status_update_id: Mapped[int] = mapped_column(Integer, index=True)
    device_id: Mapped[str] = mapped_column(String(36))
    application_id: Mapped[str] = mapped_column(String(36))
    reference: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("status_update_id", "device_id", "application_id"),
        Index("ix_status_deliveries_open", "device_id", "acknowledged_at", "id"),
    )


class StatusNonce(ServerBase):
    """A challenge the office issued and a device has used: a status request runs once."""

    __tablename__ = "status_nonces"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now, index=True)


class OfficeListPerson(ServerBase):
    """A civil party or applicant of the office's list (app.core.civil_party_list); the whole
    list is replaced by each import."""

    __tablename__ = "office_list_people"
    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    number_key: Mapped[str] = mapped_column(String(120), unique=True)
    province: Mapped[str] = mapped_column(String(2), index=True)
    person: Mapped[dict[str, Any]] = mapped_column(JSON)  # ListPerson.to_json()


class OfficeListImport(ServerBase):
    """One import of the office's list: its time is the ``issued`` of the lists sent after it."""

    __tablename__ = "office_list_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(200))
    people: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class DeviceListSetting(ServerBase):
    """Which provinces a laptop serves (named at enrolment) and the key its list is sealed to."""

    __tablename__ = "device_list_settings"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provinces: Mapped[list[str]] = mapped_column(JSON, default=list)
    list_public: Mapped[str | None] = mapped_column(String(64))  # base64 X25519
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


def normalize_url(database_url: str) -> str:
    """Accept ``postgresql://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def create_server_engine(database_url: str, migrate: bool = True) -> Engine:
    """An engine on the office database, its schema brought up to date by the Alembic migrations
    (unless ``migrate`` is false: workers leave that to ``serve``); SQLite runs in WAL mode with one
    writer at a time."""
    url = normalize_url(database_url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60},
            pool_pre_ping=True,
            json_serializer=json_text,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            # Take the write lock up front: concurrent deliveries queue instead of deadlocking.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    else:
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=10, json_serializer=json_text
        )
    if migrate:
        upgrade_schema(engine)
    return engine


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
FIRST_REVISION = "0001"
_MIGRATING = threading.Lock()


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine) -> None:
    """Run the migrations up to head; an office database from before migrations (its tables there,
    no ``alembic_version``) is first stamped as the first revision, which is its schema."""
    from alembic import command

    with _MIGRATING:  # Alembic's command context is global to the process
        config = _alembic_config(engine)
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        if "devices" in tables and "alembic_version" not in tables:
            command.stamp(config, FIRST_REVISION)
        command.upgrade(config, "head")


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return str(revision) if revision is not None else None


def migrate_schema(database_url: str) -> None:
    create_server_engine(database_url, migrate=True).dispose()
