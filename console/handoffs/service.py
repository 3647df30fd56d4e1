"""The handoff queue and live takeover: plain functions over the backend, Rasa and the console's tables.

Tickets (queue, assignee, status, CSAT) live in the backend; the conversation itself lives in Rasa.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from sqlalchemy.orm import Session

from clients.backend import BackendApi
from clients.backend.ticketing import Ticket
from clients.http import ServiceRefused, ServiceUnavailable
from clients.rasa import RasaClient
from common.database import utcnow
from common.errors import ApiError
from common.settings import ConsoleSettings
from common.texts import MessageTemplates, Texts
from common.vocabulary import (
    ACTION_HANDOFF_RESOLVED,
    ACTION_LISTEN,
    HANDOFF_TICKET_SLOT,
    NOTICE_AGENT_JOINED,
    NOTICE_AGENT_LEFT,
    NOTICE_AGENT_TRANSFERRED,
)
from console.agents import service as agents
from console.agents.models import Agent
from console.handoffs.channels import channel_of, linked_accounts
from console.handoffs.chat_messages import conversation_messages, ticket_messages, unix_seconds
from console.handoffs.delivery import say_in_conversation
from console.handoffs.shapes import (
    AgentOnline,
    Availability,
    ConversationView,
    CustomerContext,
    LiveMessages,
    QueueItem,
    TicketSummary,
)
from console.hours import within_hours

logger = logging.getLogger(__name__)


def ticket_summary(ticket: Ticket, *, now: Optional[datetime] = None) -> TicketSummary:
    """The ticket fields an agent scans: reason, priority, who has it, how long the customer has waited."""
    now = now or utcnow()
    # The customer waited until a person claimed it, or until it was resolved without one; not forever.
    ended = ticket.claimed_at or ticket.resolved_at or now
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "reason": ticket.details.get("escalation_reason", "user_requested"),
        "priority": ticket.priority,
        "status": ticket.status,
        "assignee": ticket.assignee,
        "created_at": ticket.created_at.isoformat() + "Z",
        "customer_email": ticket.customer_email,
        # An email nobody verified is what someone typed: shown as a claim, never matched to an account.
        "customer_verified": ticket.customer_verified,
        "conversation_id": ticket.conversation_id,
        "csat_rating": ticket.csat_rating,
        "waiting_seconds": max(int((ended - ticket.created_at).total_seconds()), 0),
    }


def queue(*, backend: BackendApi) -> List[QueueItem]:
    """Open handoffs, most urgent first, then longest waiting, each with the customer's last message."""
    items: List[QueueItem] = []
    for ticket in backend.ticketing.open_handoffs():
        last_customer = next(
            (message.body for message in reversed(ticket.messages) if message.author == "customer"), None
        )
        items.append(QueueItem(**ticket_summary(ticket), last_customer_message=last_customer))
    return items


@dataclass(frozen=True)
class QueueSnapshot:
    """The open handoffs and the agents online, read together."""

    open_tickets: List[Ticket]
    online_agents: List[str]


def queue_snapshot(*, db_session: Session, backend: BackendApi, settings: ConsoleSettings) -> QueueSnapshot:
    online = agents.available_agents(
        online_after=utcnow() - timedelta(seconds=settings.agent_online_seconds), db_session=db_session
    )
    return QueueSnapshot(backend.ticketing.open_handoffs(), [agent.username for agent in online])


def availability(
    snapshot: QueueSnapshot, *, settings: ConsoleSettings, ticket_id: Optional[int] = None
) -> Availability:
    """What the bot tells a customer it hands over: agents free, queue length, an estimated wait.

    With a ticket id the wait counts only the conversations ahead of it (an urgent one jumps the queue).
    """
    online = snapshot.online_agents
    unassigned = [ticket.id for ticket in snapshot.open_tickets if not ticket.assignee]
    waiting = unassigned.index(ticket_id) + 1 if ticket_id in unassigned else len(unassigned)
    busy = {ticket.assignee for ticket in snapshot.open_tickets if ticket.assignee}
    idle = sum(1 for username in online if username not in busy)
    if not online:
        minutes = 0
    elif idle >= waiting:
        minutes = 1
    else:
        minutes = math.ceil((waiting - idle) * settings.average_handle_minutes / len(online))
    return {
        "agents_available": len(online),
        "queue_length": len(unassigned),
        "estimated_wait_minutes": max(minutes, 1),
        "within_hours": within_hours(settings.support_hours, utcnow()),
        "position": waiting if ticket_id in unassigned else None,
    }


