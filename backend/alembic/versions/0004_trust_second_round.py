"""trust, second round: unique E.164 phones, verification lockouts, confirmed email changes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:30:00

Phones are rewritten to E.164. A number held by more than one account identifies nobody: it is removed
from all of them (each id is printed) and those customers verify by email until support sets it again.
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from backend.customers.phones import normalise_phone

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _normalise_phones() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, phone FROM customers WHERE phone IS NOT NULL")).fetchall()
    holders = defaultdict(list)
    for customer_id, phone in rows:
        holders[normalise_phone(phone)].append(customer_id)
    for e164, customer_ids in holders.items():
        shared = e164 is None or len(customer_ids) > 1
        if shared and e164 is not None:
            print(f"phone number shared by customers {customer_ids}: removed from all of them")
        for customer_id in customer_ids:
            connection.execute(
                sa.text("UPDATE customers SET phone = :phone WHERE id = :id"),
                {"phone": None if shared else e164, "id": customer_id},
            )


def upgrade() -> None:
    _normalise_phones()
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_customers_phone", ["phone"])
    op.create_table(
        "verification_lockouts",
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("locked_until", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "email_change_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("new_email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_email_change_requests_token_hash"),
    )
    op.create_index("ix_email_change_requests_customer_id", "email_change_requests", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_email_change_requests_customer_id", table_name="email_change_requests")
    op.drop_table("email_change_requests")
    op.drop_table("verification_lockouts")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_constraint("uq_customers_phone", type_="unique")
