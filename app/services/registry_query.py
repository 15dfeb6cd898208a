"""What a registry listing asks for (RegistryQuery), what it lists (RegistryRow, the columns
read) and where its next page starts (RegistryCursor); the listing's order and its filters as
terms. The statements are app.services.registry's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import literal_column

from app.store.models import REFERENCE_ORDER, Application

# Each order has an index (sort value, id) in app.store.models: a page reads from its cursor
# on, never the whole table. Drafts have no reference yet and are listed as "" (REFERENCE_ORDER,
# written literally so that SQLite matches it to its index).
SORT_COLUMNS: dict[str, Any] = {
    "updated": Application.updated_at,
    "name_km": Application.name_km,
    "name_latin": Application.name_latin,
    "reference": literal_column(REFERENCE_ORDER),
    "status": Application.status,
}


def listing_order(query: RegistryQuery) -> tuple[Any, Any]:
    """The listing's order: the sort value, then the id in the same direction (ties broken the
    way the index is read, so no page is sorted in memory)."""
    column_ = SORT_COLUMNS.get(query.sort, Application.updated_at)
    if query.descending:
        return column_.desc(), Application.id.desc()
    return column_.asc(), Application.id.asc()


@dataclass(frozen=True)
class RegistryQuery:
    search: str = ""
    status: str | None = None
    form_id: str | None = None
    forum: str | None = None
    village_code: str | None = None
    sort: str = "updated"
    descending: bool = True


class RegistryRow(NamedTuple):
    """One listed application. A named tuple, not a frozen dataclass: that one's __init__ sets
    each field through object.__setattr__, ~6 us a row (2.4 ms of a search with 400 matches,
    and of every page streamed); a tuple is made in well under a microsecond."""

    id: str
    reference: str | None
    name_km: str
    name_latin: str
    form_id: str
    status: str
    court_status: str | None
    updated_at: datetime
    identity_protected: bool


REGISTRY_COLUMNS = (
    Application.id,
    Application.reference,
    Application.name_km,
    Application.name_latin,
    Application.form_id,
    Application.status,
    Application.court_status,
    Application.updated_at,
    Application.identity_protected,
)


@dataclass(frozen=True)
class RegistryCursor:
    """Where the next page of a listing starts: after the row with this sort value and id
    (keyset paging: every page costs the same, however deep), or, for a search, after this many
    rows (a search lists at most SEARCH_SORT_LIMIT sorted matches, or streams index order)."""

    sort_value: Any
    id: str
    listed: int


def sort_value(row: RegistryRow, sort: str) -> Any:
    value = {
        "updated": row.updated_at,
        "name_km": row.name_km,
        "name_latin": row.name_latin,
        "reference": row.reference,
        "status": row.status,
    }.get(sort, row.updated_at)
    return "" if value is None else value  # drafts have no reference yet: listed as ""


def filter_values(query: RegistryQuery) -> dict[str, Any]:
    """The query's filters that are set, by column name (RegistryQuery names them alike)."""
    columns = (Application.status, Application.form_id, Application.forum, Application.village_code)
    return {c.key: value for c in columns if (value := getattr(query, c.key))}


def filter_terms(query: RegistryQuery) -> list[Any]:
    return [getattr(Application, name) == value for name, value in filter_values(query).items()]
