"""Test data of its own for every test: customers with orders, invoices and payments, written straight into a
backend's database (a test never spends the demo customers' budgets)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Protocol

from sqlalchemy.orm import sessionmaker

from backend.billing.models import Balance, Invoice, Payment
from backend.customers.models import Customer
from backend.orders.models import Order, OrderItem
from common.database import utcnow

_ids = itertools.count(1)
# Invoice numbers for factory orders: above the seeded demo invoices, unique within the test run.
_invoice_numbers = itertools.count(1000)


@dataclass
class MadeCustomer:
    id: int
    email: str
    order_ids: List[int]
    phone: Optional[str] = None


class HasSessions(Protocol):
    """Anything that opens sessions on a backend database: a BackendServer, or the e2e stack's database."""

    session_factory: sessionmaker


class Factory:
    """Creates customers with orders straight in the database, so tests never fight over the demo data."""

    def __init__(self, server: HasSessions, order_id_base: int) -> None:
        self.server = server
        self.order_id_base = order_id_base

    def customer(
        self, orders: List[Dict[str, Any]], store_credit_cents: int = 0, with_phone: bool = False
    ) -> MadeCustomer:
        """orders: dicts with status, total_cents and optional delivered_days_ago / estimated_days_ago / paid /
        invoice_status / size.
        with_phone: a phone number of its own (E.164, unique per customer as the backend requires)."""
        serial = next(_ids)
        email = f"customer{serial}-{uuid.uuid4().hex[:6]}@example.org"
        phone = f"+1415{uuid.uuid4().int % 10**7:07d}" if with_phone else None
        now = utcnow()
        with self.server.session_factory() as session:
            customer = Customer(
                name=f"Test Customer {serial}",
                email=email,
                phone=phone,
                address="1 Test Street, Testville, 00001, US",
            )
            session.add(customer)
            session.flush()
            session.add(Balance(customer_id=customer.id, store_credit_cents=store_credit_cents))
            order_ids = []
            for index, spec in enumerate(orders):
                order_id = self.order_id_base + serial * 10 + index
                order_ids.append(order_id)
                delivered_days_ago = spec.get("delivered_days_ago")
                order = Order(
                    id=order_id,
                    customer_id=customer.id,
                    status=spec["status"],
                    total_cents=spec["total_cents"],
                    placed_at=now - timedelta(days=(delivered_days_ago or 0) + 5),
                    estimated_delivery=now - timedelta(days=spec.get("estimated_days_ago", -2)),
                    delivered_at=now - timedelta(days=delivered_days_ago)
                    if delivered_days_ago is not None
                    else None,
                    shipped_at=now - timedelta(days=1)
                    if spec["status"] in ("shipped", "delivered")
                    else None,
                    carrier="UPS" if spec["status"] in ("shipped", "delivered") else None,
                    tracking_number=f"1ZTEST{order_id}"
                    if spec["status"] in ("shipped", "delivered")
                    else None,
                )
                order.items.append(
                    OrderItem(
                        sku="SKU-T",
                        name="Test item",
                        quantity=1,
                        unit_price_cents=spec["total_cents"],
                        size=spec.get("size"),
                    )
                )
                session.add(order)
                session.flush()
                session.add(
                    Invoice(
                        id=f"INV-{now.year}-{next(_invoice_numbers):04d}",
                        customer_id=customer.id,
                        order_id=order_id,
                        amount_cents=spec["total_cents"],
                        status=spec.get("invoice_status", "paid"),
                        issued_at=now - timedelta(days=5),
                    )
                )
                if spec.get("paid", True):
                    session.add(
                        Payment(
                            customer_id=customer.id,
                            order_id=order_id,
                            amount_cents=spec["total_cents"],
                            method="card",
                            card_last4="4242",
                            status="succeeded",
                            created_at=now - timedelta(days=5),
                        )
                    )
            session.commit()
            return MadeCustomer(customer.id, email, order_ids, phone)


def days_ago(days: int) -> datetime:
    return utcnow() - timedelta(days=days)
