"""the deadline facts of each application as columns: its case and whether it is a civil party

Revision ID: 0012
Revises: 0011

The count of records close to a court deadline decoded every record's answers to find its case
and whether it asks to be a civil party: seconds at 100,000 records, on every start page. Both
are now columns beside the other derived ones, written with the answers. Deriving them needs the
form definitions, which a migration does not load: the columns start empty (``civil_party``
NULL) and the app derives them the first time it counts, in chunks it can stop between
(app.services.deadline_facts). Indexes: a case's records by start day (the count), the records
still to derive, the records with a court status (the day a status is first seen).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("court_case", sa.String(length=50), nullable=True))
    op.add_column("applications", sa.Column("civil_party", sa.Boolean(), nullable=True))
    op.create_index(
        "ix_applications_court_case_created", "applications", ["court_case", "created_at"]
    )
    op.create_index(
        "ix_applications_facts_missing",
        "applications",
        ["form_id"],
        sqlite_where=sa.text("civil_party IS NULL"),
    )
    op.create_index("ix_applications_court_status", "applications", ["court_status", "id"])


def downgrade() -> None:
    op.drop_index("ix_applications_court_status", table_name="applications")
    op.drop_index("ix_applications_facts_missing", table_name="applications")
    op.drop_index("ix_applications_court_case_created", table_name="applications")
    # In place (SQLite 3.35+): a batch copy of the table would trip the foreign keys to it.
    op.execute("ALTER TABLE applications DROP COLUMN civil_party")
    op.execute("ALTER TABLE applications DROP COLUMN court_case")
