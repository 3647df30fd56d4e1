"""The written missing-parcel policy (data/kb/missing-parcel.md), as code (both must change together), and what may
change on an order before it ships (size, or a swap for a product at the same price)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from backend.orders.catalogue import CATALOGUE_CURRENCY, Product
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


def decide_item_swap(
    *,
    order_status: str,
    order_currency: str,
    unit_price_cents: int,
    current_sku: str,
    target: Product,
    size: Optional[str],
) -> ChangeDecision:
    """Whether an item may be swapped for another product the store sells.

    The rule never moves money: only a product at exactly the same unit price (in the order's currency) is
    offered, so the order's total, invoice and payment stay as they are. A different price is refused; the
    customer can cancel and order again instead.
    """
    status = decide_item_change(order_status=order_status)
    if not status.allowed:
        return status
    if target.sku == current_sku:
        return ChangeDecision(
            False, "same_product", "The item already is this product; change its size instead."
        )
    if order_currency != CATALOGUE_CURRENCY or target.unit_price_cents != unit_price_cents:
        return ChangeDecision(
            False,
            "price_differs",
            "Only a product at the same price can be swapped in; cancel and reorder for anything else.",
        )
    if target.sizes and size not in target.sizes:
        return ChangeDecision(
            False, "size_not_sold", f"{target.name} is sold in sizes {', '.join(target.sizes)}: choose one."
        )
    if not target.sizes and size:
        return ChangeDecision(False, "size_not_sold", f"{target.name} is sold in one size only.")
    return ChangeDecision(True, "swappable", "Same price, not shipped yet.")
