"""indexes for the registry's form filter and a field officer's own records

Revision ID: 0015
Revises: 0014

Neither the form filter nor "the records this officer made" (a field officer sees only those)
had an index: a rare form, or a field officer with few records on a shared laptop, read every
application for the first page and for the header's count (0.6-1.6 s at 100,000 records, ten
times that at 1,000,000). The owner's index goes on with the forum: the forums a field officer's
filter offers are then one seek each (app.services.registry.known_forums), not a walk of every
record with a forum. Which index a page is read from is chosen by app.services.listing_plan.
Only indexes change: no table rebuild.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_applications_form_id": ["form_id"],
    "ix_applications_created_by_forum": ["created_by", "forum"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "applications", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="applications")
