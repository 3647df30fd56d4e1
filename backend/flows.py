"""Work that spans domains, kept out of the domains themselves so they never import each other in a cycle.

Domains depend one way: billing -> orders -> customers. Anything that needs two of them in the other
direction (cancelling an order refunds its payments) lives here, like Netflix Dispatch's flows modules.
"""

from __future__ import annotations

from typing import Iterable, Optional, Tuple

from sqlalchemy.orm import Session

from backend.billing import service as billing
from backend.orders.models import Order
from backend.orders.policy import LATE_AFTER, ClaimDecision, decide_missing_parcel_claim
from backend.orders.policy import POLICY_URL as CLAIM_POLICY_URL
from backend.tickets import service as tickets
from backend.tickets.models import MessageIn, Ticket
from common.database import utcnow
from common.errors import conflict
from common.vocabulary import OrderStatus, TicketCategory, TicketPriority

NOT_CANCELLABLE = {
    OrderStatus.SHIPPED: (
        "order_already_shipped",
        "The order has already shipped; it can be returned once delivered.",
    ),
    OrderStatus.DELIVERED: (
        "order_already_delivered",
        "The order was delivered; it can be returned instead.",
    ),
    OrderStatus.CANCELLED: ("order_already_cancelled", "The order is already cancelled."),
}


def cancel_order(order: Order, *, db_session: Session) -> Order:
    """Cancel an order that has not shipped yet, refunding what was paid for it."""
    if order.status in NOT_CANCELLABLE:
        code, message = NOT_CANCELLABLE[order.status]
        raise conflict(code, message, {"status": order.status})
    order.status = OrderStatus.CANCELLED.value
    order.cancelled_at = utcnow()
    billing.refund_cancelled_order(order, db_session=db_session)
    db_session.flush()
    return order


def file_missing_parcel_claim(
    order: Order,
    *,
    email: str,
    conversation_id: Optional[str],
    messages: Iterable[MessageIn],
    db_session: Session,
) -> Tuple[Ticket, ClaimDecision]:
    """Open a high-priority claim ticket for a parcel that never arrived, if the policy allows a claim.

    The ticket carries what the agent needs to chase the carrier (carrier, tracking number, dates). It names
    no customer account: an order number with its email is a lookup, not a verification.
    """
    decision = decide_missing_parcel_claim(
        order_status=order.status,
        delivered_at=order.delivered_at,
        estimated_delivery=order.estimated_delivery,
        now=utcnow(),
    )
    if not decision.eligible:
        # From when a parcel still in transit counts as missing, so the customer knows when to come back.
        claim_from = order.estimated_delivery + LATE_AFTER if order.estimated_delivery else None
        details = {
            "status": order.status,
            "policy_url": CLAIM_POLICY_URL,
            "claim_from": claim_from.isoformat() if claim_from else None,
        }
        raise conflict(decision.code, decision.message, details)
    ticket = tickets.create(
        subject=f"Missing parcel: order {order.id}",
        category=TicketCategory.MISSING_PARCEL.value,
        priority=TicketPriority.HIGH.value,
        customer_id=None,
        customer_email=email,
        conversation_id=conversation_id,
        details={
            "order_id": order.id,
            "reason": decision.code,
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
            "shipped_at": order.shipped_at,
            "delivered_at": order.delivered_at,
            "estimated_delivery": order.estimated_delivery,
            "policy_url": CLAIM_POLICY_URL,
        },
        messages=messages,
        db_session=db_session,
    )
    return ticket, decision
