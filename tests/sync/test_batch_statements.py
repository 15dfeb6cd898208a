"""The office stores a batch with one statement per table, whatever its size: an INSERT on SQLite
(counted with a SQLAlchemy listener on the live server's engine), a COPY on PostgreSQL (counted on
the driver's cursor, with the rows written); over real HTTP, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func, select

from app.server.models import StatusDelivery, StatusUpdate
from app.services import sync
from app.services.context import AppContext
from tests.sync.harness import LiveServer, add_records

RECORDS = 700
_INSERT = re.compile(r'^\s*INSERT\s+INTO\s+"?(\w+)"?', re.IGNORECASE)
_COPY = re.compile(r'^\s*COPY\s+"?(\w+)"?', re.IGNORECASE)


def test_each_batch_is_one_statement_per_table(
    device: AppContext, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_records(device, RECORDS)
    transactions: list[list[tuple[str, int]]] = []
    current = threading.local()  # the transaction a COPY belongs to: its thread's last begun
    real_copy = psycopg.Cursor.copy

    @contextmanager
    def counted_copy(cursor: Any, statement: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        text = statement if isinstance(statement, str) else statement.as_string(cursor)
        match = _COPY.match(text)
        written = 0
        with real_copy(cursor, statement, *args, **kwargs) as copy:
            real_write = copy.write_row

            def write_row(row: Any) -> None:
                nonlocal written
                written += 1
                real_write(row)

            copy.write_row = write_row
            yield copy
        if match is not None:
            current.statements.append((match.group(1), written))

    monkeypatch.setattr(psycopg.Cursor, "copy", counted_copy)

    def begun(connection: Any) -> None:
        connection.info["statements"] = []
        current.statements = connection.info["statements"]
        transactions.append(connection.info["statements"])

    def executed(
        connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        match = _INSERT.match(statement)
        if match is not None and "statements" in connection.info:
            rows = len(parameters) if many else 1
            connection.info["statements"].append((match.group(1), rows))

    engine = server.app.state.engine
    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        result = sync.sync_now(device, server.url)
    finally:
        event.remove(engine, "before_cursor_execute", executed)
        event.remove(engine, "begin", begun)
    assert result.complete and result.acknowledged == RECORDS

    batches = [t for t in transactions if any(table == "batches" for table, _rows in t)]
    assert len(batches) == result.batches_sent >= 4  # sizes grow: 20, 40, 80, 160, ...
    stored = 0
    for statements in batches:
        per_table = Counter(table for table, _rows in statements)
        assert all(count == 1 for count in per_table.values()), per_table
        rows = {table: count for table, count in statements}
        assert rows["record_versions"] == rows["status_updates"] == rows["status_deliveries"]
        assert rows["record_versions"] > 1
        stored += rows["record_versions"]
    assert stored == RECORDS
    # the ids reserved for the "received" statuses are the ones the deliveries name, each once
    with server.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StatusUpdate)) == RECORDS
        linked = session.scalar(
            select(func.count(func.distinct(StatusDelivery.status_update_id))).join(
                StatusUpdate, StatusUpdate.id == StatusDelivery.status_update_id
            )
        )
        assert linked == RECORDS
