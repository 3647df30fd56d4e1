"""Agent tools: what an agent can do for the ticket's customer, and doing it through the backend's assist API.

The backend decides (the same policies as for the bot, and only for the assignee of an open ticket with a
verified customer); the console only asks, with the agent's reason and an idempotency key per confirmation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional

from clients.backend import BackendApi

# Order statuses in which the backend's policies allow each tool (backend/orders/policy.py, billing/policy.py);
# only to show the right buttons: the backend checks again and has the last word.
CANCELLABLE = {"placed"}
CHANGEABLE = {"placed"}
REFUNDABLE = {"delivered"}


def idempotency_key(ticket_id: int, agent: str, request_id: str) -> str:
    """One key per confirmation in the page: a double click or a retry acts once, a new confirmation acts again."""
    return f"console:{ticket_id}:{agent}:{request_id}"


def tools_view(ticket_id: int, *, backend: BackendApi) -> Dict[str, Any]:
    """The ticket's verified customer's orders (with items) and invoices; nothing for an unverified claim."""
    ticket = backend.ticketing.ticket(ticket_id)
    if not ticket.customer_verified or ticket.customer_id is None:
        return {"available": False, "orders": [], "invoices": []}
    orders: List[Dict[str, Any]] = [
        {
            "id": order.id,
            "status": order.status,
            "total": str(order.total),
            "currency": order.currency,
            "items": [
                {
                    "id": line.id,
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "size": line.size,
                    "unit_price": str(line.unit_price) if line.unit_price is not None else None,
                }
                for line in order.items
            ],
            "can_cancel": order.status in CANCELLABLE,
            "can_change": order.status in CHANGEABLE,
            "can_refund": order.status in REFUNDABLE,
        }
        for order in backend.orders.customer_orders(ticket.customer_id)
    ]
    invoices = [
        {
            "id": invoice.id,
            "order_id": invoice.order_id,
            "amount": str(invoice.amount),
            "currency": invoice.currency,
            "status": invoice.status,
        }
        for invoice in backend.billing.customer_invoices(ticket.customer_id)
    ]
    # The catalogue, for swapping an item: the page offers only products at the item's own price.
    products = [
        {
            "sku": product.sku,
            "name": product.name,
            "unit_price": str(product.unit_price),
            "currency": product.currency,
            "sizes": list(product.sizes),
        }
        for product in backend.assist.products()
    ]
    return {"available": True, "orders": orders, "invoices": invoices, "products": products}


def cancel_order(
    ticket_id: int, order_id: int, *, agent: str, reason: str, key: str, backend: BackendApi
) -> str:
    order = backend.assist.cancel_order(ticket_id, order_id, agent=agent, reason=reason, idempotency_key=key)
    return f"Order #{order.id} is {order.status}."


def change_size(
    ticket_id: int,
    order_id: int,
    item_id: int,
    size: str,
    *,
    agent: str,
    reason: str,
    key: str,
    backend: BackendApi,
) -> str:
    order = backend.assist.change_item_size(
        ticket_id, order_id, item_id, size, agent=agent, reason=reason, idempotency_key=key
    )
    line = next((line for line in order.items if line.id == item_id), None)
    return f"{line.name if line else 'The item'} on order #{order.id} is now size {size}."


def swap_item(
    ticket_id: int,
    order_id: int,
    item_id: int,
    sku: str,
    size: Optional[str],
    *,
    agent: str,
    reason: str,
    key: str,
    backend: BackendApi,
) -> str:
    order = backend.assist.swap_item(
        ticket_id, order_id, item_id, sku, size, agent=agent, reason=reason, idempotency_key=key
    )
    line = next((line for line in order.items if line.id == item_id), None)
    sized = f", size {line.size}" if line and line.size else ""
    return f"The item on order #{order.id} is now {line.name if line else sku}{sized}, at the same price."


def refund(
    ticket_id: int,
    order_id: int,
    amount: Optional[Decimal],
    *,
    agent: str,
    reason: str,
    key: str,
    backend: BackendApi,
) -> str:
    made = backend.assist.refund(ticket_id, order_id, amount, agent=agent, reason=reason, idempotency_key=key)
    return f"Refund of {made.amount} {made.currency} on order #{made.order_id} is {made.status}."


def resend_invoice(
    ticket_id: int, invoice_id: str, *, agent: str, reason: str, key: str, backend: BackendApi
) -> str:
    sent_to = backend.assist.resend_invoice(
        ticket_id, invoice_id, agent=agent, reason=reason, idempotency_key=key
    )
    return f"Invoice {invoice_id} sent to {sent_to}."
