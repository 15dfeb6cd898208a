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
records and pages of 200) instead of every match. The form and a field officer's own records
(the owner, created_by) are filters like these (migration 0015): a rare form, or an officer
with few records on a shared laptop, is read from its index (it read every record before). Terms
are steered with SQLite's unary "+", which keeps a term from choosing an index and changes
nothing else.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Select, UnaryExpression, column, func, literal, literal_column, select, table
from sqlalchemy.orm import Session
from sqlalchemy.sql.operators import custom_op

from app.store.models import Application, SearchRow

# The filters with an index of their own (app.store.models), by column name.
INDEXED_FILTERS = frozenset(
    column.key
    for column in (
        Application.status,
        Application.forum,
        Application.village_code,
        Application.form_id,
        Application.created_by,
    )
)
FEWEST_BOUND = 1000  # below this many matches a sort costs nothing worth steering

SEARCH_INDEX = table("application_search", column("application_id"), column("content"))
SEARCH_ROWID: Any = literal_column("application_search.rowid")
# A field officer's records with their search index rowids (own_matches).
OWN_JOINED = Application.__table__.join(SearchRow, SearchRow.application_id == Application.id)


def without_index(column: Any) -> Any:
    """``+column``: SQLite then uses no index for a term on it (nor looks a table up by it)."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def _records(session: Session) -> int:
    """The largest rowid of the applications: one index seek, no count (through the driver:
    the ORM's handling of a statement cost more than the seek, twice per page and search)."""
    found = session.connection().exec_driver_sql(_LARGEST_ROWID).scalar()
    return int(found or 0)


_LARGEST_ROWID = f"SELECT max(rowid) FROM {Application.__tablename__}"


def matches_bound(session: Session, page_size: int) -> int:
    """How many matches a filter may have and still be read from its index and sorted: the
    square root of page size x records."""
    return max(FEWEST_BOUND, math.isqrt(page_size * _records(session)))


# An officer's records counted up to a bound, by store, officer, largest rowid and bound. A
# record's officer never changes and a new record has a new rowid, so a count is only out of
# date after a draft is discarded (a few records fewer: a plan, never a result, is affected).
# Counted again for every page and search, it cost a field officer with every record of a
# 1,000,000-record laptop 10-25 ms (up to 22,000 index entries).
_OWNER_COUNTS: dict[tuple[str, str, int, int], int] = {}


def _matches_up_to(session: Session, column: Any, value: Any, bound: int) -> int:
    owned = column is Application.created_by
    if owned:
        key = (str(session.connection().engine.url), value, _records(session), bound)
        if key in _OWNER_COUNTS:
            return _OWNER_COUNTS[key]
    capped = select(literal(1)).where(column == value).limit(bound).subquery()
    found = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    if owned:
        if len(_OWNER_COUNTS) >= 64:
            _OWNER_COUNTS.clear()
        _OWNER_COUNTS[key] = found
    return found


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


def owner_keeps_few(session: Session, owner: str | None, page_size: int) -> bool:
    """Whether the officer sees only their own records (``owner``: access.visible_owner) and
    has fewer than the bound (matches_bound): a search of theirs is then read from the owner's
    index (own_matches). Driven from the search index, it read and joined every match of the
    store looking for theirs (0.3-0.9 s at 100,000 records for an officer with none)."""
    if owner is None:
        return False
    bound = matches_bound(session, page_size)
    return _matches_up_to(session, Application.created_by, owner, bound) < bound


def own_matches(statement: Select[Any], filters: dict[str, Any], clause: Any) -> Select[Any]:
    """A search of an officer who has few records (keeps_few), ``statement`` selecting from
    OWN_JOINED and restricted to their records: read from the owner's index, each record's
    index rowid checked against the set of matches ``clause`` finds (read from the search index
    alone, no join), in the rowid order a search driven from the index lists (so pages of either
    plan agree). The filters and the rowid are written "+" so that SQLite starts from the
    owner's records."""
    matching = select(SEARCH_ROWID).select_from(SEARCH_INDEX).where(clause)
    terms = [without_index(getattr(Application, n)) == value for n, value in filters.items()]
    found = without_index(SearchRow.search_rowid).in_(matching)
    return statement.where(found, *terms).order_by(SearchRow.search_rowid)
