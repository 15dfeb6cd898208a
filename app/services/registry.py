"""The registry: listing, filtering and searching the applications an officer may see.

Search runs on the FTS5 trigram index written by ``search_index``: Khmer or Latin substrings, a
romanised key of a name, or a reference number; a phrase across words on the word index beside
it when that is cheaper, with the same results (``word_index``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from app.services import word_index
from app.services.access import (
    visible_applications,
    visible_by_owner,
    visible_filters,
    visible_owner,
)
from app.services.context import AppContext
from app.services.listing_plan import (
    OWN_JOINED,
    SEARCH_INDEX,
    SEARCH_ROWID,
    own_matches,
    owner_keeps_few,
    page_filters,
    without_index,
)
from app.services.registry_query import (
    REGISTRY_COLUMNS,
    SORT_COLUMNS,
    filter_terms,
    filter_values,
    listing_order,
    sort_value,
)
from app.services.registry_query import RegistryCursor as RegistryCursor
from app.services.registry_query import RegistryQuery as RegistryQuery
from app.services.registry_query import RegistryRow as RegistryRow
from app.services.search_terms import (
    alternatives_clause,
    alternatives_condition,
    indexed,
    match_expression,
    search_alternatives,
    search_clause,
)
from app.services.statement_memo import built
from app.store.models import Application, SearchRow

# Above this many matches a search is listed in index order instead of sorted: sorting would
# mean reading every match, and an officer narrows a search by typing more, not by scrolling.
SEARCH_SORT_LIMIT = 500
# The rows of a broad search read with its ids: more than a screenful (~26 rows at 1366x768); the
# list reads the rest on its thread as the officer scrolls. Reading 200 at once took a third of a
# broad search's time at 100,000 records.
SEARCH_FIRST_ROWS = 50

WORD_INDEX = table("word_search")  # app.services.word_index
# The ids of one JSON array parameter (:ids), as rows: SQLite's json_each.
WANTED_IDS = func.json_each(bindparam("ids")).table_valued("value")


def _registry_statement(
    ctx: AppContext, query: RegistryQuery, columns: Sequence[Any], by_owner: bool = False
) -> Select[Any]:
    """Matching applications, with the search as an IN (sub-select): for sorted listings.
    ``by_owner``: a field officer's records may be read from the owner's index (the count)."""
    clause = search_clause(query.search) if query.search else None
    visible = visible_by_owner if by_owner else visible_applications
    statement = visible(select(*columns), ctx)
    filters = filter_terms(query)
    if clause is not None:
        filters.append(Application.id.in_(select(SEARCH_INDEX.c.application_id).where(clause)))
    if filters:
        statement = statement.where(and_(*filters))
    return statement


def _to_applications(index: Any) -> Any:
    """The full-text ``index`` (the trigram or the word index, same rowids) joined to the
    applications through ``search_index_rows``' rowid index: the id of a match is read there,
    not from the search text's row (migration 0014). The index's rowid is written "+rowid" so
    that SQLite cannot look the index up by it: the join stays driven from the MATCH, in rowid
    order, so LIMIT stops early and the first matches are the first by rowid (with a filter
    such as a status, SQLite would otherwise start from the applications)."""
    rowid = without_index(literal_column(f"{index.name}.rowid"))
    return index.join(SearchRow, SearchRow.search_rowid == rowid).join(
        Application, Application.id == SearchRow.application_id
    )


# Made once (each search's statements are built around them).
_MATCHES_JOINED = _to_applications(SEARCH_INDEX)
_WORDS_JOINED = _to_applications(WORD_INDEX)
_SCANNED_JOINED = SEARCH_INDEX.join(Application, Application.id == SEARCH_INDEX.c.application_id)


def _streamed_statement(
    ctx: AppContext,
    query: RegistryQuery,
    columns: Sequence[Any],
    alternatives: list[list[str]],
    own_few: bool = False,
) -> Select[Any]:
    """Applications matching ``alternatives``, driven from the search index, so LIMIT stops
    early. A LIKE scan reads each search text's row anyway: its ids are taken from there.
    ``own_few`` (listing_plan.owner_keeps_few): from the officer's own records (own_matches)."""
    clause = alternatives_clause(alternatives, "application_search")
    return _streamed(ctx, query, columns, indexed(alternatives), clause, own_few)


