"""Alembic migrations of the central office schema."""
