"""Ticketing operations: create, list, read, reply, change status, and the handoff queue's claim/resolve."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import case, func, select
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend.customers.models import Customer
from backend.notifications import service as notifications
from backend.notifications.models import OutboxMessage
from backend.tickets.models import MessageIn, Ticket, TicketMessage
from backend.tickets.search import TicketSearch
from common.batches import count_rows
from common.database import utcnow
from common.errors import conflict, not_found, unprocessable
from common.masking import mask_email
from common.redaction import DEFAULT_RECOGNISERS, STORE_IDENTIFIERS, Redactor, codes, person_names
from common.vocabulary import TicketStatus

# A ticket keeps what an agent needs to reply and nothing more (issue 14): every message and detail goes
# through the one redactor with the customer's own values, whoever wrote it; order numbers and invoice ids stay
# readable. The conversation the agent works in is Rasa's tracker, not these rows. Bots and agents quote
# 6-digit ticket and refund numbers, so only a customer's line has its codes masked; the backend's own notes
# (system lines: "changed Test item to size L. Reason: ...") name the customer only by CRM values, so names are
# looked for there by those alone (the word cues would read "L. Reason" as a name).
_CUSTOMER_LINES = Redactor(DEFAULT_RECOGNISERS)
_OTHER_LINES = Redactor([recogniser for recogniser in DEFAULT_RECOGNISERS if recogniser is not codes])
_SYSTEM_LINES = Redactor(
    [recogniser for recogniser in _OTHER_LINES.recognisers if recogniser is not person_names]
)


def _stored_body(body: str, *, author: str, known_values: List[str]) -> str:
    redactor = {"customer": _CUSTOMER_LINES, "system": _SYSTEM_LINES}.get(author, _OTHER_LINES)
    return redactor.redact(body, known_values=known_values, keep=STORE_IDENTIFIERS)


def _known_values(customer_id: Optional[int], email: Optional[str], *, db_session: Session) -> List[str]:
    """The customer's own values from the CRM, and the address the ticket was opened with. An unverified
    ticket's typed address may be an account's: its values only help find what to mask, nothing is shown."""
    customer = db_session.get(Customer, customer_id) if customer_id is not None else None
    accounts = [customer] if customer is not None else []
    if customer is None and email:
        # Emails differing only in case may be two accounts (tests/audit/test_identity.py): mask with both.
        accounts = list(
            db_session.scalars(
                select(Customer).where(func.lower(Customer.email) == email.strip().lower()).limit(5)
            )
        )
    found = [value for each in accounts for value in (each.name, each.email, each.phone, each.address)]
    return [value for value in (*found, email) if value]


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
    if customer_id is not None and db_session.get(Customer, customer_id) is None:
        raise unprocessable("customer_not_found", "No customer with that id.")
    known = _known_values(customer_id, customer_email, db_session=db_session)
    ticket = Ticket(
        subject=_OTHER_LINES.redact(subject, known_values=known, keep=STORE_IDENTIFIERS),  # free text too
        category=category,
        priority=priority,
        customer_id=customer_id,
        # Only a verified ticket keeps the contact address; an unverified one keeps its masked form.
        customer_email=customer_email
        if customer_id is not None or not customer_email
        else mask_email(customer_email),
        conversation_id=conversation_id,
        details_json=json.dumps(
            _OTHER_LINES.redact_in(
                json.loads(json.dumps(details, default=str)), known_values=known, keep=STORE_IDENTIFIERS
            )
        ),
    )
    for message in messages:
        ticket.messages.append(
            TicketMessage(
                author=message.author,
                body=_stored_body(message.body, author=message.author, known_values=known),
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
    queue: bool = False,
    search: Optional[TicketSearch] = None,
) -> Select:
    """Select tickets with optional filters: newest first, or in queue order (priority, then longest wait)."""
    if queue:
        urgency = case(
            (Ticket.priority == "urgent", 0),
            (Ticket.priority == "high", 1),
            (Ticket.priority == "normal", 2),
            else_=3,
        )
        statement = select(Ticket).order_by(urgency, Ticket.created_at, Ticket.id)
    else:
        statement = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    if customer_id is not None:
        statement = statement.where(Ticket.customer_id == customer_id)
    if status is not None:
        statement = statement.where(Ticket.status == status)
    if conversation_id is not None:
        statement = statement.where(Ticket.conversation_id == conversation_id)
    if category is not None:
        statement = statement.where(Ticket.category == category)
    return search.narrow(statement) if search else statement


def add_message(ticket_id: int, message: MessageIn, *, db_session: Session) -> Ticket:
    """Append a message to a ticket."""
    ticket = get(ticket_id, db_session=db_session)
    # An unverified ticket kept only the masked address: the emails recogniser still finds a typed one.
    verified_email = ticket.customer_email if ticket.customer_id is not None else None
    known = _known_values(ticket.customer_id, verified_email, db_session=db_session)
    ticket.messages.append(
        TicketMessage(
            author=message.author,
            body=_stored_body(message.body, author=message.author, known_values=known),
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


def claim(ticket_id: int, *, agent: str, db_session: Session) -> Ticket:
    """Assign an open, unassigned ticket to an agent; 409 if someone else got it first."""
    now = utcnow()
    claimed = db_session.execute(
        sql_update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.assignee.is_(None), Ticket.status == "open")
        .values(assignee=agent, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    ticket = get(ticket_id, db_session=db_session)
    db_session.refresh(ticket)
    if not claimed and ticket.assignee != agent:
        raise conflict(
            "already_claimed",
            "This conversation is already taken or closed.",
            {"assignee": ticket.assignee, "status": ticket.status},
        )
    return ticket


def reassign(
    ticket_id: int, *, expected_assignee: str, assignee: Optional[str], db_session: Session
) -> Ticket:
    """Transfer a ticket to another agent, or return it to the queue (assignee None)."""
    now = utcnow()
    changed = db_session.execute(
        sql_update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.assignee == expected_assignee, Ticket.status == "open")
        .values(assignee=assignee, claimed_at=now if assignee else None, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    ticket = get(ticket_id, db_session=db_session)
    db_session.refresh(ticket)
    if not changed:
        raise conflict(
            "not_assigned_to_you",
            "Only the agent working on this conversation can hand it on.",
            {"assignee": ticket.assignee, "status": ticket.status},
        )
    return ticket


def resolve(ticket_id: int, *, agent: str, db_session: Session) -> Ticket:
    """Mark the assignee's ticket solved."""
    ticket = get(ticket_id, db_session=db_session)
    if ticket.assignee != agent:
        raise conflict(
            "not_assigned_to_you",
            "Only the agent working on this conversation can resolve it.",
            {"assignee": ticket.assignee, "status": ticket.status},
        )
    if ticket.status != "solved":
        ticket.status = "solved"
        ticket.resolved_at = utcnow()
    db_session.flush()
    return ticket