def _streamed(
    ctx: AppContext,
    query: RegistryQuery,
    columns: Sequence[Any],
    by_index: bool,
    clause: Any,
    own_few: bool,
) -> Select[Any]:
    if own_few:
        statement = visible_by_owner(select(*columns).select_from(OWN_JOINED), ctx)
        return own_matches(statement, filter_values(query), clause)
    found = _MATCHES_JOINED if by_index else _SCANNED_JOINED
    statement = visible_applications(select(*columns).select_from(found), ctx)
    return statement.where(clause, *filter_terms(query))


_KEYS: dict[str, Sequence[Any]] = {
    "ids": [Application.id],
    "rowids": [SEARCH_ROWID, Application.id],
}


def _first_matches(
    ctx: AppContext, query: RegistryQuery, keys: str, alternatives: list[list[str]], own_few: bool
) -> tuple[Select[Any], dict[str, Any]]:
    """_streamed_statement's first SEARCH_SORT_LIMIT + 1 rows (their _KEYS), built once per
    shape and executed with the returned values (statement_memo: ~1.5 ms a filtered search)."""
    condition, values = alternatives_condition(alternatives, "application_search")
    filters = tuple(filter_values(query).items())
    shape = (keys, condition, indexed(alternatives), own_few, filters, SEARCH_SORT_LIMIT)
    statement = built(
        ("first matches", visible_owner(ctx), *shape),
        lambda: _streamed(
            ctx, query, _KEYS[keys], indexed(alternatives), text(condition), own_few
        ).limit(SEARCH_SORT_LIMIT + 1),
    )
    return statement, values


def _capped_count(
    ctx: AppContext, query: RegistryQuery, alternatives: list[list[str]], cap: int
) -> int:
    with ctx.store.reading() as session:
        own_few = owner_keeps_few(session, visible_owner(ctx), SEARCH_SORT_LIMIT + 1)
        inner = _streamed_statement(ctx, query, [Application.id], alternatives, own_few)
        inner = inner.limit(cap)
        return int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)


def count_registry(ctx: AppContext, query: RegistryQuery) -> int:
    """How many applications match; for a search, at most SEARCH_SORT_LIMIT + 1 (more than the
    limit means "many": the list then shows them unsorted, see search_is_broad)."""
    alternatives = search_alternatives(query.search) if query.search else None
    if alternatives is not None:
        return _capped_count(ctx, query, alternatives, SEARCH_SORT_LIMIT + 1)
    # count(*), not count(id): SQLite then counts the smallest index (village codes), half the
    # pages of the id index at 100,000 records. Run on the model's thread, never per page. A
    # field officer's records are counted in the owner's index (or the filter's, if SQLite finds
    # that cheaper): an officer with few records on a shared laptop read every record.
    statement = _registry_statement(ctx, query, [func.count()], by_owner=True)
    statement = statement.select_from(Application)
    with ctx.store.reading() as session:
        return int(session.scalar(statement) or 0)


def known_forums(ctx: AppContext) -> list[str]:
    """The forums named in the applications this officer may see (for the registry filter)."""
    # One index seek per forum (the next name after the last one found) instead of reading the
    # forum of every application: a handful of forums, 100,000 applications. The seeks are one
    # recursive statement (the page is opened with it: one round trip, not one per forum).
    first = visible_by_owner(select(func.min(Application.forum).label("name")), ctx)
    found = first.where(Application.forum.is_not(None)).cte("known_forums", recursive=True)
    following = visible_by_owner(select(func.min(Application.forum)), ctx).where(
        Application.forum > found.c.name
    )
    found = found.union_all(select(following.scalar_subquery()).where(found.c.name.is_not(None)))
    with ctx.store.reading() as session:
        forums = session.scalars(select(found.c.name).where(found.c.name.is_not(None))).all()
    return [name for name in forums if name]


