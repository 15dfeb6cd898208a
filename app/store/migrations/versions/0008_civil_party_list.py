"""civil party list: the office's list of civil parties and applicants for this laptop's provinces

Revision ID: 0008
Revises: 0007

A new table and its search index; existing tables are not touched. The list is empty until the
office sends one (network sync or USB stick).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listed_people",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("number_key", sa.String(length=120), nullable=False),
        sa.Column("case_code", sa.String(length=10), nullable=False),
        sa.Column("name_km", sa.String(length=100), nullable=False),
        sa.Column("name_latin", sa.String(length=100), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("district_code", sa.String(length=4), nullable=False),
        sa.Column("commune_code", sa.String(length=6), nullable=False),
        sa.Column("village_code", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lawyer_team", sa.String(length=120), nullable=False),
        sa.Column("masked", sa.Boolean(), nullable=False),
        sa.Column("deceased", sa.Boolean(), nullable=False),
        sa.Column("office_last_contact", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("number_key"),
    )
    op.create_index("ix_listed_people_commune_code", "listed_people", ["commune_code"])
    op.create_index("ix_listed_people_village_code", "listed_people", ["village_code"])
    # Searched like the registry: Khmer or Latin substrings and name keys (FTS5 trigram).
    op.execute(
        "CREATE VIRTUAL TABLE listed_people_search USING fts5("
        "number UNINDEXED, content, tokenize='trigram')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE listed_people_search")
    op.drop_index("ix_listed_people_village_code", table_name="listed_people")
    op.drop_index("ix_listed_people_commune_code", table_name="listed_people")
    op.drop_table("listed_people")
