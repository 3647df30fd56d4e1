"""The handoff queue and live takeover: plain functions over the backend, Rasa and the console's tables.

Tickets (queue, assignee, status, CSAT) live in the backend; the conversation itself lives in Rasa.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from sqlalchemy.orm import Session

from console.agents import service as agents
from console.agents.models import Agent
from console.clients.backend import BackendClient
from console.clients.http import UpstreamError
from console.clients.rasa import RasaClient
from console.config import ConsoleSettings
from console.database import utcnow
from console.errors import ConsoleError
from console.hours import within_hours
from console.texts import CustomerTexts

logger = logging.getLogger(__name__)

# Channels whose platform delivers a pushed message even when the customer is not looking.
ALWAYS_REACHABLE_CHANNELS = ("slack", "telegram", "facebook", "twilio", "botframework", "mattermost")
ACTION_RESOLVED = "action_handoff_resolved"


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def _unix(value: datetime) -> float:
    return (value - datetime(1970, 1, 1)).total_seconds()


def ticket_summary(ticket: Dict[str, Any], *, now: Optional[datetime] = None) -> Dict[str, Any]:
    """The ticket fields an agent scans: reason, priority, who has it, how long the customer has waited."""
    now = now or utcnow()
    created = _parse_time(ticket["created_at"])
    ended = _parse_time(ticket["claimed_at"]) if ticket.get("claimed_at") else now
    details = ticket.get("details") or {}
    return {
        "id": ticket["id"],
        "subject": ticket["subject"],
        "reason": details.get("escalation_reason", "user_requested"),
        "priority": ticket["priority"],
        "status": ticket["status"],
        "assignee": ticket.get("assignee"),
        "created_at": created.isoformat() + "Z",
        "customer_email": ticket.get("customer_email"),
        "conversation_id": ticket.get("conversation_id"),
        "csat_rating": ticket.get("csat_rating"),
        "waiting_seconds": max(int((ended - created).total_seconds()), 0),
    }


def queue(*, backend: BackendClient) -> List[Dict[str, Any]]:
    """Open handoffs, most urgent first, then longest waiting, each with the customer's last message."""
    items = []
    for ticket in backend.open_handoffs():
        last_customer = next(
            (
                message["body"]
                for message in reversed(ticket.get("messages", []))
                if message["author"] == "customer"
            ),
            None,
        )
        items.append({**ticket_summary(ticket), "last_customer_message": last_customer})
    return items


def availability(
    *, db_session: Session, backend: BackendClient, settings: ConsoleSettings, ticket_id: Optional[int] = None
) -> Dict[str, Any]:
    """What the bot tells a customer it hands over: agents free, queue length, an estimated wait.

    With a ticket id the wait counts only the conversations ahead of it (an urgent one jumps the queue).
    """
    now = utcnow()
    online = agents.available_agents(
        online_after=now - timedelta(seconds=settings.agent_online_seconds), db_session=db_session
    )
    open_tickets = backend.open_handoffs()
    unassigned = [ticket["id"] for ticket in open_tickets if not ticket.get("assignee")]
    waiting = unassigned.index(ticket_id) + 1 if ticket_id in unassigned else len(unassigned)
    busy = {ticket["assignee"] for ticket in open_tickets if ticket.get("assignee")}
    idle = sum(1 for agent in online if agent.username not in busy)
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
        "within_hours": within_hours(settings.support_hours, now),
    }


def conversation_messages(tracker: Dict[str, Any], *, after: float = 0.0) -> List[Dict[str, Any]]:
    """Customer, bot and agent messages of a Rasa conversation, newer than `after` (unix seconds)."""
    messages = []
    for event in tracker.get("events", []):
        if event.get("event") not in ("user", "bot") or not event.get("text"):
            continue
        timestamp = float(event.get("timestamp") or 0)
        if timestamp <= after:
            continue
        agent = (event.get("metadata") or {}).get("agent")
        author = {"user": "customer"}.get(event["event"]) or ("agent" if agent else "bot")
        messages.append({"author": author, "text": event["text"], "timestamp": timestamp, "agent": agent})
    return messages