def search_is_broad(count: int) -> bool:
    return count > SEARCH_SORT_LIMIT


def search_is_indexed(search: str) -> bool:
    """Whether the trigram index looks ``search`` up: every part it is searched by has three
    characters or more. Shorter ones ("ka") are a LIKE scan of every record's search text
    (~1.4 GB at 1,000,000 records for a pair no record has): the list runs those on a thread."""
    alternatives = search_alternatives(search)
    return alternatives is None or indexed(alternatives)


def list_registry(
    ctx: AppContext,
    query: RegistryQuery,
    offset: int,
    limit: int,
    known_count: int | None = None,
) -> list[RegistryRow]:
    """One page of the registry; the Qt model fetches pages as the officer scrolls.
    ``known_count`` is count_registry's answer for the same query, if the caller has it."""
    alternatives = search_alternatives(query.search) if query.search else None
    if alternatives is not None and known_count is None:
        known_count = _capped_count(ctx, query, alternatives, SEARCH_SORT_LIMIT + 1)
    with ctx.store.reading() as session:
        if alternatives is not None and known_count is not None and search_is_broad(known_count):
            own_few = owner_keeps_few(session, visible_owner(ctx), SEARCH_SORT_LIMIT + 1)
            statement = _streamed_statement(ctx, query, REGISTRY_COLUMNS, alternatives, own_few)
        else:
            statement = _registry_statement(ctx, query, REGISTRY_COLUMNS)
            statement = statement.order_by(*listing_order(query))
        rows = session.execute(statement.offset(offset).limit(limit)).all()
    return [RegistryRow(*row) for row in rows]


def _keyset_page(
    ctx: AppContext, query: RegistryQuery, after: RegistryCursor | None, limit: int
) -> list[RegistryRow]:
    order = SORT_COLUMNS.get(query.sort, Application.updated_at)
    # What the officer may see is a filter like the query's (its term written by page_filters:
    # a field officer's own records are read from their index when they are few).
    filters = {**filter_values(query), **visible_filters(ctx)}
    statement = select(*REGISTRY_COLUMNS)
    if after is not None:
        # Same order as list_registry (listing_order): a row value, so the index seeks straight to
        # the cursor, even inside a long run of equal values (100,000 rows of one status).
        # SQLite seeks a row value only on plain columns: the reference (an expression, its
        # values unique but for drafts) starts at its first term and breaks ties with the second.
        value, last_id = after.sort_value, after.id
        if order is not SORT_COLUMNS["reference"]:
            key, cursor = tuple_(order, Application.id), tuple_(literal(value), literal(last_id))
            statement = statement.where(key < cursor if query.descending else key > cursor)
        elif query.descending:
            statement = statement.where(
                order <= value, or_(order < value, Application.id < last_id)
            )
        else:
            statement = statement.where(
                order >= value, or_(order > value, Application.id > last_id)
            )
    with ctx.store.reading() as session:
        # From the order's index, or from a rare filter's (listing_plan: no sort of every match).
        terms = page_filters(session, filters, query.sort, limit)
        rows = session.execute(
            statement.where(*terms).order_by(*listing_order(query)).limit(limit)
        ).all()
    return [RegistryRow(*row) for row in rows]


def registry_page(
    ctx: AppContext,
    query: RegistryQuery,
    after: RegistryCursor | None,
    limit: int,
    known_count: int | None = None,
) -> tuple[list[RegistryRow], RegistryCursor | None]:
    """The ``limit`` rows after ``after`` (None: the first page) and the cursor of the page after
    them (None at the end). No COUNT is run for a listing; a search needs count_registry's answer
    (``known_count``) to know whether it is listed sorted or streamed, and counts if not given."""
    if query.search:
        listed = after.listed if after is not None else 0
        rows = list_registry(ctx, query, listed, limit, known_count)
    else:
        listed = after.listed if after is not None else 0
        rows = _keyset_page(ctx, query, after, limit)
    if len(rows) < limit:
        return rows, None
    last = rows[-1]
    return rows, RegistryCursor(sort_value(last, query.sort), last.id, listed + len(rows))


