"""HTTP routes for tickets."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import List, Literal, Optional

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend import events
from backend.dependencies import db_session, idempotency_key, verification_token
from backend.idempotency import views as idempotency
from backend.idempotency.views import Produced
from backend.identity.service import require_verified
from backend.notifications import service as notifications
from backend.notifications.models import OutboxMessageRead
from backend.pagination import Page, PageParams, page_params, paginate
from backend.security import CUSTOMERS_READ, TICKETS_CREATE, TICKETS_WORK, Credential, require_scope
from backend.tickets import service
from backend.tickets.models import (
    CsatIn,
    CustomerEmailIn,
    MessageIn,
    TicketAssignment,
    TicketClaim,
    TicketCreate,
    TicketRead,
    TicketResolution,
    TicketUpdate,
)
from backend.tickets.search import TicketSearch
from common.api import MAX_ID, id_path
from common.errors import ApiError
from common.vocabulary import HandoffReason, TicketCategory, TicketStatus

router = APIRouter(tags=["tickets"])


def _naive_utc(value: Optional[datetime]) -> Optional[datetime]:
    """Times are stored as naive UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


WORK = [Depends(require_scope(TICKETS_WORK))]


@router.post("/tickets", response_model=TicketRead, status_code=201)
def create_ticket(
    body: TicketCreate,
    key: Optional[str] = Depends(idempotency_key),
    token: Optional[str] = Depends(verification_token),
    credential: Credential = Depends(require_scope(TICKETS_CREATE)),
    session: Session = Depends(db_session),
) -> JSONResponse:
    """Open a ticket; with an Idempotency-Key a retry returns the same ticket instead of a second one.

    A ticket names a customer account only for that customer's verification token: a typed email is a
    claim, kept as `customer_email`, and never pulls in an account's data.
    """
    if body.customer_id is not None and not credential.allows(CUSTOMERS_READ):
        require_verified(token, body.customer_id, db_session=session)

    def produce() -> Produced:
        ticket = service.create(
            subject=body.subject,
            category=body.category,
            priority=body.priority,
            customer_id=body.customer_id,
            customer_email=body.customer_email,
            conversation_id=body.conversation_id,
            details=body.details,
            messages=body.messages,
            db_session=session,
        )
        return 201, TicketRead.from_row(ticket)

    # What makes two requests the same ticket: a resend after a crash carries a longer transcript (the
    # customer's message twice) and must still find the first ticket, not be refused as a different request.
    identity = body.dict(
        include={"subject", "category", "priority", "customer_id", "customer_email", "conversation_id"}
    )
    response = idempotency.execute(
        key, "POST /tickets", identity, produce, db_session=session, required=False
    )
    if response.status_code in (200, 201):
        created = json.loads(response.body)
        reason = body.details.get("escalation_reason") if isinstance(body.details, dict) else None
        events.ticket_created(created["id"], body.conversation_id, body.category, reason)
    return response


@router.get("/tickets", response_model=Page[TicketRead], dependencies=WORK)
def list_tickets(
    customer_id: Optional[int] = Query(None, ge=1, le=MAX_ID),
    status: Optional[TicketStatus] = None,
    conversation_id: Optional[str] = Query(None, max_length=200),
    category: Optional[TicketCategory] = None,
    order: Literal["newest", "queue"] = "newest",
    reason: Optional[HandoffReason] = None,
    customer_email: Optional[str] = Query(None, min_length=1, max_length=320),
    created_from: Optional[datetime] = None,
    created_to: Optional[datetime] = None,
    q: Optional[str] = Query(
        None, min_length=1, max_length=200, description="part of the subject or email, or the ticket number"
    ),
    ticket_id: Optional[List[int]] = Query(None, alias="id", max_items=500, description="only these tickets"),
    params: PageParams = Depends(page_params),
    session: Session = Depends(db_session),
) -> dict:
    """List tickets; `order=queue` gives the handoff queue order (priority, then longest wait).

    The search filters (the console's history): escalation `reason`, part of `customer_email`, creation time
    from `created_from` (inclusive) to `created_to` (exclusive), text `q`, and `id` (repeatable)."""
    if ticket_id and any(not 1 <= value <= MAX_ID for value in ticket_id):
        raise ApiError(422, "validation_error", f"Each id must be between 1 and {MAX_ID}.")
    search = TicketSearch(
        reason=reason.value if reason else None,
        customer_email=customer_email,
        created_from=_naive_utc(created_from),
        created_to=_naive_utc(created_to),
        text=q,
        ids=ticket_id,
    )
    statement = service.list_statement(
        customer_id,
        status.value if status else None,
        conversation_id,
        category.value if category else None,
        queue=order == "queue",
        search=search,
    )
    page = paginate(statement, params, db_session=session)
    page["items"] = [TicketRead.from_row(ticket) for ticket in page["items"]]
    return page


