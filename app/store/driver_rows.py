"""Many rows into one table through the driver's ``executemany``, each value converted by its
column's own SQLAlchemy bind processor, exactly as ``session.execute(insert(table), rows)``
stores them.

SQLAlchemy's per-row parameter handling (a dict of bind parameters built, processed and turned
into a tuple for every row) cost a bulk import about as much as SQLite's inserts themselves.
Here the statement is compiled once per table and set of columns, and each row is one tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

_Processor = Callable[[Any], Any] | None  # a column type's bind processor
_COMPILED: dict[
    tuple[str, tuple[str, ...], tuple[str, ...], str], tuple[str, list[_Processor]]
] = {}


def _statement(
    table: Table, keys: tuple[str, ...], stored_as_is: tuple[str, ...], dialect: Dialect
) -> tuple[str, list[_Processor]] | None:
    """The INSERT's SQL and each column's processor; None if SQLAlchemy would add values of its
    own (a column default), which only its own path fills in."""
    cached = _COMPILED.get((table.name, keys, stored_as_is, dialect.name))
    if cached is not None:
        return cached
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    if dialect.paramstyle != "qmark" or tuple(compiled.positiontup or ()) != keys:
        return None
    processors: list[_Processor] = [
        None
        if key in stored_as_is
        else table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        for key in keys
    ]
    made = (str(compiled), processors)
    _COMPILED[(table.name, keys, stored_as_is, dialect.name)] = made
    return made


def insert_through_driver(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    stored_as_is: tuple[str, ...] = (),
) -> None:
    """Insert ``rows`` (all with the same keys, in the same order) into ``table`` in one
    ``executemany``. ``stored_as_is``: columns whose values are given as stored already (text
    a JSON column's processor would otherwise encode again)."""
    if not rows:
        return
    keys = tuple(rows[0])
    connection = session.connection()
    made = _statement(table, keys, stored_as_is, connection.dialect)
    if made is None:  # not met by the bulk import's tables; kept correct all the same
        connection.execute(insert(table), [dict(row) for row in rows])
        return
    sql, processors = made
    values = itemgetter(*keys)
    converting = [(index, p) for index, p in enumerate(processors) if p is not None]
    tuples = []
    for row in rows:
        if len(row) != len(keys):
            raise ValueError(f"{table.name}: rows with different columns")
        row_values = values(row) if len(keys) > 1 else (row[keys[0]],)
        if converting:
            listed = list(row_values)
            for index, processor in converting:
                listed[index] = processor(listed[index])
            row_values = tuple(listed)
        tuples.append(row_values)
    connection.exec_driver_sql(sql, tuples)
