"""Alembic environment: migrations run on the engine the office opened (never from a URL in a file).

On PostgreSQL an advisory lock makes a second process that migrates at the same moment wait for the
first and then find nothing left to do.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from app.server.models import ServerBase

MIGRATION_LOCK = 0x56535353  # any constant shared by every office process

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(connection=connection, target_metadata=ServerBase.metadata)
    context.run_migrations()
