"""privacy erasures: the ledger of erasure requests and their receipts (ids, tables and counts only)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_erasures",
        sa.Column("request_id", sa.String(100), primary_key=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("receipt_json", sa.Text(), nullable=False),
        sa.UniqueConstraint("customer_id", name="uq_privacy_erasures_customer_id"),
    )


def downgrade() -> None:
    op.drop_table("privacy_erasures")
