"""The registry's full-text search rows of applications: written, replaced and removed with
their keys (``search_index_rows``) and their words (app.services.word_index). What is derived
from the answers (the listing columns and the search text) is worked out in
app.services.answer_values; its names are kept here too for the modules that import them from
here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.services.answer_values import AnswerValues as AnswerValues
from app.services.answer_values import DerivedColumns as DerivedColumns
from app.services.answer_values import answer_values as answer_values
from app.services.answer_values import derive_columns as derive_columns
from app.services.answer_values import derived_values
from app.services.answer_values import place_names as place_names
from app.services.answer_values import search_document as search_document
from app.services.form_catalogue import form_definition
from app.services.word_index import add_words, remove_words
from app.store.models import Application


def apply_derived(session: Session, application: Application, answers: Mapping[str, Any]) -> None:
    """Refresh the listing columns and the search text of ``application`` from ``answers``."""
    form = form_definition(application.form_id)
    columns, document = derived_values(form, application.reference, answers)
    for name, value in columns.items():
        setattr(application, name, value)
    replace_search_text(session, application.id, document)


def replace_search_text(session: Session, application_id: str, document: str) -> None:
    """Write ``document`` as the application's one row of the full-text index, replacing the
    row it had (found through ``search_index_rows``: see app.store.models.SearchRow), and its
    words in the word index (app.services.word_index)."""
    remove_search_text(session, application_id)
    session.execute(
        text("INSERT INTO application_search(application_id, content) VALUES (:id, :content)"),
        {"id": application_id, "content": document},
    )
    rowid = session.execute(
        text(
            "INSERT INTO search_index_rows (application_id, search_rowid, words_indexed) "
            "VALUES (:id, last_insert_rowid(), 1) RETURNING search_rowid"
        ),
        {"id": application_id},
    ).scalar_one()
    add_words(session, [(rowid, document)])


def remove_search_text(session: Session, application_id: str) -> None:
    """Delete the application's row of the full-text index, by its FTS5 rowid, and its words."""
    known = session.execute(
        text(
            "DELETE FROM search_index_rows WHERE application_id = :id "
            "RETURNING search_rowid, words_indexed"
        ),
        {"id": application_id},
    ).first()
    if known is None:
        return
    rowid, by_word = known
    if by_word == 1:
        content = session.execute(
            text("SELECT content FROM application_search WHERE rowid = :r"), {"r": rowid}
        ).scalar()
        if content is not None:
            remove_words(session, rowid, content)
    session.execute(text("DELETE FROM application_search WHERE rowid = :r"), {"r": rowid})


def add_search_texts(
    session: Session,
    documents: Sequence[tuple[str, str]],
    words_written: set[str] | None = None,
) -> None:
    """The index rows of new applications (id, search text), many at once (the bulk import):
    one INSERT for the texts, one for their keys and one each for the word index's rows and
    words, under rowids numbered after the last; through the driver, as ``add_words``.
    ``words_written``: see ``add_words``."""
    if not documents:
        return
    last = session.scalar(text("SELECT coalesce(max(rowid), 0) FROM application_search"))
    rows = [
        (last + number, application_id, document)
        for number, (application_id, document) in enumerate(documents, start=1)
    ]
    connection = session.connection()
    connection.exec_driver_sql(
        "INSERT INTO application_search(rowid, application_id, content) VALUES (?, ?, ?)", rows
    )
    connection.exec_driver_sql(
        "INSERT INTO search_index_rows (application_id, search_rowid, words_indexed) "
        "VALUES (?, ?, 1)",
        [(application_id, rowid) for rowid, application_id, _document in rows],
    )
    add_words(session, [(rowid, document) for rowid, _id, document in rows], words_written)


def fts_phrase(term: str) -> str:
    """``term`` as one FTS5 phrase (quotes doubled)."""
    return '"' + term.replace('"', '""') + '"'
