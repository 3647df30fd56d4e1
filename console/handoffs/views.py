"""The queue, the conversation view and the takeover actions."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Optional

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from common.api import id_path
from common.database import utcnow
from common.errors import ApiError, too_many
from common.event_stream import (
    AGENT_REPLIED,
    HANDOFF_RATED,
    TICKET_CLAIMED,
    TICKET_RESOLVED,
    TICKET_TRANSFERRED,
    TICKET_UNASSIGNED,
)
from common.fields import Name, Reply
from console.agents import service as agents
from console.agents.models import Agent, AgentRead
from console.audit import service as audit
from console.dependencies import caller_address, current_agent, db_session
from console.handoffs import service
from console.handoffs.availability import AvailabilityCache
from console.handoffs.previews import LivePreviews
from console.handoffs.shapes import Availability, ConversationView, LiveMessages
from console.suggestions import service as suggestions

router = APIRouter(prefix="/api", tags=["handoffs"])


class ReplyIn(BaseModel):
    text: Reply
    # The agent-assist draft the reply started from (console/suggestions), if any.
    suggestion_id: Optional[int] = Field(None, ge=1, le=2_147_483_647)


class TransferIn(BaseModel):
    to: Name


class ResolveIn(BaseModel):
    """Optional, when resolving: how useful the bot's handover context was (1-5), with a note."""

    context_rating: Optional[int] = Field(None, ge=1, le=5)
    note: Optional[Reply] = None


def _online_after(request: Request) -> datetime:
    return request.app.state.online_after(utcnow())


@router.get("/availability", response_model=None)
def availability(
    request: Request,
    ticket_id: Optional[int] = Query(None, ge=1, le=2_147_483_647),
    address: str = Depends(caller_address),
) -> Availability:
    """Public: the bot asks this before telling a customer how long they will wait.

    Nobody logs in here, so it is limited per caller and answered from a short cache: a flood costs
    the backend at most one queue read per cache period, never the action server's budget.
    """
    state = request.app.state
    presented = request.headers.get("Authorization", "").encode()
    from_the_assistant = hmac.compare_digest(presented, f"Bearer {state.settings.service_token}".encode())
    if not from_the_assistant and not state.limiter.hit(
        state.settings.public_rate_limit, "console-public", address
    ):
        raise too_many("rate_limited", "Too many requests; try again in a minute.")
    cache: AvailabilityCache = state.availability
    return cache.get(ticket_id)


@router.get("/queue")
def queue(
    request: Request, _agent: Agent = Depends(current_agent), session: Session = Depends(db_session)
) -> dict:
    online_after = _online_after(request)
    previews: LivePreviews = request.app.state.previews
    return {
        "items": previews.apply(service.queue(backend=request.app.state.backend)),
        "agents": [
            AgentRead.from_row(agent, online_after=online_after).dict()
            for agent in agents.all_agents(db_session=session)
        ],
    }


