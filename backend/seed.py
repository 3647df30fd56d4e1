"""Demo data: a few customers, each with orders in every status, invoices, payments and a balance.

Dates are relative to the moment of seeding, so the refund window (30 days after delivery) behaves the
same whenever the demo is started. Seeding is idempotent: it does nothing if the demo customers exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.billing.models import Balance, Invoice, Payment, Refund
from backend.customers.models import Customer
from backend.customers.phones import normalise_phone
from backend.identity.models import Authenticator
from backend.orders.models import Order, OrderItem
from common.database import utcnow


@dataclass(frozen=True)
class DemoOrder:
    order_id: int
    status: str
    placed_days_ago: int
    items: List[Tuple[str, str, int, int]]  # sku, name, quantity, unit price in cents
    delivered_days_ago: Optional[int] = None
    refunded: Optional[str] = None  # None, "processed" or "pending": a full refund already exists
    invoice_open: bool = False


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    email: str
    phone: str
    address: str
    store_credit_cents: int
    orders: List[DemoOrder]


# The sizes ordered, for garments and shoes.
SIZES = {"SKU-TEE-06": "M", "SKU-BOOT-07": "42", "SKU-SOCK-08": "M", "SKU-CAP-10": "L", "SKU-APRON-15": "S"}

# Demo only: a published secret, so a person trying the demo can produce valid codes.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

DEMO_CUSTOMERS = [
    DemoCustomer(
        "Jane Doe",
        "jane@example.com",
        "+1 202 555 0100",
        "12 Harbour Street, Springfield, 01101, US",
        2500,
        [
            DemoOrder(
                10042,
                "delivered",
                8,
                [("SKU-HP-01", "Wireless headphones", 1, 5990)],
                delivered_days_ago=3,
            ),
            DemoOrder(10043, "shipped", 3, [("SKU-MUG-02", "Ceramic mug", 2, 1250)]),
            DemoOrder(
                10044,
                "placed",
                0,
                [("SKU-LAMP-03", "Desk lamp", 1, 3400)],
                invoice_open=True,
            ),
            DemoOrder(10045, "cancelled", 20, [("SKU-BAG-04", "Canvas tote bag", 1, 1800)]),
            DemoOrder(
                10046,
                "delivered",
                70,
                [("SKU-KB-05", "Mechanical keyboard", 1, 8900)],
                delivered_days_ago=60,
            ),
            DemoOrder(
                10047,
                "delivered",
                15,
                [("SKU-TEE-06", "Cotton T-shirt", 3, 1500)],
                delivered_days_ago=10,
                refunded="processed",
            ),
        ],
    ),
    DemoCustomer(
        "Omar Haddad",
        "omar@example.com",
        "+1 202 555 0101",
        "48 Cedar Avenue, Riverton, 84065, US",
        0,
        [
            DemoOrder(
                10050,
                "delivered",
                6,
                [("SKU-BOOT-07", "Hiking boots", 1, 12900)],
                delivered_days_ago=2,
            ),
            DemoOrder(10051, "shipped", 2, [("SKU-SOCK-08", "Wool socks (3 pack)", 1, 2100)]),
            DemoOrder(
                10052,
                "placed",
                1,
                [("SKU-TENT-09", "Two-person tent", 1, 19900)],
                invoice_open=True,
            ),
            DemoOrder(10053, "cancelled", 30, [("SKU-CAP-10", "Running cap", 1, 1500)]),
            DemoOrder(
                10054,
                "delivered",
                9,
                [("SKU-BOTTLE-11", "Steel bottle", 2, 1900)],
                delivered_days_ago=5,
                refunded="pending",
            ),
        ],
    ),
    DemoCustomer(
        "Li Wei",
        "li.wei@example.com",
        "+1 202 555 0102",
        "7 Maple Road, Lakeside, 53140, US",
        1000,
        [
            DemoOrder(
                10060,
                "delivered",
                12,
                [("SKU-PAN-12", "Frying pan", 1, 4500)],
                delivered_days_ago=7,
            ),
            DemoOrder(10061, "shipped", 4, [("SKU-KNIFE-13", "Chef's knife", 1, 6900)]),
            DemoOrder(10062, "placed", 0, [("SKU-BOARD-14", "Cutting board", 1, 2500)]),
            DemoOrder(10063, "cancelled", 40, [("SKU-APRON-15", "Linen apron", 1, 2200)]),
        ],
    ),
]


def seed_demo_data(*, db_session: Session) -> bool:
    """Insert the demo customers and their history; return False if they were already there."""
    if (
        db_session.execute(select(Customer.id).where(Customer.email == DEMO_CUSTOMERS[0].email)).first()
        is not None
    ):
        return False
    now = utcnow()
    invoice_number = 0
    customer_ids: dict = {}
    for demo in DEMO_CUSTOMERS:
        # The database assigns ids, so its sequences stay right on PostgreSQL; a fresh database gives 1, 2, 3.
        customer = Customer(
            name=demo.name, email=demo.email, phone=normalise_phone(demo.phone), address=demo.address
        )
        db_session.add(customer)
        db_session.flush()  # the customer row must exist before the rows that reference it
        customer_ids[demo.email] = customer.id
        db_session.add(Balance(customer_id=customer.id, store_credit_cents=demo.store_credit_cents))
        db_session.flush()
        for spec in demo.orders:
            total = sum(quantity * price for _sku, _name, quantity, price in spec.items)
            placed_at = now - timedelta(days=spec.placed_days_ago, hours=2)
            order = Order(
                id=spec.order_id,
                customer_id=customer.id,
                status=spec.status,
                total_cents=total,
                placed_at=placed_at,
                estimated_delivery=placed_at + timedelta(days=5),
            )
            if spec.status in ("shipped", "delivered"):
                order.shipped_at = placed_at + timedelta(days=1)
                order.carrier = "UPS"
                order.tracking_number = f"1Z999AA1{spec.order_id:010d}"
            if spec.delivered_days_ago is not None:
                order.delivered_at = now - timedelta(days=spec.delivered_days_ago)
            if spec.status == "cancelled":
                order.cancelled_at = placed_at + timedelta(hours=3)
            for sku, name, quantity, price in spec.items:
                order.items.append(
                    OrderItem(
                        sku=sku, name=name, quantity=quantity, unit_price_cents=price, size=SIZES.get(sku)
                    )
                )
            db_session.add(order)
            db_session.flush()

            invoice_number += 1
            db_session.add(
                Invoice(
                    id=f"INV-{placed_at.year}-{invoice_number:04d}",
                    customer_id=customer.id,
                    order_id=spec.order_id,
                    amount_cents=total,
                    status="open"
                    if spec.invoice_open
                    else ("void" if spec.status == "cancelled" else "paid"),
                    issued_at=placed_at,
                    due_at=placed_at + timedelta(days=14) if spec.invoice_open else None,
                )
            )
            if not spec.invoice_open and spec.status != "cancelled":
                db_session.add(
                    Payment(
                        customer_id=customer.id,
                        order_id=spec.order_id,
                        amount_cents=total,
                        method="card",
                        card_last4="4242",
                        status="succeeded",
                        created_at=placed_at,
                    )
                )
            if spec.refunded:
                db_session.add(
                    Refund(
                        order_id=spec.order_id,
                        customer_id=customer.id,
                        amount_cents=total,
                        reason="item arrived damaged",
                        status=spec.refunded,
                        created_at=now - timedelta(days=2),
                        processed_at=now - timedelta(days=1) if spec.refunded == "processed" else None,
                    )
                )
    # Li Wei uses an authenticator app: codes come from pyotp.TOTP(DEMO_TOTP_SECRET).now().
    db_session.add(Authenticator(customer_id=customer_ids["li.wei@example.com"], secret=DEMO_TOTP_SECRET))
    # A declined attempt, so a "my card was declined" conversation has something real to point at.
    db_session.add(
        Payment(
            customer_id=customer_ids["omar@example.com"],
            order_id=10052,
            amount_cents=19900,
            method="card",
            card_last4="0002",
            status="declined",
            decline_reason="insufficient_funds",
            created_at=now - timedelta(days=1),
        )
    )
    db_session.commit()
    return True
