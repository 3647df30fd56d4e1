"""Which rows of the backend are one customer's, beyond those carrying their customer id."""

from __future__ import annotations

from typing import Any, Set

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from backend.customers import service as customers
from backend.customers.models import Customer, EmailChangeRequest
from backend.notifications import service as notifications
from backend.notifications.models import OutboxMessage
from backend.tickets.models import Ticket


def customer_addresses(customer: Customer, *, db_session: Session) -> Set[str]:
    """Where the store wrote to this customer: their email, phone and every new address they asked for
    (unless that address now belongs to another account, whose messages are not theirs)."""
    addresses = {customers.normalise_email(customer.email)}
    if customer.phone:
        addresses.add(customer.phone)
    asked_for = db_session.execute(
        select(EmailChangeRequest.new_email).where(EmailChangeRequest.customer_id == customer.id)
    ).scalars()
    for new_email in asked_for:
        owner = customers.get_by_email(new_email, db_session=db_session)
        if owner is None or owner.id == customer.id:
            addresses.add(customers.normalise_email(new_email))
    return addresses


def tickets_of(customer: Customer) -> Any:
    """The condition for the customer's tickets: linked to the account, or opened with its email."""
    return or_(
        Ticket.customer_id == customer.id,
        func.lower(Ticket.customer_email) == customers.normalise_email(customer.email),
    )


def outbox_to(addresses: Set[str], *, db_session: Session) -> Any:
    """The condition for messages sent to any of the addresses (rows keep only a keyed hash of theirs)."""
    return OutboxMessage.recipient_hash.in_(
        sorted(notifications.recipient_hash(address, db_session=db_session) for address in addresses)
    )
