"""Ticketing operations: create, list, read, reply and change status."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.database import utcnow
from backend.errors import not_found, unprocessable
from backend.tickets.models import MessageIn, Ticket, TicketMessage


def create(
    *,
    subject: str,
    category: str,
    priority: str,
    customer_id: Optional[int],
    customer_email: Optional[str],
    conversation_id: Optional[str],
    details: Dict[str, Any],
    messages: Iterable[MessageIn],
    db_session: Session,
) -> Ticket:
    """Open a ticket with its first messages."""
    if customer_id is not None:
        from backend.customers.models import (
            Customer,
        )  # customers imports tickets; avoid the cycle

        if db_session.get(Customer, customer_id) is None:
            raise unprocessable("customer_not_found", "No customer with that id.")
    ticket = Ticket(
        subject=subject,
        category=category,
        priority=priority,
        customer_id=customer_id,
        customer_email=customer_email,
        conversation_id=conversation_id,
        details_json=json.dumps(details, default=str),
    )
    for message in messages:
        ticket.messages.append(
            TicketMessage(
                author=message.author,
                body=message.body,
                created_at=message.sent_at or utcnow(),
            )
        )
    db_session.add(ticket)
    db_session.flush()
    return ticket


def get(ticket_id: int, *, db_session: Session) -> Ticket:
    """Return a ticket or raise 404."""
    ticket = db_session.get(Ticket, ticket_id)
    if ticket is None:
        raise not_found("ticket_not_found", "No ticket with that id.")
    return ticket


def list_statement(
    customer_id: Optional[int] = None,
    status: Optional[str] = None,
    conversation_id: Optional[str] = None,
    category: Optional[str] = None,
):
    """Select tickets, newest first, with optional filters."""
    statement = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    if customer_id is not None:
        statement = statement.where(Ticket.customer_id == customer_id)
    if status is not None:
        statement = statement.where(Ticket.status == status)
    if conversation_id is not None:
        statement = statement.where(Ticket.conversation_id == conversation_id)
    if category is not None:
        statement = statement.where(Ticket.category == category)
    return statement


def add_message(ticket_id: int, message: MessageIn, *, db_session: Session) -> Ticket:
    """Append a message to a ticket."""
    ticket = get(ticket_id, db_session=db_session)
    ticket.messages.append(
        TicketMessage(
            author=message.author,
            body=message.body,
            created_at=message.sent_at or utcnow(),
        )
    )
    ticket.updated_at = utcnow()
    db_session.flush()
    return ticket


def update(
    ticket_id: int,
    *,
    status: Optional[str],
    priority: Optional[str],
    db_session: Session,
) -> Ticket:
    """Change a ticket's status or priority."""
    ticket = get(ticket_id, db_session=db_session)
    if status is not None:
        ticket.status = status
    if priority is not None:
        ticket.priority = priority
    db_session.flush()
    return ticket
