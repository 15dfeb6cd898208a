"""Which index a filtered page of the registry listing is read from.

With a filter the store has an index for (status, forum, village), SQLite reads every match from
that index and sorts them all by the listing's order before it returns a page: at 100,000
records 0.5-1.1 s per page on the UI thread (status "final" by Khmer name sorts every record),
ten times that at 1,000,000. Reading the order's own index instead (app.store.models: each order
has one) and skipping the rows the filter leaves out gives a page after reading about
page size x records / matches rows: a few hundred when a filter keeps a large share of the
records, as a status or a forum usually does, but every record when it keeps almost none.

So each indexed filter's matches are first counted in its own index, up to a bound (index
entries only: the table is not read). Fewer than the bound: the page is read from the rarest
filter's index and sorted, as before (a sort of fewer than the bound). More: the page is read
from the order's index. The bound is where both cost the same, the square root of page size x
records, so for one filter neither reads more than about that many rows (14,000 at 1,000,000
records and pages of 200) instead of every match. (Filters with no index of their own, the form
and the officer's own records, are checked row by row as before.) Terms are steered with
SQLite's unary "+", which keeps a term from choosing an index and changes nothing else.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import UnaryExpression, func, literal, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.operators import custom_op

from app.store.models import Application

# The filters with an index of their own (app.store.models), by column name.
INDEXED_FILTERS = frozenset(
    column.key for column in (Application.status, Application.forum, Application.village_code)
)
FEWEST_BOUND = 1000  # below this many matches a sort costs nothing worth steering


def without_index(column: Any) -> Any:
    """``+column``: SQLite then uses no index for a term on it (nor looks a table up by it)."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def matches_bound(session: Session, page_size: int) -> int:
    """How many matches a filter may have and still be read from its index and sorted: the
    square root of page size x records (the largest rowid: one index seek, no count)."""
    rowid: Any = literal_column("applications.rowid")
    records = int(session.scalar(select(func.max(rowid)).select_from(Application)) or 0)
    return max(FEWEST_BOUND, math.isqrt(page_size * records))


def _matches_up_to(session: Session, column: Any, value: Any, bound: int) -> int:
    capped = select(literal(1)).where(column == value).limit(bound).subquery()
    return int(session.scalar(select(func.count()).select_from(capped)) or 0)


def page_filters(session: Session, filters: dict[str, Any], sort: str, page_size: int) -> list[Any]:
    """The terms of a listing page for ``filters`` (column name -> value), written so that
    SQLite reads the page from the index chosen as the module docstring says. A filter on the
    listing's own sort column (status by status) is left as it is: the order's index starts
    with it."""
    steered = [name for name in filters if name in INDEXED_FILTERS and name != sort]
    rarest = None
    if steered:
        bound = matches_bound(session, page_size)
        found = {
            name: _matches_up_to(session, getattr(Application, name), filters[name], bound)
            for name in steered
        }
        few = [name for name in steered if found[name] < bound]
        rarest = min(few, key=found.__getitem__) if few else None
    terms = []
    for name, value in filters.items():
        column = getattr(Application, name)
        if name in steered and name != rarest:
            column = without_index(column)
        terms.append(column == value)
    return terms
