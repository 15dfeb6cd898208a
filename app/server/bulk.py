"""Many rows into one office table with one statement: what storing a batch of 2000 records does
three times (record versions, their "received" statuses, and the deliveries of those)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import JSON, Table, insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .models import json_text


def insert_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``model``'s table in the session's
    transaction, with one statement.

    SQLite: one prepared INSERT stepped through the rows in C (executemany; measured faster than
    a multi-row VALUES statement, whose compiling cost more than it saved). PostgreSQL: COPY, which
    the server takes as one stream; an executemany sent each row as a statement of its own, and
    storing 8,000 records took twice as long (multi-row VALUES: three times as long).
    """
    if not rows:
        return
    table = cast(Table, model.__table__)
    columns = list(rows[0])
    connection = session.connection()
    if connection.dialect.name != "postgresql" or any(row.keys() != rows[0].keys() for row in rows):
        session.execute(insert(table), rows)
        return
    import psycopg  # the office's PostgreSQL driver (not in the laptop's bundle)
    from psycopg import sql

    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        json_text(row[name]) if encode and row[name] is not None else row[name]
                        for name, encode in zip(columns, as_json, strict=True)
                    ]
                )
    # As SQLAlchemy would have raised them: a concurrent delivery that stored the same version
    # first, or a deadlock, makes the caller look again (service.ingest_batch).
    except psycopg.IntegrityError as error:
        raise IntegrityError(f"COPY {table.name}", None, error) from error
    except psycopg.OperationalError as error:
        raise OperationalError(f"COPY {table.name}", None, error) from error
