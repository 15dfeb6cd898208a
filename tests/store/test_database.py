from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app.services.context import open_app
from app.store.db import PAGE_CACHE_KIB, Store, StoreError, current_revision, head_revision
from app.store.location import DATABASE_FILE_NAME, HOME_ENV, data_dir


def test_migrations_from_empty_create_every_table(tmp_path: Path) -> None:
    store = Store(tmp_path / "fresh.db")
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert {
            "applications",
            "application_versions",
            "officers",
            "settings",
            "audit_log",
            "outbox",
            "attachments",
            "not_duplicate_decisions",
            "application_search",
        } <= tables
        assert current_revision(store.engine) == head_revision()
        assert store.pre_migration_backup is None
    finally:
        store.close()


def test_store_is_durable_wal_with_foreign_keys(tmp_path: Path) -> None:
    store = Store(tmp_path / "durable.db")
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            # Decrypted pages stay cached (issue 20: searches decrypted the same pages again).
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -PAGE_CACHE_KIB
    finally:
        store.close()


def test_search_table_matches_khmer_substrings(tmp_path: Path) -> None:
    store = Store(tmp_path / "fts.db")
    try:
        with store.transaction() as session:
            session.execute(
                text("INSERT INTO application_search(application_id, content) VALUES ('a', :c)"),
                {"c": "សុខ សុភាព sok sopheap ខេត្តបាត់ដំបង"},
            )
            hits = session.execute(
                text("SELECT application_id FROM application_search WHERE content MATCH :q"),
                {"q": '"បាត់ដំ"'},
            ).all()
        assert [row[0] for row in hits] == ["a"]
    finally:
        store.close()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    first = open_app(tmp_path)
    device_id = first.device_id
    first.close()
    second = open_app(tmp_path)
    try:
        assert second.device_id == device_id
        assert second.store.pre_migration_backup is None
    finally:
        second.close()


def test_env_var_chooses_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "portable"
    monkeypatch.setenv(HOME_ENV, str(target))
    assert data_dir() == target
    context = open_app()
    try:
        assert context.home == target
        assert (target / DATABASE_FILE_NAME).exists()
    finally:
        context.close()


def test_a_file_that_is_not_a_database_gives_a_store_error(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-db.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store(bogus)
    # Nothing was overwritten.
    assert bogus.read_bytes() == b"this is not sqlite" * 100
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(bogus).execute("select 1 from sqlite_master").fetchall()
