"""Work that spans domains, kept out of the domains themselves so they never import each other in a cycle.

Domains depend one way: billing -> orders -> customers. Anything that needs two of them in the other
direction (cancelling an order refunds its payments) lives here, like Netflix Dispatch's flows modules.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.billing import service as billing
from backend.orders.models import Order
from common.database import utcnow
from common.errors import conflict
from common.vocabulary import OrderStatus

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
