"""A word-level index beside the trigram one, for searches that span words ("Sokha Chea").

The trigram index finds a phrase across a space by reading the posting lists of all its trigrams
(``sok``, ``okh``, ``ha ``, ``a c``, `` ch``...), each tens of thousands of rows long at 100,000
records, whether or not they match: 8-10 ms of CPU for "sokha chea" with no match at all. Here
every record's search text is also indexed word by word (``word_search``, FTS5), words being what
lies between the single spaces of the normalised text, so the phrase reads two posting lists.

Results stay exactly those of the trigram index: "w1 w2 ... wn" is a substring of a text if and
only if the text has consecutive words ending with w1, equal to w2 ... w(n-1), and starting with
wn. The words ending with w1 and starting with wn are looked up in ``word_search_vocabulary``
(every word ever indexed, forwards and backwards; a word no longer in any text only costs a look
in the index), and the phrase becomes an OR of whole-word phrases. When either end has more
than a handful of words (a one-letter end such as "សុខ ស"), the trigram index is used as before.
The search's other alternatives (name keys, references) stay on the trigram index; both indexes
are read for their first matches and merged by rowid (:func:`first_matches`).

Words are written to FTS5 (``ascii`` tokenizer: every non-ASCII character is a token character)
with ASCII characters other than a-y and 0-9 escaped ("z" and two hex digits; "z" as "zz"), so a
word is one token however it is spelt ("d22/7-6670", "vss-bnch-012345"), and prefixes and
suffixes of words stay prefixes and suffixes of their tokens.

Stores from before migration 0013 have no word rows: ``search_index_rows.words_indexed`` is NULL
for a record not yet indexed by word; :func:`index_pending_words` indexes them in chunks (at
opening, ``index_version``), and until none is left searches use the trigram index alone.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.store.db import Store

# Characters kept as they are in a token: the ascii tokenizer's token characters that it does
# not fold ("z" is the escape). Everything else ASCII but the space is escaped.
_KEPT = set(string.ascii_lowercase[:-1] + string.digits)
_ESCAPES = {chr(code): f"z{code:02x}" for code in range(128) if chr(code) not in _KEPT | {" "}}
_ESCAPES["z"] = "zz"
# "z" first (the escapes hold a "z"), then the separators every search text has, by str.replace;
# the rest by one regular expression (str.translate leaves its fast path on Khmer text: 4x slower).
_COMMON = tuple((char, _ESCAPES[char]) for char in "|/-.,")
_ESCAPED = re.compile(r"[^a-z0-9 \u0080-\U0010ffff]")
# How many words may end a phrase on each side, and how many whole-word phrases may stand for
# it, before the trigram index is used instead.
MAX_ENDS = 8
MAX_PHRASES = 8
PENDING_CHUNK = 5000
AUTOMERGE = 4  # FTS5's default: records written one by one keep a few segments
_SET_AUTOMERGE = text("INSERT INTO word_search(word_search, rank) VALUES ('automerge', :pages)")


def encoded(search_text: str) -> str:
    """``search_text`` (normalised: words between single spaces) as the word index's tokens."""
    words = search_text.replace("z", "zz")
    for char, escape in _COMMON:
        words = words.replace(char, escape)
    return _ESCAPED.sub(lambda found: _ESCAPES[found.group()], words)


