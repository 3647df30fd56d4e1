"""What the actions read about the current message beyond its text: the channel's context and its id."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker

from common.channel_context import ChannelContext


def channel_context(tracker: Tracker) -> ChannelContext:
    """What our channel vouched for about the latest message (channel name, customer address)."""
    return ChannelContext.from_metadata(tracker.latest_message.get("metadata"))


def client_address(tracker: Tracker) -> Optional[str]:
    """The customer's address, when a channel of ours reported one."""
    address = channel_context(tracker).client_address
    return None if address == "unknown" else address


def latest_message_id(tracker: Tracker) -> str:
    """The id of the customer's latest message: a client resending the same message keeps it."""
    message_id = tracker.latest_message.get("message_id")
    if message_id:
        return str(message_id)
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return str(event.get("message_id") or event.get("timestamp"))
    return "0"