@router.get("/tickets/{ticket_id}", response_model=TicketRead, dependencies=WORK)
def get_ticket(
    *, ticket_id: int = id_path("ticket id"), session: Session = Depends(db_session)
) -> TicketRead:
    return TicketRead.from_row(service.get(ticket_id, db_session=session))


@router.post("/tickets/{ticket_id}/messages", response_model=TicketRead, status_code=201, dependencies=WORK)
def add_message(
    *, ticket_id: int = id_path("ticket id"), body: MessageIn, session: Session = Depends(db_session)
) -> TicketRead:
    ticket = service.add_message(ticket_id, body, db_session=session)
    session.commit()
    return TicketRead.from_row(ticket)


@router.patch("/tickets/{ticket_id}", response_model=TicketRead, dependencies=WORK)
def update_ticket(
    *, ticket_id: int = id_path("ticket id"), body: TicketUpdate, session: Session = Depends(db_session)
) -> TicketRead:
    ticket = service.update(ticket_id, status=body.status, priority=body.priority, db_session=session)
    session.commit()
    return TicketRead.from_row(ticket)


@router.post("/tickets/{ticket_id}/claim", response_model=TicketRead, dependencies=WORK)
def claim_ticket(
    *, ticket_id: int = id_path("ticket id"), body: TicketClaim, session: Session = Depends(db_session)
) -> TicketRead:
    """Take an open ticket from the queue; 409 `already_claimed` if another agent has it."""
    ticket = service.claim(ticket_id, agent=body.agent, db_session=session)
    session.commit()
    return TicketRead.from_row(ticket)


@router.post("/tickets/{ticket_id}/assignment", response_model=TicketRead, dependencies=WORK)
def reassign_ticket(
    *, ticket_id: int = id_path("ticket id"), body: TicketAssignment, session: Session = Depends(db_session)
) -> TicketRead:
    """Transfer to another agent or return to the queue; only from the current assignee."""
    ticket = service.reassign(
        ticket_id, expected_assignee=body.expected_assignee, assignee=body.assignee, db_session=session
    )
    session.commit()
    return TicketRead.from_row(ticket)


@router.post("/tickets/{ticket_id}/resolution", response_model=TicketRead, dependencies=WORK)
def resolve_ticket(
    *, ticket_id: int = id_path("ticket id"), body: TicketResolution, session: Session = Depends(db_session)
) -> TicketRead:
    """Mark solved by its assignee."""
    ticket = service.resolve(ticket_id, agent=body.agent, db_session=session)
    session.commit()
    return TicketRead.from_row(ticket)


@router.put(
    "/tickets/{ticket_id}/csat",
    response_model=TicketRead,
    dependencies=[Depends(require_scope(TICKETS_CREATE))],
)
def rate_ticket(
    *, ticket_id: int = id_path("ticket id"), body: CsatIn, session: Session = Depends(db_session)
) -> TicketRead:
    """Store the customer's 1-5 satisfaction rating (a repeat overwrites it)."""
    ticket = service.rate(ticket_id, rating=body.rating, db_session=session)
    session.commit()
    events.ticket_rated(ticket.id, ticket.conversation_id, body.rating)
    return TicketRead.from_row(ticket)


@router.post(
    "/tickets/{ticket_id}/customer-email",
    response_model=OutboxMessageRead,
    status_code=201,
    dependencies=WORK,
)
def email_customer(
    *, ticket_id: int = id_path("ticket id"), body: CustomerEmailIn, session: Session = Depends(db_session)
) -> OutboxMessageRead:
    """Email an agent's reply to the ticket's verified customer, at the address on file (422 otherwise)."""
    message = service.email_customer(ticket_id, subject=body.subject, body=body.body, db_session=session)
    session.commit()
    return notifications.as_read(message, with_clear_body=False, db_session=session)
