"""ticket handoff queue: assignee, claim/resolve times, CSAT rating

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 12:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("csat_rating", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_tickets_assignee"), ["assignee"], unique=False)
        batch_op.create_check_constraint(
            "ticket_csat_rating", "csat_rating IS NULL OR csat_rating BETWEEN 1 AND 5"
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint("ticket_csat_rating", type_="check")
        batch_op.drop_index(batch_op.f("ix_tickets_assignee"))
        batch_op.drop_column("csat_rating")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("assignee")
