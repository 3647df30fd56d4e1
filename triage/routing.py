"""Queues, priorities, and the map from the NLU model's intents to them.

The queues (a ticket's category once routed, in brackets where the backend's name differs):

| queue      | intents                                                                              | category |
|------------|--------------------------------------------------------------------------------------|----------|
| orders     | check_order_status, cancel_order, change_order, place_order, report_missing_parcel,  | order    |
|            | faq about delivery times, shipping options, cancellation fees                        |          |
| returns    | request_refund, check_refund_status; faq about the return or refund policy          | refund   |
| billing    | check_balance, get_invoice, payment_issue; faq about payment methods                  | payment  |
| account    | reset_password, update_account, account_registration, newsletter,                    | account  |
|            | add_delivery_address (the addresses kept on the account)                             |          |
| privacy    | delete_account, request_data_copy                                                    | privacy  |
| complaints | complaint, leave_review                                                              | complaint|
| general    | faq without a topic, out_of_scope, request_human, and nothing else found             | general  |

Conversation intents (greet, thank, goodbye, affirm, deny, stop, inform, bot_challenge, nlu_fallback) carry no
queue: a "Hi," or "Thanks!" piece says nothing about where a ticket goes. `sensitive_topic` carries no queue
either (the rest of the message says which team); it makes the ticket urgent.

A ticket that is not auto-routed goes to the `triage` category, with the suggested queue in its details.
"""

from __future__ import annotations

from typing import Dict, Optional

ORDERS = "orders"
RETURNS = "returns"
BILLING = "billing"
ACCOUNT = "account"
PRIVACY = "privacy"
COMPLAINTS = "complaints"
GENERAL = "general"
QUEUES = (ORDERS, RETURNS, BILLING, ACCOUNT, PRIVACY, COMPLAINTS, GENERAL)
# Where a ticket waits for an agent to confirm or change the suggested queue.
TRIAGE_CATEGORY = "triage"

QUEUE_OF_INTENT: Dict[str, str] = {
    "check_order_status": ORDERS,
    "cancel_order": ORDERS,
    "change_order": ORDERS,
    "place_order": ORDERS,
    "report_missing_parcel": ORDERS,
    "request_refund": RETURNS,
    "check_refund_status": RETURNS,
    "check_balance": BILLING,
    "get_invoice": BILLING,
    "payment_issue": BILLING,
    "reset_password": ACCOUNT,
    "update_account": ACCOUNT,
    "account_registration": ACCOUNT,
    "newsletter": ACCOUNT,
    "add_delivery_address": ACCOUNT,
    "delete_account": PRIVACY,
    "request_data_copy": PRIVACY,
    "complaint": COMPLAINTS,
    "leave_review": COMPLAINTS,
    "faq": GENERAL,
    "out_of_scope": GENERAL,
    "request_human": GENERAL,
}
# A store question's topic (the faq_topic entity) says which team answers it.
QUEUE_OF_FAQ_TOPIC: Dict[str, str] = {
    "delivery_times": ORDERS,
    "shipping_options": ORDERS,
    "cancellation_fees": ORDERS,
    "return_policy": RETURNS,
    "refund_policy": RETURNS,
    "payment_methods": BILLING,
}
SENSITIVE_INTENT = "sensitive_topic"

# The backend's ticket category for each queue (common/vocabulary.TicketCategory).
CATEGORY_OF_QUEUE: Dict[str, str] = {
    ORDERS: "order",
    RETURNS: "refund",
    BILLING: "payment",
    ACCOUNT: "account",
    PRIVACY: "privacy",
    COMPLAINTS: "complaint",
    GENERAL: "general",
}


def queue_of(intent: str, faq_topic: Optional[str] = None) -> Optional[str]:
    """The queue an intent points to (None for conversation intents and sensitive_topic)."""
    if intent == "faq" and faq_topic in QUEUE_OF_FAQ_TOPIC:
        return QUEUE_OF_FAQ_TOPIC[faq_topic or ""]
    return QUEUE_OF_INTENT.get(intent)
