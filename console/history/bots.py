"""Conversations that never reached a person, read from Rasa's tracker store (read-only, console/inbox/sources).

A conversation reached a person when Rasa paused it: every handoff (actions/handoff.py) and the degrade path
(actions/session.py) end with ConversationPaused, stored as a `pause` event. Every other sender with at least
one customer message is bot-only. Listed with when it started, its channel (the first customer message's
input_channel) and that message, redacted; the transcript is redacted the same way (common/redaction.py, with
the conversation's own personal slot values, and one-time codes masked).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from common.redaction import redact
from common.transcript import conversation_lines
from console.inbox import sources
from console.inbox.sources import EVENTS
from privacy.conversations import event_data

PREVIEW_CHARS = 200


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def _handed_over() -> Any:
    return select(EVENTS.c.sender_id).where(EVENTS.c.type_name == "pause")


def conversations(
    engine: Optional[Engine],
    *,
    started_from: Optional[datetime],
    started_before: Optional[datetime],
    page: int,
    page_size: int,
) -> Dict[str, Any]:
    """One page of bot-only conversations, newest first; none while there is no tracker store yet."""
    empty = {"items": [], "total": 0, "page": page, "page_size": page_size}
    if engine is None:
        return empty
    started = func.min(EVENTS.c.timestamp)
    grouped = (
        select(
            EVENTS.c.sender_id,
            started.label("started"),
            func.min(EVENTS.c.id).label("first_id"),
            func.count().label("messages"),
        )
        .where(EVENTS.c.type_name == "user", EVENTS.c.sender_id.not_in(_handed_over()))
        .group_by(EVENTS.c.sender_id)
    )
    bounds = []
    if started_from is not None:
        bounds.append(started >= started_from.replace(tzinfo=timezone.utc).timestamp())
    if started_before is not None:
        bounds.append(started < started_before.replace(tzinfo=timezone.utc).timestamp())
    if bounds:
        grouped = grouped.having(and_(*bounds))
    listed = grouped.subquery()
    with engine.connect() as connection:
        if not sources.has_events(connection):
            return empty
        total = connection.execute(select(func.count()).select_from(listed)).scalar_one()
        rows = connection.execute(
            select(listed, EVENTS.c.data)
            .join(EVENTS, EVENTS.c.id == listed.c.first_id)
            .order_by(listed.c.started.desc(), listed.c.sender_id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).all()
        items = []
        for row in rows:
            known = sources.personal_values(sources.conversation(connection, row.sender_id, row.first_id))
            first = event_data(row.sender_id, row.data)
            text = redact(str(first.get("text") or ""), known_values=known)
            items.append(
                {
                    "conversation_id": row.sender_id,
                    "started_at": _iso(row.started),
                    "channel": first.get("input_channel") or None,
                    "first_message": text[:PREVIEW_CHARS],
                    "customer_messages": row.messages,
                }
            )
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def transcript(engine: Optional[Engine], conversation_id: str) -> Optional[Dict[str, Any]]:
    """The redacted transcript of a bot-only conversation; None for an unknown one or one a person joined."""
    if engine is None:
        return None
    with engine.connect() as connection:
        if not sources.has_events(connection):
            return None
        paused = connection.execute(
            select(func.count()).where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name == "pause")
        ).scalar_one()
        events = sources.conversation(connection, conversation_id, up_to=2**62)
    if paused or not any(event.type_name == "user" for event in events):
        return None
    known = sources.personal_values(events)
    lines: List[Dict[str, Any]] = [
        {
            "author": line.author,
            "text": redact(line.text, known_values=known),
            "at": _iso(line.timestamp),
        }
        for line in conversation_lines(event.data for event in events)
    ]
    channel = next((event.data.get("input_channel") for event in events if event.type_name == "user"), None)
    return {"conversation_id": conversation_id, "channel": channel or None, "lines": lines}
