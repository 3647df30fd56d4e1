"""The messages of a conversation as the console shows them: from Rasa's tracker (live) or the ticket's copy."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from clients.backend.ticketing import Ticket
from common.transcript import conversation_lines
from console.attachments.shown import shown_attachment
from console.handoffs.shapes import ChatMessage


def unix_seconds(value: datetime) -> float:
    return (value - datetime(1970, 1, 1)).total_seconds()


def conversation_messages(tracker: Dict[str, Any], *, after: float = 0.0) -> List[ChatMessage]:
    """Customer, bot and agent messages of a Rasa conversation, newer than `after` (unix seconds).

    Codes masked and button clicks shown by their titles (common/transcript.py)."""
    conversation_id = str(tracker.get("sender_id") or "")
    return [
        ChatMessage(
            author=line.author,
            text=line.text,
            timestamp=line.timestamp,
            agent=line.agent,
            attachment=shown_attachment(line.attachment_id, conversation_id),
        )
        for line in conversation_lines(tracker.get("events", []))
        if line.timestamp > after
    ]


def ticket_messages(ticket: Ticket) -> List[ChatMessage]:
    return [
        {
            "author": message.author,
            "text": message.body,
            "timestamp": unix_seconds(message.created_at),
            "agent": None,
            "attachment": None,
        }
        for message in ticket.messages
    ]