def search_registry(
    ctx: AppContext, query: RegistryQuery, page_size: int = SEARCH_FIRST_ROWS
) -> tuple[list[RegistryRow], bool]:
    """A search as the list shows it: whether it is broad (search_is_broad), and its rows.

    The index is read once for up to SEARCH_SORT_LIMIT + 1 matches (their rowids, from the index
    alone, when the officer sees every record and no filter is set; their ids, joined to the
    applications, otherwise). Few matches: all of them are read and sorted here, in list_registry's order.
    More: the search is broad, listed in index order, and only the first ``page_size`` rows are
    read now (the rest are streamed by registry_page): reading all 501 rows only to show 200
    was most of a broad search's time."""
    alternatives = search_alternatives(query.search) if query.search else None
    if alternatives is None:
        rows, _cursor = registry_page(ctx, query, None, SEARCH_SORT_LIMIT + 1)
        return rows, len(rows) > SEARCH_SORT_LIMIT
    with ctx.store.reading() as session:
        matches = _matching_keys(session, ctx, query, alternatives)
        broad = search_is_broad(len(matches))
        wanted = list(matches[:page_size] if broad else matches)
        found = _rows_of(session, ctx, wanted) if wanted else []
    if broad:
        return found, True  # index order, as registry_page streams
    found.sort(key=lambda row: (sort_value(row, query.sort), row.id), reverse=query.descending)
    return found, False


def _rows_of(session: Session, ctx: AppContext, wanted: list[Any]) -> list[RegistryRow]:
    """The rows of ``wanted`` (_matching_keys' keys), in that order. Read with the same rule as
    every listing (visible_applications); the keys go as one JSON parameter (not one bound
    parameter made per key). Index rowids are joined to the applications here, for the rows
    shown only: reading each match's id from the index's content table while looking for the
    first SEARCH_SORT_LIMIT + 1 was a third of a broad search's time. The officer's own records
    are checked on the rows read (visible_applications), not looked up by their index."""
    position = {key: number for number, key in enumerate(wanted)}
    parameters = {"ids": json.dumps(wanted)}
    connection = session.connection()  # Core, not the ORM's handling: ~1 ms for 400 rows
    if isinstance(wanted[0], str):  # application ids
        statement = built(
            ("rows by id", visible_owner(ctx)), lambda: visible_applications(_ROWS_BY_ID, ctx)
        )
        found = [RegistryRow(*row) for row in connection.execute(statement, parameters).all()]
        found.sort(key=lambda row: position[row.id])
        return found
    statement = built(
        ("rows by rowid", visible_owner(ctx)), lambda: visible_applications(_ROWS_BY_ROWID, ctx)
    )
    rows = sorted(connection.execute(statement, parameters).all(), key=lambda r: position[r[0]])
    return [RegistryRow(*row[1:]) for row in rows]


# The rows of a search's matches, by id or by index rowid (their ids from search_index_rows).
# Built once: a statement executed again keeps SQLAlchemy's cache key, which building and
# keying a new one each search cost (~0.5-1 ms); visible_applications restricts it each time.
_ROWS_BY_ID = select(*REGISTRY_COLUMNS).where(Application.id.in_(select(WANTED_IDS.c.value)))
_ROWS_BY_ROWID = (
    select(SearchRow.search_rowid, *REGISTRY_COLUMNS)
    .join(Application, Application.id == SearchRow.application_id)
    .where(SearchRow.search_rowid.in_(select(WANTED_IDS.c.value)))
)


