"""status deliveries per device and record, and used status-request nonces

Revision ID: 0002
Revises: 0001

Statuses set before this revision are owed again to every device holding their reference, so
a laptop that missed one (the old cursor could pass it) still gets it; the laptop applies a
status only if it is newer than what the record holds, so nothing goes backwards.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("status_update_id", sa.Integer(), nullable=False, index=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("reference", sa.String(30), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("status_update_id", "device_id", "application_id"),
    )
    op.create_index(
        "ix_status_deliveries_open", "status_deliveries", ["device_id", "acknowledged_at", "id"]
    )
    op.create_table(
        "status_nonces",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("used_at", sa.DateTime(), nullable=False, index=True),
    )
    op.execute(
        """
        INSERT INTO status_deliveries
            (status_update_id, device_id, application_id, reference, status, note, at)
        SELECT DISTINCT s.id, r.device_id, r.application_id, s.reference, s.status, s.note, s.at
        FROM status_updates s JOIN record_versions r ON r.reference = s.reference
        """
    )


def downgrade() -> None:
    op.drop_table("status_nonces")
    op.drop_index("ix_status_deliveries_open", table_name="status_deliveries")
    op.drop_table("status_deliveries")