@router.get("/tickets/{ticket_id}", response_model=None)
def conversation(
    request: Request,
    ticket_id: int = id_path("ticket id"),
    _agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> ConversationView:
    state = request.app.state
    return service.conversation_view(
        ticket_id,
        db_session=session,
        backend=state.backend,
        rasa=state.rasa,
        online_after=_online_after(request),
    )


@router.get("/tickets/{ticket_id}/messages", response_model=None)
def messages(
    request: Request,
    ticket_id: int = id_path("ticket id"),
    after: float = Query(0.0, ge=0),
    _agent: Agent = Depends(current_agent),
) -> LiveMessages:
    state = request.app.state
    return service.live_messages(ticket_id, after=after, backend=state.backend, rasa=state.rasa)


@router.post("/tickets/{ticket_id}/claim")
def claim(
    request: Request, ticket_id: int = id_path("ticket id"), agent: Agent = Depends(current_agent)
) -> dict:
    state = request.app.state
    ticket = service.claim(ticket_id, agent=agent, backend=state.backend, rasa=state.rasa, texts=state.texts)
    _audit(request, agent, audit.CLAIM, ticket_id)
    state.events.emit(TICKET_CLAIMED, ticket["conversation_id"], agent=agent.username)
    return {"ticket": ticket}


@router.post("/tickets/{ticket_id}/reply", status_code=201)
def reply(
    body: ReplyIn,
    request: Request,
    ticket_id: int = id_path("ticket id"),
    agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> dict:
    text = body.text.strip()
    if not text:
        raise ApiError(422, "empty_reply", "Type a message first.")
    state = request.app.state
    draft = (
        suggestions.suggestion_for_reply(body.suggestion_id, ticket_id=ticket_id, db_session=session)
        if body.suggestion_id
        else None
    )
    delivered = service.reply(
        ticket_id, text, agent=agent, backend=state.backend, rasa=state.rasa, emails=state.emails
    )
    sent = suggestions.record_sent(ticket_id, text, agent=agent, suggestion=draft, db_session=session)
    session.commit()
    _audit(request, agent, audit.REPLY, ticket_id, delivered)
    conversation_id = state.backend.ticketing.ticket(ticket_id).conversation_id
    state.events.emit(AGENT_REPLIED, conversation_id, agent=agent.username)
    suggestions.publish_sent(sent, conversation_id=conversation_id, events=state.events)
    return {"delivered": delivered}


@router.post("/tickets/{ticket_id}/transfer")
def transfer(
    body: TransferIn,
    request: Request,
    ticket_id: int = id_path("ticket id"),
    agent: Agent = Depends(current_agent),
    session: Session = Depends(db_session),
) -> dict:
    state = request.app.state
    ticket = service.transfer(
        ticket_id,
        body.to,
        agent=agent,
        db_session=session,
        backend=state.backend,
        rasa=state.rasa,
        texts=state.texts,
    )
    _audit(request, agent, audit.TRANSFER, ticket_id, f"to {body.to}")
    state.events.emit(TICKET_TRANSFERRED, ticket["conversation_id"], agent=body.to)
    return {"ticket": ticket}


@router.post("/tickets/{ticket_id}/unassign")
def unassign(
    request: Request, ticket_id: int = id_path("ticket id"), agent: Agent = Depends(current_agent)
) -> dict:
    state = request.app.state
    ticket = service.unassign(
        ticket_id, agent=agent, backend=state.backend, rasa=state.rasa, texts=state.texts
    )
    _audit(request, agent, audit.UNASSIGN, ticket_id)
    state.events.emit(TICKET_UNASSIGNED, ticket["conversation_id"], agent=agent.username)
    return {"ticket": ticket}


@router.post("/tickets/{ticket_id}/resolve")
def resolve(
    request: Request,
    body: Optional[ResolveIn] = None,
    ticket_id: int = id_path("ticket id"),
    agent: Agent = Depends(current_agent),
) -> dict:
    state = request.app.state
    ticket = service.resolve(ticket_id, agent=agent, backend=state.backend, rasa=state.rasa)
    _audit(request, agent, audit.RESOLVE, ticket_id)
    conversation_id = ticket["conversation_id"]
    state.events.emit(TICKET_RESOLVED, conversation_id, agent=agent.username)
    if body is not None and body.context_rating is not None:
        state.events.emit(
            HANDOFF_RATED, conversation_id, agent=agent.username, value=body.context_rating, note=body.note
        )
    return {"ticket": ticket}


def _audit(
    request: Request, agent: Agent, action: str, ticket_id: int, details: Optional[str] = None
) -> None:
    """Record what the agent just did, in its own short transaction."""
    with request.app.state.session_factory() as session:
        audit.record(
            agent.username,
            action,
            ticket_id=ticket_id,
            client_address=caller_address(request),
            details=details,
            db_session=session,
        )
        session.commit()
