"""people and deadlines: direct victims as persons, their links, court status notices

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name_km", sa.String(length=300), nullable=False),
        sa.Column("name_latin", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("birth_year_min", sa.Integer(), nullable=True),
        sa.Column("birth_year_max", sa.Integer(), nullable=True),
        sa.Column("fate", sa.String(length=50), nullable=True),
        sa.Column("last_place", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_name_key"), ["name_key"], unique=False)

    op.create_table(
        "person_links",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("relationship", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.PrimaryKeyConstraint("application_id", "person_id"),
    )
    with op.batch_alter_table("person_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_links_person_id"), ["person_id"], unique=False)

    op.create_table(
        "court_status_notices",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("court_status", sa.String(length=30), nullable=False),
        sa.Column("noticed_on", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.PrimaryKeyConstraint("application_id"),
    )


def downgrade() -> None:
    op.drop_table("court_status_notices")
    with op.batch_alter_table("person_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_links_person_id"))
    op.drop_table("person_links")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_name_key"))
    op.drop_table("persons")