def customer_context(ticket: Ticket, *, backend: BackendApi) -> CustomerContext:
    """The verified customer's profile, orders and other tickets; nothing for an unverified claim."""
    if not ticket.customer_verified or ticket.customer_id is None:
        return {"customer": None, "orders": [], "tickets": []}
    try:
        customer = backend.crm.get_customer(ticket.customer_id)
    except ServiceRefused as exc:
        if exc.status == 404:
            return {"customer": None, "orders": [], "tickets": []}
        raise
    orders = [
        {
            "id": order.id,
            "status": order.status,
            "total": str(order.total),
            "currency": order.currency,
            "placed_at": order.placed_at,
        }
        for order in backend.orders.customer_orders(customer.id)
    ]
    others = [
        {
            "id": other.id,
            "subject": other.subject,
            "status": other.status,
            "created_at": other.created_at.isoformat() + "Z",
        }
        for other in backend.ticketing.customer_tickets(customer.id)
        if other.id != ticket.id
    ]
    profile = {"id": customer.id, "name": customer.name, "email": customer.email, "phone": customer.phone}
    profile["linked_accounts"] = linked_accounts(customer.id, backend=backend)
    return {"customer": profile, "orders": orders, "tickets": others}


def conversation_view(
    ticket_id: int, *, db_session: Session, backend: BackendApi, rasa: RasaClient, online_after: datetime
) -> ConversationView:
    """Everything an agent needs on one screen: transcript, summary, reason, customer, orders, tickets."""
    ticket = backend.ticketing.ticket(ticket_id)
    summary = dict(ticket.details.get("summary") or {})
    summary.setdefault("verification", {"verified": False, "contact": None})
    transcript, channel = ticket_messages(ticket), None
    if ticket.conversation_id:
        try:
            tracker = rasa.tracker(ticket.conversation_id)
            transcript, channel = conversation_messages(tracker), channel_of(tracker)
        except (ServiceRefused, ServiceUnavailable) as exc:  # the ticket's copy is still worth showing
            logger.warning("transcript from the ticket only: %s", exc)
    agent_list = [
        AgentOnline(
            username=agent.username,
            display_name=agent.display_name,
            status=agent.status,
            online=bool(agent.last_seen_at and agent.last_seen_at >= online_after),
        )
        for agent in agents.all_agents(db_session=db_session)
    ]
    return {
        "ticket": ticket_summary(ticket),
        "summary": summary,
        "transcript": transcript,
        "channel": channel,
        **customer_context(ticket, backend=backend),
        "agents": agent_list,
    }


def live_messages(ticket_id: int, *, after: float, backend: BackendApi, rasa: RasaClient) -> LiveMessages:
    """Messages since `after`, whether the customer has the chat open, whether the bot is paused."""
    ticket = backend.ticketing.ticket(ticket_id)
    if not ticket.conversation_id:
        return {"messages": [], "connected": None, "paused": False}
    tracker = rasa.tracker(ticket.conversation_id)
    connected = (
        rasa.connected(ticket.conversation_id) if tracker.get("latest_input_channel") == "socketio" else None
    )
    return {
        "messages": conversation_messages(tracker, after=after),
        "connected": connected,
        "paused": bool(tracker.get("paused")),
    }


def _require_assignee(ticket: Ticket, agent: Agent) -> None:
    if ticket.assignee != agent.username or ticket.status != "open":
        raise ApiError(403, "not_your_conversation", "Claim this conversation first.")


def claim(
    ticket_id: int, *, agent: Agent, backend: BackendApi, rasa: RasaClient, texts: Texts
) -> TicketSummary:
    """Take the conversation: the bot stays paused and the customer is told who joined."""
    try:
        ticket = backend.ticketing.claim(ticket_id, agent.username)
    except ServiceRefused as exc:
        if exc.code == "already_claimed":
            raise ApiError(
                409, "already_claimed", "Another agent has already taken this conversation."
            ) from exc
        raise
    if ticket.conversation_id:
        # A handoff queued while ticketing was down did not pause the bot: taking it over does.
        keep_paused = [
            {"event": "slot", "name": HANDOFF_TICKET_SLOT, "value": str(ticket_id)},
            {"event": "pause"},
        ]
        say_in_conversation(
            ticket.conversation_id,
            texts.render("utter_agent_joined", agent_name=agent.display_name),
            agent,
            rasa=rasa,
            extra=keep_paused,
            notice=NOTICE_AGENT_JOINED,
        )
    return ticket_summary(ticket)


