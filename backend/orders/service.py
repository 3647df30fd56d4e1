"""Order operations: lookup by owner, and changing an item's size or product before shipping."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend.customers.models import Customer
from backend.orders import catalogue
from backend.orders.models import Order, OrderItem
from backend.orders.policy import decide_item_change, decide_item_swap
from common.errors import conflict, not_found, unprocessable


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


def _locked_item(order: Order, item_id: int, *, db_session: Session) -> OrderItem:
    # Lock the order row on PostgreSQL so a change cannot race the warehouse marking it shipped.
    db_session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
    db_session.refresh(order)
    item = next((line for line in order.items if line.id == item_id), None)
    if item is None:
        raise not_found("order_item_not_found", "No item with that id on this order.")
    return item


def change_item_size(order: Order, item_id: int, size: str, *, db_session: Session) -> OrderItem:
    """Change the size of one item of an order that has not shipped; 409 with the policy reason otherwise."""
    item = _locked_item(order, item_id, db_session=db_session)
    decision = decide_item_change(order_status=order.status)
    if not decision.allowed:
        raise conflict(decision.code, decision.message, {"status": order.status})
    item.size = size
    db_session.flush()
    return item


def swap_item(order: Order, item_id: int, sku: str, size: Optional[str], *, db_session: Session) -> OrderItem:
    """Swap one item of an unshipped order for another product of the catalogue at the same unit price.

    409 once the order has shipped (as for a size change), 422 for a product the store does not sell, at
    another price, or in a size it is not sold in. The order's total never changes.
    """
    item = _locked_item(order, item_id, db_session=db_session)
    target = catalogue.product(sku)
    if target is None:
        raise unprocessable("product_not_sold", "The store does not sell a product with that SKU.")
    decision = decide_item_swap(
        order_status=order.status,
        order_currency=order.currency,
        unit_price_cents=item.unit_price_cents,
        current_sku=item.sku,
        target=target,
        size=size,
    )
    if not decision.allowed:
        if not decide_item_change(order_status=order.status).allowed:
            raise conflict(decision.code, decision.message, {"status": order.status})
        raise unprocessable(decision.code, decision.message)
    item.sku, item.name, item.size = target.sku, target.name, size or None
    db_session.flush()
    return item
