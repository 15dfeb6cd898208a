"""The word index (app.services.word_index) finds exactly what the trigram index finds for a
search across words, stays right through corrections and removals, and is built for a store
migrated from the schema before it (0012)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import event, inspect, text

from app.core.demo_answers import demo_answers
from app.services import form_catalogue, records, registry, search_index, word_index
from app.services.context import AppContext, open_app
from app.store.db import MIGRATIONS_DIR, current_revision, head_revision
from tests.officers import SUPERVISOR, add_officers

NAMES = (
    ("ម៉ៅ សុខា", "Mao Sokha"),
    ("ជា សុខា", "Chea Sokha"),
    ("សុខា ជា", "Sokha Chea"),
    ("ស្រី មុំ", "Srey Mom"),
    ("ស្រីមុំ", "Sreymom"),
    ("អ៊ុំ វណ្ណា", "Um Vanna"),
    ("ជា វណ្ណា", "Chea Vanna"),
    ("ហេង សុវណ្ណ", "Heng Sovann"),
    ("សុខ ដារ៉ា", "Sok Dara"),
    ("សុខា ជាតិ", "Sokha Cheat"),
    ("ម៉ៅសុខា ជា", "Maosokha Chea"),
)


def _records(ctx: AppContext, count: int) -> list[str]:
    form = form_catalogue.form_definition("complaint")
    made = []
    for seed in range(count):
        km, latin = NAMES[seed % len(NAMES)]
        answers = demo_answers(
            form,
            random.Random(seed),
            overrides={"applicant_name": {"km": km, "latin": latin}},
        )
        application_id = records.start_application(ctx, "complaint")
        records.finalize_application(ctx, application_id, answers)
        made.append(application_id)
    return made


def _phrases(ctx: AppContext, seed: int, count: int) -> list[str]:
    """Pieces of the stored search texts spanning two or three words, cut inside the words at
    both ends, as an officer might type them."""
    with ctx.store.reading() as session:
        texts = session.execute(text("SELECT content FROM application_search")).scalars().all()
    chooser = random.Random(seed)
    phrases = []
    while len(phrases) < count:
        words = chooser.choice(texts).split(" ")
        start = chooser.randrange(len(words) - 1)
        piece = words[start : start + chooser.choice((2, 3))]
        piece[0] = piece[0][chooser.randrange(len(piece[0])) :]
        piece[-1] = piece[-1][: 1 + chooser.randrange(len(piece[-1]))]
        phrases.append(" ".join(piece))
    return phrases


@pytest.fixture
def word_matches(ctx: AppContext) -> Iterator[list[str]]:
    """The word index's queries run while the test runs."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if "word_search MATCH" in statement:
            seen.append(statement)

    event.listen(ctx.store.engine, "before_cursor_execute", note)
    yield seen
    event.remove(ctx.store.engine, "before_cursor_execute", note)


def _search(
    ctx: AppContext, typed: str, by_word: bool, monkeypatch: pytest.MonkeyPatch, **filters: str
) -> tuple[list[str], bool]:
    ready = word_index.words_ready
    with monkeypatch.context() as patch:
        if not by_word:
            patch.setattr(word_index, "words_ready", lambda _session: False)
        else:
            patch.setattr(word_index, "words_ready", ready)
        rows, broad = registry.search_registry(ctx, registry.RegistryQuery(search=typed, **filters))
    return [row.id for row in rows], broad


TYPED = (
    "Sokha Chea",
    "Chea Sokha",
    "sokha chea",
    "okha che",
    "a sokh",
    "Srey Mom",
    "ម៉ៅ សុខា",
    "សុខា ជា",
    "ៅ សុខ",
    "ជា វណ្ណា",
    "Mao Sokha Chea",
    "Nobody Here",
    "sokha | mao",
    "vanna | d22",
)


