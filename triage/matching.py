"""Who the sender might be, for the agent, without ever linking the ticket to an account.

An email's From address, and the address typed into the contact form, are claims: anyone can write any
address there. The bot links a conversation to an account only after a one-time code (backend/identity), and
the backend opens a ticket with a customer id only for that customer's verification token. Triage has no
such proof, so a ticket it opens never carries a customer id, and the address stays masked on it (the
backend masks an unverified ticket's address).

What triage does find out, with the same order lookup the bot offers anyone who knows an order number and
its email (`POST /v1/orders/{id}/lookup`, scope orders:lookup; triage's backend credential has no customer
reads): whether the order the message names belongs to the claimed address. The agent then sees a note,
"possible match: order 10042 (delivered) belongs to the account of j***@example.com; the sender is not
verified", and decides what to ask before acting.

A spoofed sender with made-up order numbers would spend the real customer's failed-lookup budget, so each
message asks about one order at most, and each claimed address at most TRIAGE_LOOKUPS_PER_SENDER times.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, Optional

from clients.backend.orders import OrdersClient
from clients.http import ServiceRefused, ServiceUnavailable
from common.masking import mask_email
from common.ratelimit import Limiter

logger = logging.getLogger(__name__)

NOT_VERIFIED = "the sender is not verified: the address is only what the message claims"


@dataclass(frozen=True)
class PossibleMatch:
    """What the agent may read: masked, and never an account id."""

    status: str  # order_matches_sender | no_match | not_checked | unavailable
    note: str
    order_id: Optional[str] = None
    order_status: Optional[str] = None

    def as_details(self) -> Dict[str, Any]:
        details: Dict[str, Any] = {"status": self.status, "note": self.note, "verified": False}
        if self.order_id:
            details["order_id"] = self.order_id
        if self.order_status:
            details["order_status"] = self.order_status
        return details


class SenderMatcher:
    def __init__(self, orders: OrdersClient, limiter: Limiter, lookups_per_sender: str) -> None:
        self.orders = orders
        self.limiter = limiter
        self.lookups_per_sender = lookups_per_sender

    def match(self, sender: Optional[str], order_id: Optional[str]) -> PossibleMatch:
        if not sender:
            return PossibleMatch("not_checked", "no sender address to compare")
        masked = mask_email(sender)
        if not order_id:
            return PossibleMatch(
                "not_checked", f"no order number in the message; sender {masked} ({NOT_VERIFIED})"
            )
        if not self.limiter.hit(self.lookups_per_sender, "triage-lookup", sender.strip().lower()):
            return PossibleMatch(
                "not_checked",
                f"too many lookups for {masked} lately; order {order_id} not checked ({NOT_VERIFIED})",
                order_id,
            )
        try:
            order = self.orders.lookup(int(order_id), sender)
        except ServiceRefused as exc:
            if exc.status == 404:
                return PossibleMatch(
                    "no_match",
                    f"order {order_id} does not belong to the account of {masked}, or does not exist "
                    f"({NOT_VERIFIED})",
                    order_id,
                )
            logger.warning("order lookup refused: %s %s", exc.status, exc.code)
            return PossibleMatch(
                "unavailable", f"order {order_id} could not be checked ({exc.code})", order_id
            )
        except ServiceUnavailable:
            return PossibleMatch(
                "unavailable", f"order {order_id} could not be checked (backend unavailable)", order_id
            )
        return PossibleMatch(
            "order_matches_sender",
            f"possible match: order {order_id} ({order.status}) belongs to the account of {masked}; "
            f"{NOT_VERIFIED}, so verify them before acting on the account",
            order_id,
            order.status,
        )
