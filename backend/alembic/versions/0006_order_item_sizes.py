"""order item sizes: the size ordered, which an agent may change until the order ships

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 03:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_items") as batch:
        batch.add_column(sa.Column("size", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_items") as batch:
        batch.drop_column("size")
