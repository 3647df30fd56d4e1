"""Which channel a conversation is on, and who the platform says the customer is, for the agent to see.

The platform identity (a Slack user, a Telegram user, a web address) is what the channel stamped on the
customer's latest message (common/channel_context.py). It is never a verified identity: the console shows
the customer's account only for a verification earned in the conversation.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from clients.backend import BackendApi
from common.channel_context import METADATA_KEY
from console.handoffs.shapes import ChannelInfo


def channel_of(tracker: Dict[str, Any]) -> Optional[ChannelInfo]:
    """The channel the customer last wrote on (where agent replies go), with the platform's identity."""
    name = tracker.get("latest_input_channel")
    if not name:
        return None
    identity = None
    for event in reversed(tracker.get("events", [])):
        if event.get("event") == "user":
            stamped = (event.get("metadata") or {}).get(METADATA_KEY) or {}
            identity = stamped.get("client_address") if isinstance(stamped, dict) else None
            break
    return {"name": str(name), "identity": str(identity) if identity else None}


def linked_accounts(customer_id: int, *, backend: BackendApi) -> List[Dict[str, str]]:
    """Slack and Telegram accounts the customer linked, with consent, after verifying through them."""
    return [
        {"channel": link.channel, "identity": link.identity, "linked_at": link.linked_at}
        for link in backend.crm.channel_links(customer_id)
    ]
