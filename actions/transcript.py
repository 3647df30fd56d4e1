"""The conversation so far, as ticket messages and a short summary for the human who picks it up."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions import slots
from clients.backend.ticketing import TicketMessage
from common.transcript import conversation_lines

# Never copied to a ticket: secrets (a verification token is a bearer credential) and bookkeeping.
NOT_FOR_AGENTS = {
    slots.VERIFICATION_TOKEN,
    slots.VERIFICATION_CODE,
    slots.VERIFICATION_CHALLENGE_ID,
    slots.VERIFIED_UNTIL,
    slots.VERIFIED_BINDING,
    slots.REQUESTED_SLOT,
    slots.FORM_FAILURES,
    slots.HANDOFF_REASON,
    slots.HANDOFF_TICKET_ID,
}


def _iso(timestamp: float) -> Optional[str]:
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).replace(tzinfo=None).isoformat()


def transcript(tracker: Tracker) -> List[TicketMessage]:
    """Customer and bot messages in order, with their times; codes masked, button clicks by their titles."""
    return [
        TicketMessage(line.author, line.text, _iso(line.timestamp))
        for line in conversation_lines(tracker.events)
    ]


def summary(tracker: Tracker) -> Dict[str, Any]:
    """Detected intents, filled slots, actions taken and the last NLU confidence."""
    intents = [
        (event.get("parse_data") or {}).get("intent", {}).get("name")
        for event in tracker.events
        if event.get("event") == "user"
    ]
    actions_taken = [
        event.get("name")
        for event in tracker.events
        if event.get("event") == "action" and event.get("name") not in ("action_listen", None)
    ]
    latest_intent = tracker.latest_message.get("intent") or {}
    filled = {
        name: value
        for name, value in tracker.current_slot_values().items()
        if value not in (None, [], "") and name not in NOT_FOR_AGENTS
    }
    return {
        "detected_intents": [intent for intent in intents if intent],
        "filled_slots": filled,
        "actions_taken": actions_taken[-30:],
        "last_intent": latest_intent.get("name"),
        "last_nlu_confidence": latest_intent.get("confidence"),
    }
