"""the search index's rows found by their FTS5 rowid

Revision ID: 0014
Revises: 0013

A filtered search (a field officer's own records, or any registry filter) joins each match of
the search index to its application. The application's id was read from the FTS5 table's
content row (the whole search text, ~430 bytes a record; 50 MB at 100,000 records, more than
the page cache holds), about 3 us a match, for the ~1,500 matches a filter keeping one record in
three reads. An index of ``search_index_rows`` by rowid gives the id from a few MB instead
(app.services.registry). Rowids only grow, so each new record is appended to it.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_search_index_rows_rowid", "search_index_rows", ["search_rowid", "application_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_search_index_rows_rowid", table_name="search_index_rows")
