"""forum invitations of people from the office's civil-party list

Revision ID: 0009
Revises: 0008

A new table (by the list's number, not a foreign key: the list is replaced whole when a newer
one arrives, the invitation and its attendance stay). Existing tables are not touched, so no
SQLite table rebuild is needed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forum_listed_invitations",
        sa.Column("forum_id", sa.String(length=36), sa.ForeignKey("forums.id"), primary_key=True),
        sa.Column("number", sa.String(length=40), primary_key=True),
        sa.Column("number_key", sa.String(length=120), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
        sa.Column("attended", sa.Boolean()),
        sa.Column("attendance_recorded_by", sa.String(length=36), sa.ForeignKey("officers.id")),
        sa.Column("attendance_recorded_at", sa.DateTime()),
    )


def downgrade() -> None:
    op.drop_table("forum_listed_invitations")