def _after(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix``."""
    last = ord(prefix[-1])
    return None if last >= 0x10FFFF else prefix[:-1] + chr(last + 1)


def add_words(
    session: Session, rows: Sequence[tuple[int, str]], words_written: set[str] | None = None
) -> None:
    """Index the search texts ``rows`` (index rowid, text) word by word, and note their words.
    ``words_written``: words this transaction's earlier calls, or those of earlier transactions
    that committed, noted already (a bulk import's chunks), left out of the vocabulary's insert;
    this call's new words are added to it."""
    if not rows:
        return
    # Through the driver: SQLAlchemy's per-row parameter handling cost as much as the inserts.
    connection = session.connection()
    connection.exec_driver_sql(
        "INSERT INTO word_search(rowid, words) VALUES (?, ?)",
        [(rowid, encoded(content)) for rowid, content in rows],
    )
    words = set(" ".join(content for _rowid, content in rows).split(" "))  # one C-level split
    words.discard("")
    if words_written is not None:
        words -= words_written
    if words:
        connection.exec_driver_sql(
            "INSERT OR IGNORE INTO word_search_vocabulary(word, backwards) VALUES (?, ?)",
            [(word, word[::-1]) for word in sorted(words)],
        )
        if words_written is not None:
            words_written |= words


def remove_words(session: Session, rowid: int, content: str) -> None:
    """Take the text ``content`` of index row ``rowid`` out of the word index (FTS5 needs the
    text it was given to remove it: the table keeps no copy)."""
    session.execute(
        text("INSERT INTO word_search(word_search, rowid, words) VALUES ('delete', :r, :w)"),
        {"r": rowid, "w": encoded(content)},
    )


def index_pending_words(store: Store, chunk: int = PENDING_CHUNK) -> int:
    """Index by word the records not yet so indexed (a store from before migration 0013, rows
    copied in by SQL), ``chunk`` per transaction: a stopped run keeps the chunks done. Returns
    how many were indexed."""
    done = 0
    while True:
        with store.transaction() as session:
            if not done:  # no merging while indexing: one 'optimize' at the end merges all
                session.execute(_SET_AUTOMERGE, {"pages": 0})
            rows = session.execute(
                text(
                    "SELECT r.application_id, r.search_rowid, s.content "
                    "FROM search_index_rows r JOIN application_search s "
                    "ON s.rowid = r.search_rowid WHERE r.words_indexed IS NULL LIMIT :n"
                ),
                {"n": chunk},
            ).all()
            if not rows:
                # A key whose text is gone (none is known) would stay pending for ever and keep
                # the word index unused: there is nothing of it to index.
                session.execute(
                    text(
                        "UPDATE search_index_rows SET words_indexed = 0 WHERE words_indexed IS NULL"
                    )
                )
                if done:
                    # One segment instead of one per chunk: a phrase bounded by rowid then reads
                    # only the part of each posting list below the bound (first_matches).
                    session.execute(
                        text("INSERT INTO word_search(word_search) VALUES ('optimize')")
                    )
                session.execute(_SET_AUTOMERGE, {"pages": AUTOMERGE})
                return done
            add_words(session, [(row.search_rowid, row.content) for row in rows])
            session.execute(
                text(
                    "UPDATE search_index_rows SET words_indexed = 1 "
                    "WHERE application_id IN (SELECT value FROM json_each(:ids))"
                ),
                {"ids": json.dumps([row.application_id for row in rows])},
            )
            done += len(rows)


def words_ready(session: Session) -> bool:
    """Whether every record is indexed by word (else searches use the trigram index alone)."""
    pending = (
        session.connection()
        .exec_driver_sql("SELECT 1 FROM search_index_rows WHERE words_indexed IS NULL LIMIT 1")
        .first()
    )
    return pending is None


# The known words ending with the phrase's first word and starting with its last, at most
# MAX_ENDS + 1 of each (more: the trigram index is used), in one statement through the driver
# (a search runs it as the officer types: SQLAlchemy's own handling cost more than the look-ups).
_ENDS = (
    "SELECT 0, word FROM (SELECT word FROM word_search_vocabulary "
    "WHERE backwards >= ? AND backwards < ? LIMIT ?) "
    "UNION ALL SELECT 1, word FROM (SELECT word FROM word_search_vocabulary "
    "WHERE word >= ? AND word < ? LIMIT ?)"
)


NOTHING = ""  # a phrase no record has: no query to run


def phrase_query(session: Session, phrase: str) -> str | None:
    """The word index's query for the normalised ``phrase`` (two words or more): an OR of
    whole-word phrases; NOTHING when no record can contain it; None when its ends stand for too
    many words (the trigram index is then used)."""
    words = phrase.split(" ")
    first, middle, last = words[0][::-1], words[1:-1], words[-1]
    first_after, last_after = _after(first), _after(last)
    if first_after is None or last_after is None:
        return None
    connection = session.connection()
    found = connection.exec_driver_sql(
        _ENDS, (first, first_after, MAX_ENDS + 1, last, last_after, MAX_ENDS + 1)
    ).all()
    firsts = [word for end, word in found if end == 0]
    lasts = [word for end, word in found if end == 1]
    if max(len(firsts), len(lasts)) > MAX_ENDS or len(firsts) * len(lasts) > MAX_PHRASES:
        return None
    if not firsts or not lasts:
        return NOTHING
    if middle:
        known = connection.exec_driver_sql(
            "SELECT count(*) FROM word_search_vocabulary "
            "WHERE word IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(middle)), ensure_ascii=False),),
        ).scalar()
        if known != len(set(middle)):
            return NOTHING
    inner = " ".join(encoded(word) for word in middle)
    phrases = [
        '"' + " ".join(p for p in (encoded(a), inner, encoded(b)) if p) + '"'
        for a in firsts
        for b in lasts
    ]
    return " OR ".join(phrases)


def split_alternatives(
    session: Session, alternatives: Iterable[list[str]]
) -> tuple[list[list[str]], list[str]]:
    """The alternatives left to the trigram index, and the word index's queries for the others
    (one phrase across words each). Only called when :func:`words_ready`."""
    trigram: list[list[str]] = []
    queries: list[str] = []
    for parts in alternatives:
        query = None
        if len(parts) == 1 and " " in parts[0]:
            query = phrase_query(session, parts[0])
        if query is None:
            trigram.append(parts)
        elif query != NOTHING:
            queries.append(query)
    return trigram, queries


# Reads up to ``count`` (rowid, key) matches of the word index, in any order: upwards from the
# first when given no bound, else downwards from the bound.
WordReader = Callable[[int | None, int], list[tuple[int, Any]]]


def first_matches(
    found: list[tuple[int, Any]], read_words: WordReader, limit: int
) -> list[tuple[int, Any]]:
    """The first ``limit`` (rowid, key) matches of both indexes, by rowid: ``found`` the trigram
    index's first ``limit`` (or all, when fewer), the word index's read by ``read_words``.

    When the trigram index gave ``limit`` rows, only word matches up to its last one can be
    among the first: FTS5 checks an upper rowid bound only on a match when reading upwards (a
    phrase no record has read its whole posting lists), but starts from it reading downwards, so
    up to twice ``limit`` are read downwards from there; only if there are more are the first
    ``limit`` read upwards."""
    known = dict(found)
    last = max(known) if len(known) >= limit else None
    words = read_words(last, 2 * limit) if last is not None else None
    if words is None or len(words) >= 2 * limit:
        words = read_words(None, limit)
    for rowid, key in words:
        known.setdefault(rowid, key)
    return sorted(known.items())[:limit]


def rowids(connection: Any, words: str, last: int | None, count: int) -> list[tuple[int, None]]:
    """Up to ``count`` rowids the word index finds for ``words`` (first_matches):
    upwards from the first, or downwards from ``last``."""
    if last is None:
        rows = connection.exec_driver_sql(
            "SELECT rowid, NULL FROM word_search WHERE word_search MATCH ? LIMIT ?", (words, count)
        )
    else:
        rows = connection.exec_driver_sql(
            "SELECT rowid, NULL FROM word_search WHERE word_search MATCH ? AND rowid <= ? "
            "ORDER BY rowid DESC LIMIT ?",
            (words, last, count),
        )
    return list(rows.tuples().all())
