"""How an agent's words reach the customer: added to the Rasa conversation, and pushed to the customer's
channel when they can receive it now."""

from __future__ import annotations

import logging
from typing import List, Optional

from clients.http import ServiceRefused, ServiceUnavailable
from clients.rasa import RasaClient
from console.agents.models import Agent

logger = logging.getLogger(__name__)

# Channels whose platform delivers a pushed message even when the customer is not looking.
ALWAYS_REACHABLE_CHANNELS = ("slack", "telegram", "facebook", "twilio", "botframework", "mattermost")


def say_in_conversation(
    conversation_id: str,
    text: str,
    agent: Agent,
    *,
    rasa: RasaClient,
    extra: Optional[List[dict]] = None,
    notice: Optional[str] = None,
) -> str:
    """Add an agent message to the conversation, delivered live when the customer can receive it.

    `notice` marks a person joining, taking over or leaving (common/vocabulary.py AGENT_NOTICES).

    "live", "added" (in the conversation, not delivered now) or "failed" (the assistant is unreachable).
    """
    try:
        tracker = rasa.tracker(conversation_id)
        channel = tracker.get("latest_input_channel")
        live = (
            rasa.connected(conversation_id) is True
            if channel == "socketio"
            else channel in ALWAYS_REACHABLE_CHANNELS
        )
        metadata = {"agent": agent.display_name, **({"notice": notice} if notice else {})}
        event = {"event": "bot", "text": text, "metadata": metadata}
        rasa.append(conversation_id, [*(extra or []), event], deliver=live)
    except (ServiceRefused, ServiceUnavailable) as exc:
        logger.warning("message not added to conversation %s: %s", conversation_id, exc)
        return "failed"
    return "live" if live else "added"