def reply(
    ticket_id: int,
    text: str,
    *,
    agent: Agent,
    backend: BackendApi,
    rasa: RasaClient,
    emails: MessageTemplates,
) -> str:
    """Send the agent's message: live if the customer is there, else by email to a verified address;
    "stored" (kept in the conversation or on the ticket) when neither can reach them."""
    ticket = backend.ticketing.ticket(ticket_id)
    _require_assignee(ticket, agent)
    said = (
        say_in_conversation(ticket.conversation_id, text, agent, rasa=rasa)
        if ticket.conversation_id
        else "failed"
    )
    if said == "live":
        return "live"
    if said == "failed":
        # Not in the conversation's history, so keep it on the ticket instead.
        backend.ticketing.add_message(ticket_id, "agent", f"{agent.display_name}: {text}")
    email = emails.render("agent_reply", ticket_id=ticket_id, agent_name=agent.display_name, message=text)
    try:
        backend.ticketing.email_customer(ticket_id, email.subject, email.body)
    except ServiceRefused as exc:
        if exc.code not in ("no_email_on_file", "email_not_verified"):
            raise
        return "stored"
    return "email"


def transfer(
    ticket_id: int,
    to: str,
    *,
    agent: Agent,
    db_session: Session,
    backend: BackendApi,
    rasa: RasaClient,
    texts: Texts,
) -> TicketSummary:
    """Hand the conversation to another agent; the customer is told who takes over."""
    target = agents.by_username(to, db_session=db_session)
    if target is None:
        raise ApiError(422, "unknown_agent", "There is no agent with that username.")
    _require_assignee(backend.ticketing.ticket(ticket_id), agent)
    ticket = backend.ticketing.reassign(ticket_id, expected_assignee=agent.username, assignee=target.username)
    if ticket.conversation_id:
        say_in_conversation(
            ticket.conversation_id,
            texts.render("utter_agent_transferred", agent_name=target.display_name),
            target,
            rasa=rasa,
            notice=NOTICE_AGENT_TRANSFERRED,
        )
    return ticket_summary(ticket)


def unassign(
    ticket_id: int, *, agent: Agent, backend: BackendApi, rasa: RasaClient, texts: Texts
) -> TicketSummary:
    """Put the conversation back in the queue (the bot stays paused)."""
    _require_assignee(backend.ticketing.ticket(ticket_id), agent)
    ticket = backend.ticketing.reassign(ticket_id, expected_assignee=agent.username, assignee=None)
    if ticket.conversation_id:
        say_in_conversation(
            ticket.conversation_id,
            texts.render("utter_agent_unassigned"),
            agent,
            rasa=rasa,
            notice=NOTICE_AGENT_LEFT,
        )
    return ticket_summary(ticket)


def _copy_live_chat(ticket: Ticket, tracker: Dict[str, Any], *, backend: BackendApi) -> None:
    """Keep the part of the chat after the handoff on the ticket, each message once (resolve may be retried)."""
    already = Counter(
        (message.author, message.body)
        for message in ticket.messages
        if message.created_at >= ticket.created_at
    )
    for message in conversation_messages(tracker, after=unix_seconds(ticket.created_at)):
        body = f"{message['agent']}: {message['text']}" if message["agent"] else message["text"]
        key = (message["author"], body)
        if already[key] > 0:
            already[key] -= 1
            continue
        backend.ticketing.add_message(ticket.id, message["author"], body)


def _welcomed_back(tracker: Dict[str, Any]) -> bool:
    """Whether the bot already said it is back since the conversation was last resumed."""
    events = tracker.get("events", [])
    resumed = [index for index, event in enumerate(events) if event.get("event") == "resume"]
    since = events[resumed[-1] :] if resumed else []
    return any(e.get("event") == "action" and e.get("name") == ACTION_HANDOFF_RESOLVED for e in since)


def resolve(ticket_id: int, *, agent: Agent, backend: BackendApi, rasa: RasaClient) -> TicketSummary:
    """Give the conversation back to the bot, then close the ticket; safe to retry after any failure.

    The bot resumes first: if Rasa cannot be reached the ticket stays open and the agent simply tries again,
    instead of a solved ticket over a conversation paused for ever. A retry after a failure half-way does
    only what is left: it never resumes or welcomes the customer back twice.
    """
    ticket = backend.ticketing.ticket(ticket_id)
    if ticket.status == "solved" and ticket.assignee == agent.username:
        return ticket_summary(ticket)  # already done: a repeated click or a retry
    _require_assignee(ticket, agent)
    if ticket.conversation_id:
        tracker = rasa.tracker(ticket.conversation_id)
        _copy_live_chat(ticket, tracker, backend=backend)
        if tracker.get("paused"):
            rasa.append(ticket.conversation_id, [{"event": "resume"}])
        if tracker.get("paused") or not _welcomed_back(tracker):
            rasa.run_action(ticket.conversation_id, ACTION_HANDOFF_RESOLVED)
            # What a real turn ends with, so the customer's next message continues the rating question.
            rasa.append(ticket.conversation_id, [{"event": "action", "name": ACTION_LISTEN}])
    return ticket_summary(backend.ticketing.resolve(ticket_id, agent.username))
