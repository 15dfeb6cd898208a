"""protection level: the Rule 29 level asked for, beside the yes/no it refines

Revision ID: 0006
Revises: 0005

Every record keeps every column and answer (finalised versions are never rewritten: their
digests are their sync identity). The new column starts from the old yes/no: a protected record
reads "from_public", the level that hides on every document at least what a "yes" hid before;
an unprotected one "none". When the app opens the upgraded store it re-derives the column from
each record's answers (app.services.index_version: the derived columns' version was raised), so a
record that had ticked levels gets the strongest of them (app.core.protection.protection_level).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode (see 0004: batch mode would copy and drop ``applications``).
def upgrade() -> None:
    op.add_column(
        "applications",
        sa.Column("protection_level", sa.String(length=20), nullable=False, server_default="none"),
    )
    applications = sa.table(
        "applications",
        sa.column("identity_protected", sa.Boolean()),
        sa.column("protection_level", sa.String()),
    )
    op.execute(
        applications.update()
        .where(applications.c.identity_protected == sa.true())
        .values(protection_level="from_public")
    )


def downgrade() -> None:
    op.drop_column("applications", "protection_level")  # SQLite 3.35+: ALTER TABLE DROP COLUMN
