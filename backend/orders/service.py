"""Order operations: lookup by owner and cancellation before shipping."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend.customers.models import Customer
from backend.orders.models import Order
from common.errors import not_found


def get(order_id: int, *, db_session: Session) -> Order:
    """Return an order or raise 404."""
    order = db_session.get(Order, order_id)
    if order is None:
        raise not_found("order_not_found", "No order with that number.")
    return order


def get_for_email(order_id: int, email: str, *, db_session: Session) -> Order:
    """Return the order only if it belongs to the customer with this email; the same 404 otherwise."""
    order = db_session.execute(
        select(Order)
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.id == order_id, func.lower(Customer.email) == email.strip().lower())
    ).scalar_one_or_none()
    if order is None:
        raise not_found("order_not_found", "No order with that number for that email address.")
    return order


def list_statement(customer_id: Optional[int] = None, status: Optional[str] = None) -> Select:
    """Select orders, newest first, optionally by customer and status."""
    statement = select(Order).order_by(Order.placed_at.desc(), Order.id.desc())
    if customer_id is not None:
        statement = statement.where(Order.customer_id == customer_id)
    if status is not None:
        statement = statement.where(Order.status == status)
    return statement
