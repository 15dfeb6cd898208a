"""Keeping the search index in step with how names and text are matched.

What the registry search finds depends on the text indexed for each application (``search_index.
search_document``) and each direct victim's name key: both are derived with app.core.name_match
and app.core.khmer_text.normalize_for_search. When those change (a new reading of a Khmer
vowel, a new folded spelling variant), stores written by an older version hold old keys and would
miss names a new search finds. So the index carries a version number in the settings, and a store
opened with an older one is re-indexed once, from the stored answers, before anyone searches.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.name_match import name_key
from app.store.db import Store
from app.store.models import Application, ApplicationVersion, Person, Setting

# Raise this whenever search_document, name_match or normalize_for_search index differently.
# 3: the protection level column (older records re-derived from their answers).
SEARCH_INDEX_VERSION = 3
SEARCH_INDEX_VERSION_KEY = "search_index_version"


def _answers(session: Any, application: Application) -> dict[str, Any] | None:
    """The answers the index was derived from: the draft being edited, else the latest version."""
    if application.draft_answers is not None:
        return application.draft_answers
    version = session.scalar(
        select(ApplicationVersion)
        .where(ApplicationVersion.application_id == application.id)
        .order_by(ApplicationVersion.version_no.desc())
        .limit(1)
    )
    return None if version is None else version.answers


def rebuild_search_index(store: Store) -> int:
    """Re-derive every application's search text and every person's name key; returns the
    number of applications re-indexed. One transaction: an interrupted rebuild leaves the old
    index and version, and runs again at the next opening."""
    from app.services.search_index import apply_derived

    count = 0
    with store.transaction() as session:
        for application in session.scalars(select(Application)).all():
            answers = _answers(session, application)
            if answers is None:
                continue
            apply_derived(session, application, answers)
            count += 1
        for person in session.scalars(select(Person)).all():
            person.name_key = name_key(person.name_km, person.name_latin)
        session.merge(Setting(key=SEARCH_INDEX_VERSION_KEY, value=SEARCH_INDEX_VERSION))
    return count


def ensure_search_index_current(store: Store) -> int | None:
    """Rebuild the index if it was made by an older version (see the module docstring), and
    index by word the records not yet so indexed (app.services.word_index); the number of
    applications re-indexed, or None when it was current."""
    rebuilt = _ensure_version(store)
    from app.services.word_index import index_pending_words, words_ready

    with store.reading() as session:
        ready = words_ready(session)
    if not ready:
        index_pending_words(store)
    return rebuilt


def _ensure_version(store: Store) -> int | None:
    with store.transaction() as session:
        row = session.get(Setting, SEARCH_INDEX_VERSION_KEY)
        current = row is not None and row.value == SEARCH_INDEX_VERSION
        if not current and session.scalar(select(Application.id).limit(1)) is None:
            # An empty store (a new laptop): nothing to rebuild, only the version to record.
            session.merge(Setting(key=SEARCH_INDEX_VERSION_KEY, value=SEARCH_INDEX_VERSION))
            return None
    if current:
        return None
    return rebuild_search_index(store)
