"""The written refund policy (data/kb/refund-policy.md), as code. Both must change together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from common.vocabulary import OrderStatus

REFUND_WINDOW = timedelta(days=30)
POLICY_URL = "https://shop.example.com/help/refund-policy"


@dataclass(frozen=True)
class RefundDecision:
    eligible: bool
    code: str
    message: str
    refundable_cents: int = 0


def decide_refund(
    *,
    order_status: str,
    delivered_at: Optional[datetime],
    order_total_cents: int,
    already_refunded_cents: int,
    requested_cents: Optional[int],
    now: datetime,
) -> RefundDecision:
    """Apply the refund policy to one request; the first failing rule gives the reason."""
    remaining = order_total_cents - already_refunded_cents
    if order_status == "cancelled":
        return RefundDecision(False, "order_cancelled", "Cancelled orders are refunded automatically.")
    if order_status != OrderStatus.DELIVERED or delivered_at is None:
        return RefundDecision(
            False,
            "order_not_delivered",
            "Refunds are for delivered orders; an undelivered order can be cancelled.",
        )
    if now - delivered_at > REFUND_WINDOW:
        return RefundDecision(
            False,
            "refund_window_expired",
            "Refunds must be requested within 30 days of delivery.",
        )
    if remaining <= 0:
        return RefundDecision(False, "already_refunded", "This order has already been refunded in full.")
    if requested_cents is not None and requested_cents > remaining:
        return RefundDecision(
            False,
            "amount_exceeds_refundable",
            "The amount is more than what is left to refund on this order.",
            refundable_cents=remaining,
        )
    return RefundDecision(True, "eligible", "Eligible for a refund.", refundable_cents=remaining)
