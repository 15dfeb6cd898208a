"""forums planned for a commune, their invitations and attendance

Revision ID: 0005
Revises: 0004

New tables only: existing records are untouched.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forums",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("commune_code", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=36), sa.ForeignKey("officers.id")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_forums_commune_code", "forums", ["commune_code"])
    op.create_table(
        "forum_invitations",
        sa.Column("forum_id", sa.String(length=36), sa.ForeignKey("forums.id"), primary_key=True),
        sa.Column(
            "application_id",
            sa.String(length=36),
            sa.ForeignKey("applications.id"),
            primary_key=True,
        ),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
        sa.Column("attended", sa.Boolean()),
        sa.Column("attendance_recorded_by", sa.String(length=36), sa.ForeignKey("officers.id")),
        sa.Column("attendance_recorded_at", sa.DateTime()),
    )


def downgrade() -> None:
    op.drop_table("forum_invitations")
    op.drop_index("ix_forums_commune_code", table_name="forums")
    op.drop_table("forums")
