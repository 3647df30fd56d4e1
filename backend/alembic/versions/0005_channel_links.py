"""channel links: Slack and Telegram accounts customers agreed to link after verifying through them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 02:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("identity", sa.String(200), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("channel", "identity", name="uq_channel_links_channel_identity"),
    )
    op.create_index("ix_channel_links_customer_id", "channel_links", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_channel_links_customer_id", table_name="channel_links")
    op.drop_table("channel_links")
