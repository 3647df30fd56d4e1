"""What the actions read about the conversation beyond its text: the channel's context, the message id, and
which requests the bot finished."""

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


# The action that completes each request: once it ran, the bot's part of that request is done.
FINISHED_BY = {
    "check_order_status": "action_check_order_status",
    "report_missing_parcel": "action_report_missing_parcel",
    "cancel_order": "action_cancel_order",
    "request_refund": "action_request_refund",
    "check_refund_status": "action_check_refund_status",
    "check_balance": "action_check_balance",
    "get_invoice": "action_get_invoice",
    "payment_issue": "action_report_payment_issue",
    "reset_password": "action_reset_password",
    "update_account": "action_update_account",
    "delete_account": "action_delete_account",
    "request_data_copy": "action_request_data_copy",
    "complaint": "action_file_complaint",
    "faq": "action_answer_faq",
}


def finished_a_request(tracker: Tracker) -> bool:
    """Whether the bot completed one of the customer's requests in this conversation."""
    finishers = set(FINISHED_BY.values())
    return any(event.get("event") == "action" and event.get("name") in finishers for event in tracker.events)
