"""The history view: every ticket, past and present, filtered by status, customer, label, date and reason; and
the conversations that never reached a person (console/history/bots.py), by date, with a redacted transcript.

Tickets come from the backend's search; labels live in the console's database, so a label filter is turned
into the list of ticket ids carrying it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Optional

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from common.errors import not_found
from common.vocabulary import HandoffReason, TicketStatus
from console.agents.models import Agent
from console.dependencies import current_agent, db_session
from console.handoffs.service import ticket_summary
from console.history import bots
from console.inbox.views import tracker
from console.notes import service as notes
from console.notes.models import Label

router = APIRouter(prefix="/api", tags=["history"])
PAGE_SIZE = 50
MAX_LABELLED = 500  # the most tickets one label filter passes on to the backend


@router.get("/history")
def history(
    request: Request,
    status: Optional[TicketStatus] = None,
    reason: Optional[HandoffReason] = None,
    customer: Optional[str] = Query(None, min_length=1, max_length=320, description="part of the email"),
    label: Optional[Label] = None,
    date_from: Optional[date] = Query(None, alias="from"),
    date_to: Optional[date] = Query(None, alias="to", description="inclusive"),
    q: Optional[str] = Query(None, min_length=1, max_length=200),
    page: int = Query(1, ge=1, le=10_000),
    _agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> dict:
    ids = None
    if label:
        ids = sorted(notes.tickets_labelled(label, db_session=session), reverse=True)[:MAX_LABELLED]
        if not ids:
            return {"items": [], "total": 0, "page": page, "page_size": PAGE_SIZE}
    found = request.app.state.backend.ticketing.search(
        status=status.value if status else None,
        reason=reason.value if reason else None,
        customer_email=customer,
        created_from=datetime.combine(date_from, time()) if date_from else None,
        created_to=datetime.combine(date_to + timedelta(days=1), time()) if date_to else None,
        text=q,
        ids=ids,
        page=page,
        page_size=PAGE_SIZE,
    )
    labels = notes.labels_of([ticket.id for ticket in found.items], db_session=session)
    items = [
        {**ticket_summary(ticket), "category": ticket.category, "labels": labels.get(ticket.id, [])}
        for ticket in found.items
    ]
    return {"items": items, "total": found.total, "page": page, "page_size": PAGE_SIZE}


@router.get("/history/conversations")
def bot_conversations(
    request: Request,
    date_from: Optional[date] = Query(None, alias="from"),
    date_to: Optional[date] = Query(None, alias="to", description="inclusive"),
    page: int = Query(1, ge=1, le=10_000),
    _agent: Agent = Depends(current_agent),
) -> dict:
    """Conversations the bot handled alone (never paused for a person), newest first, redacted."""
    return bots.conversations(
        tracker(request),
        started_from=datetime.combine(date_from, time()) if date_from else None,
        started_before=datetime.combine(date_to + timedelta(days=1), time()) if date_to else None,
        page=page,
        page_size=PAGE_SIZE,
    )


@router.get("/history/conversations/{conversation_id}")
def bot_conversation(
    request: Request,
    conversation_id: str = Path(..., min_length=1, max_length=255),
    _agent: Agent = Depends(current_agent),
) -> dict:
    """The read-only, redacted transcript of one bot-only conversation (404 for one a person joined)."""
    found = bots.transcript(tracker(request), conversation_id)
    if found is None:
        raise not_found("conversation_not_found", "No bot-only conversation with that id.")
    return found