def rate(ticket_id: int, *, rating: int, db_session: Session) -> Ticket:
    """Store the customer's satisfaction rating (1 to 5) for the conversation."""
    ticket = get(ticket_id, db_session=db_session)
    ticket.csat_rating = rating
    db_session.flush()
    return ticket


def email_customer(ticket_id: int, *, subject: str, body: str, db_session: Session) -> OutboxMessage:
    """Email the ticket's customer at the address on their account.

    Only a verified customer (a ticket linked to an account) is emailed: an unverified conversation's
    email is just what someone typed, and an agent's reply must not land in a stranger's mailbox.
    """
    ticket = get(ticket_id, db_session=db_session)
    if ticket.customer_id is None:
        raise unprocessable("email_not_verified", "The customer did not verify an email address.")
    customer = db_session.get(Customer, ticket.customer_id)
    if customer is None or not customer.email:
        raise unprocessable("no_email_on_file", "There is no email address for this ticket's customer.")
    # An agent's reply holds no secret of ours: the kept copy is the reply with the customer's values replaced.
    return notifications.queue(
        channel="email",
        recipient=customer.email,
        template="agent_reply",
        subject=subject,
        body=body,
        kept_body=body,
        known_values=[value for value in (customer.name, customer.phone, customer.address) if value],
        db_session=db_session,
    )


# Retention (privacy/retention.py): a ticket solved or closed before the cutoff is anonymised, not deleted, so
# counts, categories, handling times and ratings stay for reporting (and invoices never point at a hole):
# who the customer was, the subject, the details and every message go.
ANONYMISED_SUBJECT = "[anonymised]"


def _closed_before(cutoff: datetime) -> Any:
    return (
        Ticket.status.in_((TicketStatus.SOLVED.value, TicketStatus.CLOSED.value))
        & (Ticket.updated_at < cutoff)
        & (Ticket.subject != ANONYMISED_SUBJECT)
    )


def count_closed_before(cutoff: datetime, *, db_session: Session) -> int:
    return count_rows(Ticket.id, _closed_before(cutoff), db_session=db_session)


def anonymise_closed_before(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Anonymise one batch of tickets closed before the cutoff; the caller commits."""
    ids = list(
        db_session.execute(
            select(Ticket.id).where(_closed_before(cutoff)).order_by(Ticket.id).limit(batch_size)
        ).scalars()
    )
    if ids:
        db_session.execute(sql_delete(TicketMessage).where(TicketMessage.ticket_id.in_(ids)))
        db_session.execute(
            sql_update(Ticket)
            .where(Ticket.id.in_(ids))
            .values(
                customer_id=None,
                customer_email=None,
                conversation_id=None,
                subject=ANONYMISED_SUBJECT,
                details_json="{}",
                updated_at=Ticket.updated_at,  # not "now": the ticket's last activity stays what it was
            )
            .execution_options(synchronize_session=False)
        )
    return len(ids)