def _matching_keys(
    session: Session, ctx: AppContext, query: RegistryQuery, alternatives: list[list[str]]
) -> list[str] | list[int]:
    """The first SEARCH_SORT_LIMIT + 1 matches in index order: their index rowids when the
    officer sees every record and no filter is set (the index alone is read), else their ids
    (joined to the applications). A phrase across words is looked up in the word index when
    that is cheaper (word_index)."""
    if owner_keeps_few(session, visible_owner(ctx), SEARCH_SORT_LIMIT + 1):  # own_matches
        statement, values = _first_matches(ctx, query, "ids", alternatives, True)
        return list(session.connection().execute(statement, values).scalars().all())
    trigram: list[list[str]] = alternatives
    phrases: list[str] = []
    if any(len(p) == 1 and " " in p[0] for p in alternatives) and word_index.words_ready(session):
        trigram, phrases = word_index.split_alternatives(session, alternatives)
        if trigram and not indexed(trigram):  # a LIKE scan for the rest: as before
            trigram, phrases = alternatives, []
    if not trigram and not phrases:
        return []  # a phrase no record has
    limit = SEARCH_SORT_LIMIT + 1
    if visible_owner(ctx) is not None or filter_values(query):  # restricted or filtered
        return _joined_ids(session, ctx, query, trigram, phrases)
    connection = session.connection()  # through the driver, as the word look-ups
    if not indexed(trigram):  # a LIKE scan (no phrase then: see above)
        clause = alternatives_clause(trigram, "application_search")
        statement = select(SEARCH_ROWID).select_from(SEARCH_INDEX).where(clause)
        return list(session.execute(statement.limit(limit)).scalars().all())
    found: list[tuple[int, Any]] = []
    if trigram:
        # Fetched all at once: a row at a time through the result cost ~0.5 ms for 501 rows.
        found = list(
            connection.exec_driver_sql(
                "SELECT rowid, NULL FROM application_search "
                "WHERE application_search MATCH ? LIMIT ?",
                (match_expression(trigram), limit),
            )
            .tuples()
            .all()
        )
    if not phrases:
        return [rowid for rowid, _key in found]
    words = " OR ".join(f"({phrase})" for phrase in phrases)
    matches = word_index.first_matches(
        found, lambda last, count: word_index.rowids(connection, words, last, count), limit
    )
    return [rowid for rowid, _key in matches]


def _joined_ids(
    session: Session,
    ctx: AppContext,
    query: RegistryQuery,
    trigram: list[list[str]],
    phrases: list[str],
) -> list[str]:
    """_matching_keys for an officer who sees only their own records, or with a filter: the
    ids of the first matches, each index joined to the applications."""
    limit = SEARCH_SORT_LIMIT + 1
    connection = session.connection()  # Core, not the ORM's handling of each statement
    if not phrases:
        statement, values = _first_matches(ctx, query, "ids", trigram, False)
        return list(connection.execute(statement, values).scalars().all())
    words = " OR ".join(f"({phrase})" for phrase in phrases)
    # Each index read for its first matches in rowid order (FTS5's) and merged in Python: one
    # statement with a UNION would read every match of both (400 ms for "Srey Mom", filtered).
    found: list[tuple[int, Any]] = []
    if trigram:
        statement, values = _first_matches(ctx, query, "rowids", trigram, False)
        found = list(connection.execute(statement, values).tuples().all())

    def joined(last: int | None, count: int) -> list[tuple[int, Any]]:
        statement = built(
            ("words", visible_owner(ctx), last is None, tuple(filter_values(query).items())),
            lambda: _word_statement(ctx, query, last is None),
        )
        values = {"words_q": words, "words_last": last, "words_count": count}
        return list(connection.execute(statement, values).tuples().all())

    return [key for _rowid, key in word_index.first_matches(found, joined, limit)]


def _word_statement(ctx: AppContext, query: RegistryQuery, upwards: bool) -> Any:
    """The word index's matches for :words_q joined to the applications (a filter, or an
    officer who sees only their own records), as (rowid, id), at most :words_count: upwards, or
    downwards from :words_last. Driven from the word index (its MATCH), so LIMIT stops early."""
    rowid: Any = literal_column("word_search.rowid")
    statement = select(rowid, Application.id).select_from(_WORDS_JOINED)
    match = text("word_search MATCH :words_q")
    statement = visible_applications(statement, ctx).where(match, *filter_terms(query))
    if not upwards:
        statement = statement.where(rowid <= bindparam("words_last", type_=Integer))
        statement = statement.order_by(rowid.desc())
    return statement.limit(bindparam("words_count", type_=Integer))
