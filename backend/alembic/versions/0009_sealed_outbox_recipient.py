"""sealed outbox recipient: the address sealed until delivered, a keyed hash to find it, a masked form shown

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:00:00

Rows written before this revision are converted in place (backend/store_migration.py): each row gets the keyed
hash of its address, an undelivered one its address sealed, and every row keeps only the masked form.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("recipient_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("sealed_recipient", sa.Text(), nullable=True))
        batch.drop_index(batch.f("ix_outbox_messages_recipient"))
    from backend.store_migration import seal_outbox_recipients

    seal_outbox_recipients(op.get_bind())
    with op.batch_alter_table("outbox_messages") as batch:
        batch.alter_column("recipient_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_index(batch.f("ix_outbox_messages_recipient_hash"), ["recipient_hash"], unique=False)


def downgrade() -> None:
    # A delivered message's address is gone (only its keyed hash was kept): it stays masked.
    from backend.store_migration import unseal_outbox_recipients

    unseal_outbox_recipients(op.get_bind())
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_index(batch.f("ix_outbox_messages_recipient_hash"))
        batch.drop_column("sealed_recipient")
        batch.drop_column("recipient_hash")
        batch.create_index(batch.f("ix_outbox_messages_recipient"), ["recipient"], unique=False)
