"""Migrations on real SQLite files: the oldest schema with data is upgraded without losing a row,
the laptop's pre-migration copy is taken and opens, and models and migrations agree."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from app.store.db import MIGRATIONS_DIR, Store, create_store_engine, current_revision, head_revision
from app.store.models import Base

OLDEST = "0001"
SEARCH_TABLE = "application_search"  # FTS5 virtual table: written by SQL, not by the models
SEARCH_TABLES = (SEARCH_TABLE, "listed_people_search", "word_search")  # FTS5 and word lists


def _upgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.upgrade(config, revision)


def _value(table: str, column: dict[str, Any], row: int) -> Any:
    """A distinct value of the column's type (text carries Khmer, to check it survives)."""
    kind = str(column["type"]).upper()
    if "INT" in kind:
        return 1000 + row
    if "BOOL" in kind:
        return row % 2
    if "DATETIME" in kind:
        return f"2026-0{1 + row % 9}-1{row % 10} 08:30:00.000000"
    if "JSON" in kind:
        return f'{{"row": {row}, "name": "សុខ {table} {row}"}}'
    if "BLOB" in kind or "BINARY" in kind:
        return bytes([row, 0, 255]) * 4
    length = getattr(column["type"], "length", None) or 200
    return f"{table[:6]}-{column['name'][:8]}-{row}-ស"[:length]


def _tables_in_order(engine: Engine) -> list[str]:
    """Tables referenced by foreign keys first."""
    inspector = inspect(engine)
    tables = [
        t
        for t in inspector.get_table_names()
        if t != "alembic_version" and not t.startswith(SEARCH_TABLES)
    ]
    ordered: list[str] = []
    while len(ordered) < len(tables):
        for table in tables:
            needs = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)} - {table}
            if table not in ordered and needs <= set(ordered):
                ordered.append(table)
    return ordered


def _fill(engine: Engine, rows_per_table: int = 3) -> dict[str, list[tuple[Any, ...]]]:
    """Rows in every table of the schema, foreign keys pointing at rows that exist."""
    inspector = inspect(engine)
    written: dict[str, list[dict[str, Any]]] = {}
    for table in _tables_in_order(engine):
        foreign = {
            own: (fk["referred_table"], theirs)
            for fk in inspector.get_foreign_keys(table)
            for own, theirs in zip(fk["constrained_columns"], fk["referred_columns"], strict=True)
        }
        columns = inspector.get_columns(table)
        rows = []
        for number in range(rows_per_table):
            row = {}
            for column in columns:
                if column["name"] in foreign:
                    referred, key = foreign[column["name"]]
                    row[column["name"]] = written[referred][number][key]
                else:
                    row[column["name"]] = _value(table, column, number)
            rows.append(row)
        names = ", ".join(c["name"] for c in columns)
        marks = ", ".join(f":{c['name']}" for c in columns)
        with engine.begin() as connection:
            connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), rows)
        written[table] = rows
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO {SEARCH_TABLE}(application_id, content) VALUES (:id, :content)"),
            [{"id": row["id"], "content": "សុខ ដារ៉ា"} for row in written["applications"]],
        )
    return _snapshot(engine, {t: [c for c in rows[0]] for t, rows in written.items()})


def _snapshot(engine: Engine, columns: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``columns``' tables (only those columns), in a stable order."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table, names in columns.items():
            listed = ", ".join(names)
            found[table] = [
                tuple(row)
                for row in connection.execute(text(f"SELECT {listed} FROM {table} ORDER BY rowid"))
            ]
        found[SEARCH_TABLE] = [
            tuple(row)
            for row in connection.execute(
                text(f"SELECT application_id, content FROM {SEARCH_TABLE} ORDER BY rowid")
            )
        ]
    return found


def _oldest_store_with_data(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_store_engine(path)
    try:
        _upgrade(engine, OLDEST)
        assert current_revision(engine) == OLDEST
        return _fill(engine)
    finally:
        engine.dispose()


def _rows_like(engine: Engine, before: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    """The rows of ``before``'s tables in ``engine``, limited to the columns the old schema had
    (a later migration may add columns at the end)."""
    old = {t: len(rows[0]) for t, rows in before.items() if t != SEARCH_TABLE}
    inspector = inspect(engine)
    return _snapshot(
        engine, {t: [c["name"] for c in inspector.get_columns(t)][:n] for t, n in old.items()}
    )


def test_the_oldest_schema_with_data_upgrades_and_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "home" / "vss-outreach.db"
    path.parent.mkdir()
    before = _oldest_store_with_data(path)
    assert len(before) >= 9 and all(len(rows) == 3 for rows in before.values())

    store = Store(path)  # what the app does at start: migrate, copying the file aside first
    try:
        assert current_revision(store.engine) == head_revision() != OLDEST
        assert _rows_like(store.engine, before) == before
        copy = store.pre_migration_backup
    finally:
        store.close()

    # The laptop's pre-migration copy: the old schema with every row, and the app opens it.
    assert copy is not None and copy.exists()
    assert copy.name.startswith(f"pre-migration-{OLDEST}-")
    old_engine = create_store_engine(copy)
    try:
        assert current_revision(old_engine) == OLDEST
        assert _rows_like(old_engine, before) == before
    finally:
        old_engine.dispose()
    second = tmp_path / "restored" / "vss-outreach.db"
    second.parent.mkdir()
    shutil.copy2(copy, second)
    reopened = Store(second)
    try:
        assert current_revision(reopened.engine) == head_revision()
        assert _rows_like(reopened.engine, before) == before
    finally:
        reopened.close()


def test_a_store_at_the_newest_schema_is_not_copied_again(tmp_path: Path) -> None:
    path = tmp_path / "vss-outreach.db"
    Store(path).close()
    store = Store(path)
    try:
        assert store.pre_migration_backup is None
    finally:
        store.close()


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    """Upgrading an empty file to the newest migration gives exactly the schema of the models
    (a column added to a model without a migration, or the other way round, fails here)."""
    store = Store(tmp_path / "vss-outreach.db")
    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _parent: (
                        not (kind == "table" and str(name).startswith(SEARCH_TABLES))
                    ),
                },
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        store.close()
    assert differences == []
