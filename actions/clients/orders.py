"""Client for the orders API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from actions.clients.http import ServiceClient


@dataclass(frozen=True)
class Order:
    id: int
    customer_id: int
    status: str
    total: Decimal
    currency: str
    carrier: Optional[str]
    tracking_number: Optional[str]
    placed_at: str
    shipped_at: Optional[str]
    delivered_at: Optional[str]
    estimated_delivery: Optional[str]
    cancelled_at: Optional[str]

    @classmethod
    def from_json(cls, body: dict) -> Order:
        return cls(
            id=body["id"],
            customer_id=body["customer_id"],
            status=body["status"],
            total=Decimal(str(body["total"])),
            currency=body["currency"],
            carrier=body.get("carrier"),
            tracking_number=body.get("tracking_number"),
            placed_at=body["placed_at"],
            shipped_at=body.get("shipped_at"),
            delivered_at=body.get("delivered_at"),
            estimated_delivery=body.get("estimated_delivery"),
            cancelled_at=body.get("cancelled_at"),
        )


class OrdersClient(ServiceClient):
    api_name = "orders"

    def lookup(self, order_id: int, email: str) -> Order:
        """The order if it belongs to this email; BackendError 404 otherwise."""
        return Order.from_json(self._call("POST", f"/v1/orders/{order_id}/lookup", json={"email": email}))

    def cancel(self, order_id: int, email: str, *, idempotency_key: str) -> Order:
        """Cancel before shipping; BackendError 409 with the reason otherwise."""
        body = self._call(
            "POST", f"/v1/orders/{order_id}/cancel", json={"email": email}, idempotency_key=idempotency_key
        )
        return Order.from_json(body)
