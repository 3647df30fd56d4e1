"""Order operations: lookup by owner and cancellation before shipping."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.customers.models import Customer
from backend.database import utcnow
from backend.errors import conflict, not_found
from backend.orders.models import Order

NOT_CANCELLABLE = {
    "shipped": (
        "order_already_shipped",
        "The order has already shipped; it can be returned once delivered.",
    ),
    "delivered": (
        "order_already_delivered",
        "The order was delivered; it can be returned instead.",
    ),
    "cancelled": ("order_already_cancelled", "The order is already cancelled."),
}


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


def list_statement(customer_id: Optional[int] = None, status: Optional[str] = None):
    """Select orders, newest first, optionally by customer and status."""
    statement = select(Order).order_by(Order.placed_at.desc(), Order.id.desc())
    if customer_id is not None:
        statement = statement.where(Order.customer_id == customer_id)
    if status is not None:
        statement = statement.where(Order.status == status)
    return statement


def cancel(order_id: int, email: str, *, db_session: Session) -> Order:
    """Cancel an order that has not shipped yet, refunding its payments in full."""
    from backend.billing import (
        service as billing,
    )  # billing depends on orders, not the other way round

    order = get_for_email(order_id, email, db_session=db_session)
    if order.status in NOT_CANCELLABLE:
        code, message = NOT_CANCELLABLE[order.status]
        raise conflict(code, message, {"status": order.status})
    order.status = "cancelled"
    order.cancelled_at = utcnow()
    billing.refund_cancelled_order(order, db_session=db_session)
    db_session.flush()
    return order
