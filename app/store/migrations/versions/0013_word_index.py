"""a word-level search index beside the trigram one

Revision ID: 0013
Revises: 0012

A search across words ("Sokha Chea") read the long posting lists of every trigram of the phrase
whether or not it matched (p95 13-16 ms at 100,000 records). ``word_search`` indexes the same
search text word by word (app.services.word_index); ``word_search_vocabulary`` lists the words,
forwards and backwards, to find those a phrase starts and ends in. Indexing the existing texts
needs Python (each word is escaped into one FTS5 token): the rows start as not indexed
(``search_index_rows.words_indexed`` NULL) and the app indexes them in chunks when the store is
opened (app.services.index_version); until then searches use the trigram index alone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Contentless (the text is in application_search) and without per-row sizes (no ranking).
    op.execute(
        "CREATE VIRTUAL TABLE word_search USING fts5("
        "words, content='', columnsize=0, tokenize='ascii')"
    )
    op.execute(
        "CREATE TABLE word_search_vocabulary (word TEXT PRIMARY KEY, backwards TEXT NOT NULL) "
        "WITHOUT ROWID"
    )
    op.execute(
        "CREATE INDEX word_search_vocabulary_backwards ON word_search_vocabulary (backwards)"
    )
    op.add_column("search_index_rows", sa.Column("words_indexed", sa.Boolean(), nullable=True))
    op.create_index(
        "ix_search_index_rows_words_pending",
        "search_index_rows",
        ["application_id"],
        sqlite_where=sa.text("words_indexed IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_search_index_rows_words_pending", table_name="search_index_rows")
    op.execute("ALTER TABLE search_index_rows DROP COLUMN words_indexed")
    op.execute("DROP TABLE word_search_vocabulary")
    op.execute("DROP TABLE word_search")
