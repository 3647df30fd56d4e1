"""The written missing-parcel policy (data/kb/missing-parcel.md), as code. Both must change together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from common.vocabulary import OrderStatus

# A parcel marked delivered can be reported missing for this long after the delivery date.
CLAIM_WINDOW = timedelta(days=30)
# A parcel still in transit counts as missing this long after its estimated delivery date.
LATE_AFTER = timedelta(days=3)
POLICY_URL = "https://shop.example.com/help/missing-parcel"


@dataclass(frozen=True)
class ClaimDecision:
    eligible: bool
    code: str
    message: str


def decide_missing_parcel_claim(
    *,
    order_status: str,
    delivered_at: Optional[datetime],
    estimated_delivery: Optional[datetime],
    now: datetime,
) -> ClaimDecision:
    """Whether a missing-parcel claim can be opened for an order; the first matching rule gives the reason."""
    if order_status == OrderStatus.CANCELLED:
        return ClaimDecision(False, "order_cancelled", "The order was cancelled, so nothing was sent.")
    if order_status == OrderStatus.PLACED:
        return ClaimDecision(False, "order_not_shipped", "The order has not shipped yet.")
    if order_status == OrderStatus.SHIPPED:
        if estimated_delivery is not None and now - estimated_delivery >= LATE_AFTER:
            return ClaimDecision(
                True, "late_in_transit", "The parcel is well past its estimated delivery date."
            )
        return ClaimDecision(False, "in_transit", "The parcel is still on its way.")
    if delivered_at is None or now - delivered_at > CLAIM_WINDOW:
        return ClaimDecision(
            False,
            "claim_window_expired",
            "Missing parcels must be reported within 30 days of the delivery date.",
        )
    return ClaimDecision(True, "delivered_not_received", "Marked delivered but not received.")


@dataclass(frozen=True)
class ChangeDecision:
    allowed: bool
    code: str
    message: str


def decide_item_change(*, order_status: str) -> ChangeDecision:
    """Whether an item's size may still change: only while the order has not left the warehouse."""
    if order_status == OrderStatus.PLACED:
        return ChangeDecision(True, "changeable", "The order has not shipped yet.")
    if order_status == OrderStatus.CANCELLED:
        return ChangeDecision(False, "order_already_cancelled", "The order is cancelled.")
    if order_status == OrderStatus.DELIVERED:
        return ChangeDecision(
            False, "order_already_delivered", "The order was delivered; exchange it through a return."
        )
    return ChangeDecision(
        False, "order_already_shipped", "The order has already shipped; its items can no longer change."
    )
