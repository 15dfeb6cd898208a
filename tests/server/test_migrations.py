"""The office schema is managed by Alembic: an upgrade keeps the data, an office database from before
migrations is adopted, and the migrated schema is exactly the models'."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from app.server.models import (
    ServerBase,
    StatusDelivery,
    _alembic_config,
    create_server_engine,
    normalize_url,
    schema_revision,
    upgrade_schema,
)


def _old_office(database_url: str) -> None:
    """An office database at revision 0001 holding a device, a record and its statuses."""
    engine = create_engine(normalize_url(database_url))
    command.upgrade(_alembic_config(engine), "0001")
    now = datetime(2026, 1, 5, 9, 0)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO devices (id, signing_public, name, revoked, enrolled_at) "
                "VALUES ('dev-1', 'key', 'Laptop 7', false, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO record_versions (version_id, device_id, batch_id, application_id, "
                "reference, version_no, form_id, content_sha256, payload, received_at) VALUES "
                "('v-1', 'dev-1', 'b-1', 'app-1', 'REF-1', 1, 'complaint', 'x', '{}', :now)"
            ),
            {"now": now},
        )
        for status in ("received", "admitted"):
            connection.execute(
                text(
                    "INSERT INTO status_updates (reference, status, note, at) "
                    "VALUES ('REF-1', :status, 'a note', :now)"
                ),
                {"status": status, "now": now},
            )
    engine.dispose()


def test_an_upgrade_keeps_the_data_and_owes_old_statuses_again(database_url: str) -> None:
    _old_office(database_url)
    engine = create_server_engine(database_url)  # migrates to head
    try:
        assert schema_revision(engine) == "0003"  # the newest revision
        with Session(engine) as session:
            rows = session.scalars(select(StatusDelivery).order_by(StatusDelivery.id)).all()
            assert [(r.device_id, r.application_id, r.status, r.note) for r in rows] == [
                ("dev-1", "app-1", "received", "a note"),
                ("dev-1", "app-1", "admitted", "a note"),
            ]
            assert session.scalar(text("SELECT name FROM devices")) == "Laptop 7"
        upgrade_schema(engine)  # again: nothing to do, nothing doubled
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(StatusDelivery)) == 2
    finally:
        engine.dispose()


def test_a_database_from_before_migrations_is_adopted(database_url: str) -> None:
    _old_office(database_url)
    engine = create_engine(normalize_url(database_url))
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))  # as create_all() left it
    engine.dispose()
    engine = create_server_engine(database_url)
    try:
        assert schema_revision(engine) == "0003"  # the newest revision
    finally:
        engine.dispose()


def test_the_migrated_schema_is_the_models_schema(database_url: str) -> None:
    engine = create_server_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection), ServerBase.metadata
            )
    finally:
        engine.dispose()
    assert differences == []