def _ticket_messages(ticket: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [
        {
            "author": message["author"],
            "text": message["body"],
            "timestamp": _unix(_parse_time(message["created_at"])),
            "agent": None,
        }
        for message in ticket.get("messages", [])
    ]


def customer_context(ticket: Dict[str, Any], *, backend: BackendClient) -> Dict[str, Any]:
    """The customer's profile, orders and other tickets, when the conversation names a customer."""
    customer = None
    if ticket.get("customer_id"):
        customer = backend.customer(ticket["customer_id"])
    elif ticket.get("customer_email"):
        customer = backend.customer_by_email(ticket["customer_email"])
    if customer is None:
        return {"customer": None, "orders": [], "tickets": []}
    orders = [
        {
            "id": order["id"],
            "status": order["status"],
            "total": str(order["total"]),
            "currency": order["currency"],
            "placed_at": order["placed_at"],
        }
        for order in backend.orders(customer["id"])
    ]
    others = [
        {
            "id": other["id"],
            "subject": other["subject"],
            "status": other["status"],
            "created_at": other["created_at"],
        }
        for other in backend.customer_tickets(customer["id"])
        if other["id"] != ticket["id"]
    ]
    profile = {key: customer.get(key) for key in ("id", "name", "email", "phone")}
    return {"customer": profile, "orders": orders, "tickets": others}


def conversation_view(
    ticket_id: int, *, db_session: Session, backend: BackendClient, rasa: RasaClient, online_after: datetime
) -> Dict[str, Any]:
    """Everything an agent needs on one screen: transcript, summary, reason, customer, orders, tickets."""
    ticket = backend.ticket(ticket_id)
    details = ticket.get("details") or {}
    summary = dict(details.get("summary") or {})
    summary.setdefault("verification", {"verified": False, "contact": None})
    transcript = _ticket_messages(ticket)
    if ticket.get("conversation_id"):
        try:
            transcript = conversation_messages(rasa.tracker(ticket["conversation_id"]))
        except ConsoleError as exc:  # the assistant is down: the ticket's copy is still worth showing
            logger.warning("transcript from the ticket only: %s", exc.message)
    agent_list = [
        {
            "username": agent.username,
            "display_name": agent.display_name,
            "status": agent.status,
            "online": bool(agent.last_seen_at and agent.last_seen_at >= online_after),
        }
        for agent in agents.all_agents(db_session=db_session)
    ]
    return {
        "ticket": ticket_summary(ticket),
        "summary": summary,
        "transcript": transcript,
        **customer_context(ticket, backend=backend),
        "agents": agent_list,
    }


def live_messages(
    ticket_id: int, *, after: float, backend: BackendClient, rasa: RasaClient
) -> Dict[str, Any]:
    """Messages since `after`, whether the customer has the chat open, whether the bot is paused."""
    ticket = backend.ticket(ticket_id)
    conversation_id = ticket.get("conversation_id")
    if not conversation_id:
        return {"messages": [], "connected": None, "paused": False}
    tracker = rasa.tracker(conversation_id)
    connected = rasa.connected(conversation_id) if tracker.get("latest_input_channel") == "socketio" else None
    return {
        "messages": conversation_messages(tracker, after=after),
        "connected": connected,
        "paused": bool(tracker.get("paused")),
    }


def _require_assignee(ticket: Dict[str, Any], agent: Agent) -> None:
    if ticket.get("assignee") != agent.username or ticket.get("status") != "open":
        raise ConsoleError(403, "not_your_conversation", "Claim this conversation first.")


def _say(
    conversation_id: str, text: str, agent: Agent, *, rasa: RasaClient, extra: Optional[List[dict]] = None
) -> str:
    """Add an agent message to the conversation, delivered live when the customer can receive it.

    "live", "added" (in the conversation, not delivered now) or "failed" (the assistant is unreachable).
    """
    try:
        tracker = rasa.tracker(conversation_id)
        channel = tracker.get("latest_input_channel")
        if channel == "socketio":
            live = rasa.connected(conversation_id) is True
        else:
            live = channel in ALWAYS_REACHABLE_CHANNELS
        event = {"event": "bot", "text": text, "metadata": {"agent": agent.display_name}}
        rasa.append(conversation_id, [*(extra or []), event], deliver=live)
    except ConsoleError as exc:
        logger.warning("message not added to conversation %s: %s", conversation_id, exc.message)
        return "failed"
    return "live" if live else "added"


def claim(
    ticket_id: int, *, agent: Agent, backend: BackendClient, rasa: RasaClient, texts: CustomerTexts
) -> dict:
    """Take the conversation: the bot stays paused and the customer is told who joined."""
    try:
        ticket = backend.claim(ticket_id, agent.username)
    except UpstreamError as exc:
        if exc.code == "already_claimed":
            raise ConsoleError(
                409, "already_claimed", "Another agent has already taken this conversation."
            ) from exc
        raise
    conversation_id = ticket.get("conversation_id")
    if conversation_id:
        # A handoff queued while ticketing was down did not pause the bot: taking it over does.
        keep_paused = [
            {"event": "slot", "name": "handoff_ticket_id", "value": str(ticket_id)},
            {"event": "pause"},
        ]
        _say(
            conversation_id,
            texts.render("utter_agent_joined", agent_name=agent.display_name),
            agent,
            rasa=rasa,
            extra=keep_paused,
        )
    return ticket_summary(ticket)


def reply(
    ticket_id: int, text: str, *, agent: Agent, backend: BackendClient, rasa: RasaClient, texts: CustomerTexts
) -> str:
    """Send the agent's message: live if the customer is there, else by email; "stored" if neither."""
    ticket = backend.ticket(ticket_id)
    _require_assignee(ticket, agent)
    conversation_id = ticket.get("conversation_id")
    said = _say(conversation_id, text, agent, rasa=rasa) if conversation_id else "failed"
    if said == "live":
        return "live"
    if said == "failed":
        # Not in the conversation's history, so keep it on the ticket instead.
        backend.add_message(ticket_id, "agent", f"{agent.display_name}: {text}")
    try:
        backend.email_customer(
            ticket_id,
            texts.render("utter_agent_reply_email_subject", ticket_id=ticket_id),
            texts.render(
                "utter_agent_reply_email", agent_name=agent.display_name, ticket_id=ticket_id, message=text
            ),
        )
    except UpstreamError as exc:
        if exc.code != "no_email_on_file":
            raise
        return "stored"
    return "email"


def transfer(
    ticket_id: int,
    to: str,
    *,
    agent: Agent,
    db_session: Session,
    backend: BackendClient,
    rasa: RasaClient,
    texts: CustomerTexts,
) -> dict:
    """Hand the conversation to another agent; the customer is told who takes over."""
    target = agents.by_username(to, db_session=db_session)
    if target is None:
        raise ConsoleError(422, "unknown_agent", "There is no agent with that username.")
    ticket = backend.ticket(ticket_id)
    _require_assignee(ticket, agent)
    ticket = backend.reassign(ticket_id, expected_assignee=agent.username, assignee=target.username)
    if ticket.get("conversation_id"):
        _say(
            ticket["conversation_id"],
            texts.render("utter_agent_transferred", agent_name=target.display_name),
            target,
            rasa=rasa,
        )
    return ticket_summary(ticket)


def unassign(
    ticket_id: int, *, agent: Agent, backend: BackendClient, rasa: RasaClient, texts: CustomerTexts
) -> dict:
    """Put the conversation back in the queue (the bot stays paused)."""
    ticket = backend.ticket(ticket_id)
    _require_assignee(ticket, agent)
    ticket = backend.reassign(ticket_id, expected_assignee=agent.username, assignee=None)
    if ticket.get("conversation_id"):
        _say(ticket["conversation_id"], texts.render("utter_agent_unassigned"), agent, rasa=rasa)
    return ticket_summary(ticket)


def resolve(ticket_id: int, *, agent: Agent, backend: BackendClient, rasa: RasaClient) -> dict:
    """Close the ticket, keep the live part of the chat on it, and give the conversation back to the bot."""
    ticket = backend.ticket(ticket_id)
    _require_assignee(ticket, agent)
    conversation_id = ticket.get("conversation_id")
    if conversation_id:
        handed_over_at = _unix(_parse_time(ticket["created_at"]))
        for message in conversation_messages(rasa.tracker(conversation_id), after=handed_over_at):
            body = f"{message['agent']}: {message['text']}" if message["agent"] else message["text"]
            backend.add_message(ticket_id, message["author"], body)
    ticket = backend.resolve(ticket_id, agent.username)
    if conversation_id:
        rasa.append(conversation_id, [{"event": "resume"}])
        rasa.run_action(conversation_id, ACTION_RESOLVED)
        # What a real turn ends with, so the customer's next message continues the rating question.
        rasa.append(conversation_id, [{"event": "action", "name": "action_listen"}])
    return ticket_summary(ticket)
