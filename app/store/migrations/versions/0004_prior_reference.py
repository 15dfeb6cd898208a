"""prior reference: the earlier number a record names, so follow-up contacts join its history

Revision ID: 0004
Revises: 0003

Existing records keep every column and answer; the new column is empty for them (no earlier
form asked for a previous number) and is filled when a record with such an answer is saved.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: batch mode would copy and drop ``applications``, which the
# foreign keys of versions, outbox rows and person links forbid.
def upgrade() -> None:
    op.add_column("applications", sa.Column("prior_reference_key", sa.String(length=120)))
    op.create_index(
        "ix_applications_prior_reference_key", "applications", ["prior_reference_key"]
    )


def downgrade() -> None:
    op.drop_index("ix_applications_prior_reference_key", table_name="applications")
    op.drop_column("applications", "prior_reference_key")  # SQLite 3.35+: ALTER TABLE DROP COLUMN
