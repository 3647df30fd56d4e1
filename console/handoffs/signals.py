"""What the customer's web chat learns about the agent holding the conversation, besides messages: that they are
typing (POST /api/tickets/{id}/typing, sent by the console page while the agent writes) and which of the
customer's messages they have seen (POST /api/tickets/{id}/read, sent when the transcript shows new customer
messages in a visible tab). Both only from the assignee of an open ticket; both pushed through Rasa's socket.io
channel (clients/rasa.py agent_typing / agent_read -> channels/agent_signals.py).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Dict, List

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from clients.backend.ticketing import Ticket
from clients.http import ServiceRefused, ServiceUnavailable
from common.api import id_path
from common.errors import ApiError
from console.agents.models import Agent
from console.dependencies import current_agent

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["handoffs"])

# The page sends at most one typing note per 2 s; a second page or a burst still pushes no more often.
TYPING_PUSH_EVERY_SECONDS = 1.5
READ_IDS_MAX = 100


class ReadIn(BaseModel):
    """The timestamp (unix seconds, the tracker's) of the newest customer message the agent's page shows."""

    until: float = Field(..., ge=0)


class TypingThrottle:
    """When each conversation's typing was last pushed: one push per period, whatever the pages send."""

    def __init__(self, every_seconds: float = TYPING_PUSH_EVERY_SECONDS) -> None:
        self.every_seconds = every_seconds
        self.last_push: Dict[str, float] = {}
        self.lock = threading.Lock()

    def due(self, conversation_id: str) -> bool:
        now = time.monotonic()
        with self.lock:
            if now - self.last_push.get(conversation_id, float("-inf")) < self.every_seconds:
                return False
            self.last_push[conversation_id] = now
            # Bounded: conversations whose agent stopped typing long ago are forgotten.
            if len(self.last_push) > 10_000:
                self.last_push = {key: at for key, at in self.last_push.items() if now - at < 60}
            return True


def held_by(ticket: Ticket, agent: Agent) -> str:
    """The ticket's conversation id, when this agent holds the open ticket (403 otherwise, 409 without one)."""
    if ticket.assignee != agent.username or ticket.status != "open":
        raise ApiError(403, "not_your_conversation", "Claim this conversation first.")
    if not ticket.conversation_id:
        raise ApiError(409, "no_conversation", "This ticket has no live conversation.")
    return ticket.conversation_id


def customer_message_ids(tracker: Dict[str, Any], *, until: float) -> List[str]:
    """Client message ids of the customer's messages up to `until`, the newest last (at most READ_IDS_MAX)."""
    ids = [
        str(event["message_id"])
        for event in tracker.get("events", [])
        if event.get("event") == "user"
        and event.get("message_id")
        and float(event.get("timestamp") or 0) <= until
    ]
    return ids[-READ_IDS_MAX:]


@router.post("/tickets/{ticket_id}/typing", status_code=202)
def typing(
    request: Request, ticket_id: int = id_path("ticket id"), agent: Agent = Depends(current_agent)
) -> dict:
    state = request.app.state
    conversation_id = held_by(state.backend.ticketing.ticket(ticket_id), agent)
    if not state.typing_throttle.due(conversation_id):
        return {"sent": False}
    try:
        state.rasa.agent_typing(conversation_id, agent.display_name)
    except (ServiceRefused, ServiceUnavailable) as exc:  # a hint for the customer; the reply still works
        logger.warning("typing not shown in conversation %s: %s", conversation_id, exc)
        return {"sent": False}
    return {"sent": True}


@router.post("/tickets/{ticket_id}/read")
def read(
    body: ReadIn,
    request: Request,
    ticket_id: int = id_path("ticket id"),
    agent: Agent = Depends(current_agent),
) -> dict:
    state = request.app.state
    conversation_id = held_by(state.backend.ticketing.ticket(ticket_id), agent)
    ids = customer_message_ids(state.rasa.tracker(conversation_id), until=body.until)
    if not ids:
        return {"read": 0}
    try:
        state.rasa.agent_read(conversation_id, ids)
    except (ServiceRefused, ServiceUnavailable) as exc:
        logger.warning("read marks not sent to conversation %s: %s", conversation_id, exc)
        return {"read": 0}
    return {"read": len(ids)}
