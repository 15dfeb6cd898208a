"""the office's list of civil parties, the provinces each laptop serves and its list key

Revision ID: 0003
Revises: 0002

New tables only; devices enrolled before keep working and get a list once the office names
their provinces (``set-provinces``) and they send their list key (next sync or stick).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_list_people",
        sa.Column("number", sa.String(40), primary_key=True),
        sa.Column("number_key", sa.String(120), nullable=False, unique=True),
        sa.Column("province", sa.String(2), nullable=False, index=True),
        sa.Column("person", sa.JSON(), nullable=False),
    )
    op.create_table(
        "office_list_imports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "device_list_settings",
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("provinces", sa.JSON(), nullable=False),
        sa.Column("list_public", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("device_list_settings")
    op.drop_table("office_list_imports")
    op.drop_table("office_list_people")
