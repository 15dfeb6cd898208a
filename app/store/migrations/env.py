"""Alembic environment: migrations run on the engine the app opened (never from a URL in a file)."""

from __future__ import annotations

from alembic import context

from app.store.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
