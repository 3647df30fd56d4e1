"""Agent assist over HTTP: suggestions for a conversation, what its sent replies made of them, the edit rate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import List, Optional

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from common.api import id_path
from common.database import utcnow
from console.agents.models import ADMIN, LEAD, Agent
from console.dependencies import current_agent, db_session, require_role
from console.suggestions import service
from console.suggestions.models import AssistRead, EditRateReport, SentReplyRead
from console.suggestions.past_replies import past_replies_of
from knowledge import retriever

router = APIRouter(prefix="/api", tags=["suggestions"])
REPORT_DAYS = 30


@router.post("/tickets/{ticket_id}/suggestions", response_model=AssistRead)
def suggestions(
    request: Request,
    ticket_id: int = id_path("ticket id"),
    agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> AssistRead:
    """The KB articles and reply drafts for this conversation now (a POST: each draft is recorded as shown)."""
    state = request.app.state
    found = service.assist(
        ticket_id,
        agent=agent,
        db_session=session,
        backend=state.backend,
        rasa=state.rasa,
        knowledge=retriever,
        past_replies=past_replies_of(request.app),
    )
    session.commit()
    return found


@router.get("/tickets/{ticket_id}/suggestions/usage", response_model=List[SentReplyRead])
def usage(
    ticket_id: int = id_path("ticket id"),
    _agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> List[SentReplyRead]:
    """Each reply sent in this conversation: the draft it started from, if any, and the edit distance."""
    return [SentReplyRead.from_orm(row) for row in service.sent_replies(ticket_id, db_session=session)]


@router.get("/suggestions/edit-rate", response_model=EditRateReport)
def edit_rate(
    date_from: Optional[date] = Query(None, alias="from"),
    date_to: Optional[date] = Query(None, alias="to", description="inclusive; today when left out"),
    _lead: Agent = Depends(require_role(LEAD, ADMIN)),
    session: Session = Depends(db_session),
) -> EditRateReport:
    """Per day: drafts shown, replies sent, replies started from a draft, and their mean edit rate."""
    end = date_to or utcnow().date()
    start = date_from or end - timedelta(days=REPORT_DAYS - 1)
    return service.edit_rate_report(date_from=start, date_to=end, db_session=session)
