"""Statements built once per shape and executed again with each search's values.

Building a SQLAlchemy statement, and computing the cache key SQLAlchemy looks its compiled form
up by, cost a filtered search about 1.5 ms: the statement is rebuilt, and keyed anew, for every
search although only the searched text changes. A statement kept here is keyed once (SQLAlchemy
keeps the key on the object) and executed with the search's values as parameters. Whatever is
written into a statement (a filter's value, the officer whose records alone are visible) is part
of its key, so a statement is only reused for the same filters and the same officer; the search
text is left as a required parameter (text() without a value), so a statement executed without
it fails rather than running with an earlier search's.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

# Shapes seen in one session are few (the filters an officer sets, one officer): the memo is
# emptied if it ever grows past this, rather than kept in order.
MOST = 256
_BUILT: dict[Hashable, Any] = {}


def built(key: Hashable, build: Callable[[], Any]) -> Any:
    """The statement made by ``build`` for ``key`` (everything it writes into the statement)."""
    found = _BUILT.get(key)
    if found is None:
        if len(_BUILT) >= MOST:
            _BUILT.clear()
        found = _BUILT[key] = build()
    return found