@pytest.mark.parametrize("limit", [500, 4, 1], ids=["as the app", "broad at 5", "broad at 2"])
def test_a_search_across_words_finds_what_the_trigram_index_finds(
    ctx: AppContext, word_matches: list[str], monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # A small SEARCH_SORT_LIMIT makes these searches broad: the trigram index then gives all
    # the rows wanted and the word index is read below its last one (word_index.rowids).
    monkeypatch.setattr(registry, "SEARCH_SORT_LIMIT", limit)
    _records(ctx, 33)
    with ctx.store.reading() as session:
        assert word_index.words_ready(session)
    typed = [*TYPED, *_phrases(ctx, seed=7, count=60)]
    used = 0
    for search in typed:
        before = len(word_matches)
        expected = _search(ctx, search, False, monkeypatch)
        assert len(word_matches) == before  # the trigram index alone
        assert _search(ctx, search, True, monkeypatch) == expected, search
        used += len(word_matches) > before
        # With a filter the index is joined to the applications: the same rows.
        filtered = _search(ctx, search, False, monkeypatch, form_id="complaint")
        assert _search(ctx, search, True, monkeypatch, form_id="complaint") == filtered
    assert used >= len(typed) // 3  # the word index did answer many of them
    found, _broad = _search(ctx, "Sokha Chea", True, monkeypatch)
    assert found  # names stored "Sokha Chea" and "Maosokha Chea"


def test_the_word_index_follows_corrections_and_removals(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _records(ctx, 2)
    found, _broad = _search(ctx, "Mao Sokha", True, monkeypatch)
    assert first in found
    with ctx.store.transaction() as session:
        search_index.replace_search_text(session, first, "ពេជ្រ ស្រីនាង | pich sreyneang")
        search_index.remove_search_text(session, second)
    for by_word in (True, False):
        assert _search(ctx, "Mao Sokha", by_word, monkeypatch) == ([], False)
        assert _search(ctx, "Chea Sokha", by_word, monkeypatch) == ([], False)
        assert _search(ctx, "pich sreyneang", by_word, monkeypatch)[0] == [first]
        assert _search(ctx, "ពេជ្រ ស្រី", by_word, monkeypatch)[0] == [first]
    _check_word_index(ctx)


def _check_word_index(ctx: AppContext) -> None:
    """FTS5's own check of the word index's structure (it raises on a damaged index)."""
    with ctx.store.reading() as session:
        session.execute(
            text("INSERT INTO word_search(word_search, rank) VALUES ('integrity-check', 0)")
        )


def _config(ctx: AppContext) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = ctx.store.engine
    return config


def test_a_store_migrated_from_0012_is_indexed_by_word_when_opened(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = open_app(home)
    add_officers(ctx, (SUPERVISOR,))
    ctx.officer = SUPERVISOR
    made = _records(ctx, 22)
    command.downgrade(_config(ctx), "0012")
    assert "word_search" not in inspect(ctx.store.engine).get_table_names()
    ctx.close()
    monkeypatch.setattr(word_index, "PENDING_CHUNK", 5)  # several chunks
    ctx = open_app(home)  # migrates to the newest schema, then indexes the words
    ctx.officer = SUPERVISOR
    try:
        assert current_revision(ctx.store.engine) == head_revision()
        with ctx.store.reading() as session:
            assert word_index.words_ready(session)
            indexed = session.execute(
                text("SELECT count(*) FROM search_index_rows WHERE words_indexed = 1")
            ).scalar()
        assert indexed == len(made)
        _check_word_index(ctx)
        for search in (*TYPED, *_phrases(ctx, seed=3, count=30)):
            assert _search(ctx, search, True, monkeypatch) == _search(
                ctx, search, False, monkeypatch
            ), search
    finally:
        ctx.close()


def test_a_bounded_word_search_gives_the_first_matches_however_many_lie_below_the_bound(
    ctx: AppContext,
) -> None:
    _records(ctx, 22)
    with ctx.store.reading() as session:
        words = word_index.phrase_query(session, "sokha chea")
        assert words
        connection = session.connection()
        every = connection.exec_driver_sql(
            "SELECT rowid FROM word_search WHERE word_search MATCH ?", (words,)
        ).scalars()
        matches = sorted(every)
        assert len(matches) >= 5

        def read(last: int | None, count: int) -> list[tuple[int, None]]:
            return word_index.rowids(connection, words, last, count)

        # Two wanted (four read downwards from the bound): the trigram index's first two end
        # at ``last``; their keys are kept, the word index's rows come without one.
        for last in (matches[1], matches[3], matches[-1], matches[-1] + 100):
            found = [(0, "t0"), (last, "t1")]
            words_below = {rowid: None for rowid in matches if rowid < last}
            expected = sorted(({0: "t0", last: "t1"} | words_below).items())
            assert word_index.first_matches(found, read, 2) == expected[:2], last
        fewer = word_index.first_matches([(matches[2], "t")], read, 2)
        assert fewer == [(matches[0], None), (matches[1], None)]


def test_indexing_stopped_part_way_keeps_its_chunks_and_searches_by_trigram_meanwhile(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _records(ctx, 12)
    expected = {typed: _search(ctx, typed, False, monkeypatch) for typed in TYPED}
    with ctx.store.transaction() as session:  # as a store from before migration 0013
        session.execute(text("INSERT INTO word_search(word_search) VALUES ('delete-all')"))
        session.execute(text("UPDATE search_index_rows SET words_indexed = NULL"))
    written = word_index.add_words
    chunks: list[int] = []

    def failing(session: object, rows: list[tuple[int, str]]) -> None:
        chunks.append(len(rows))
        if len(chunks) == 3:
            raise OSError("power cut")
        written(session, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(word_index, "add_words", failing)
    with pytest.raises(OSError):
        word_index.index_pending_words(ctx.store, chunk=4)
    monkeypatch.setattr(word_index, "add_words", written)
    with ctx.store.reading() as session:
        assert not word_index.words_ready(session)
        indexed = session.execute(
            text("SELECT count(*) FROM search_index_rows WHERE words_indexed = 1")
        ).scalar()
    assert indexed == 8  # the two chunks before the failure
    for typed, found in expected.items():  # the trigram index alone, meanwhile
        assert _search(ctx, typed, True, monkeypatch) == found, typed
    assert word_index.index_pending_words(ctx.store, chunk=4) == 4
    with ctx.store.reading() as session:
        assert word_index.words_ready(session)
    for typed, found in expected.items():
        assert _search(ctx, typed, True, monkeypatch) == found, typed
    _check_word_index(ctx)
