"""Acting for a customer from the console: only for the verified customer of an open ticket, by its assignee.

The actions themselves are the ones the bot uses (the same policies, the same idempotency); this module
only decides whether this agent may act on this ticket's customer's order or invoice, and notes every
action on the ticket, so the backend keeps its own record next to the console's audit trail.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy.orm import Session

from backend.orders import service as orders
from backend.orders.models import Order
from backend.tickets import service as tickets
from backend.tickets.models import MessageIn, Ticket
from common.errors import ApiError, not_found
from common.vocabulary import TicketStatus


def ticket_for(ticket_id: int, agent: str, *, db_session: Session) -> Ticket:
    """The ticket, if it is open, assigned to this agent and names a verified customer; 403 otherwise."""
    ticket = tickets.get(ticket_id, db_session=db_session)
    if ticket.status != TicketStatus.OPEN or ticket.assignee != agent:
        raise ApiError(403, "not_assigned", "Only the agent working this open ticket can act on it.")
    if ticket.customer_id is None:
        raise ApiError(
            403, "customer_not_verified", "The customer on this ticket is not verified: nothing can be done."
        )
    return ticket


def customer_order(ticket: Ticket, order_id: int, *, db_session: Session) -> Order:
    """One of the ticket's customer's orders; the same 404 for anybody else's."""
    order = db_session.get(Order, order_id)
    if order is None or order.customer_id != ticket.customer_id:
        raise not_found("order_not_found", "No order with that number for this customer.")
    return order


def note(ticket: Ticket, agent: str, did: str, reason: str, *, db_session: Session) -> None:
    """Keep what the agent did, and why, on the ticket (agents read it; the customer is never sent it)."""
    tickets.add_message(
        ticket.id, MessageIn(author="system", body=f"{agent} {did}. Reason: {reason}"), db_session=db_session
    )


def check_order(ticket_id: int, order_id: int, agent: str, *, db_session: Session) -> Order:
    """Both checks at once, for the views to run before they claim an idempotency key."""
    return customer_order(
        ticket_for(ticket_id, agent, db_session=db_session), order_id, db_session=db_session
    )


def change_size(
    ticket_id: int, order_id: int, item_id: int, size: str, agent: str, reason: str, *, db_session: Session
) -> Order:
    ticket = ticket_for(ticket_id, agent, db_session=db_session)
    order = customer_order(ticket, order_id, db_session=db_session)
    item = orders.change_item_size(order, item_id, size, db_session=db_session)
    note(
        ticket,
        agent,
        f"changed {item.name} on order {order.id} to size {size}",
        reason,
        db_session=db_session,
    )
    return order


def swap_item(
    ticket_id: int,
    order_id: int,
    item_id: int,
    sku: str,
    size: Optional[str],
    agent: str,
    reason: str,
    *,
    db_session: Session,
) -> Order:
    """Swap an item for a product at the same price (so no money moves), noted on the ticket."""
    ticket = ticket_for(ticket_id, agent, db_session=db_session)
    order = customer_order(ticket, order_id, db_session=db_session)
    before = next((line.name for line in order.items if line.id == item_id), "an item")
    item = orders.swap_item(order, item_id, sku, size, db_session=db_session)
    sized = f", size {item.size}" if item.size else ""
    did = f"swapped {before} for {item.name} ({item.sku}{sized}) on order {order.id}, same price"
    note(ticket, agent, did, reason, db_session=db_session)
    return order
