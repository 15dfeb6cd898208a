"""which full-text index row holds each application's search text

Revision ID: 0011
Revises: 0010

FTS5 does not index ``application_search.application_id`` (UNINDEXED), so replacing or deleting
an application's search text by that id read every row of the index: 0.7-2 s per finalise,
correction or discarded draft at 100,000 records. This table maps the id to the FTS5 rowid,
filled from one pass over the existing index.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_index_rows",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("search_rowid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("application_id"),
    )
    # Older code deleted every row of an id before writing one, so there is one row per id; the
    # newest one is kept should a store hold more.
    op.execute(
        "INSERT INTO search_index_rows (application_id, search_rowid) "
        "SELECT application_id, max(rowid) FROM application_search GROUP BY application_id"
    )


def downgrade() -> None:
    op.drop_table("search_index_rows")
