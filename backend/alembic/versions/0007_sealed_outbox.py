"""sealed outbox: the clear body sealed until delivered, a redacted body kept; idempotent replays sealed

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:20:00

Rows written before this revision are converted in place (backend/store_migration.py): each outbox body is
sealed and its kept copy redacted; each idempotency row is re-keyed by the keyed hash of its key with its
replay sealed, so a retry across the upgrade still replays instead of acting twice.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("sealed_body", sa.Text(), nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(), nullable=True))
        batch.create_index(batch.f("ix_outbox_messages_delivered_at"), ["delivered_at"], unique=False)
    from backend.store_migration import seal_existing_rows

    seal_existing_rows(op.get_bind())


def downgrade() -> None:
    # Sealed values cannot be put back in clear by a schema change: the redacted bodies stay.
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_index(batch.f("ix_outbox_messages_delivered_at"))
        batch.drop_column("delivered_at")
        batch.drop_column("sealed_body")
