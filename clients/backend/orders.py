"""Client for the orders API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from clients.backend.headers import customer_headers
from clients.backend.ticketing import TicketMessage, messages_json
from clients.http import ServiceClient


@dataclass(frozen=True)
class OrderLine:
    id: int
    sku: str
    name: str
    quantity: int
    size: Optional[str]
    unit_price: Optional[Decimal] = None


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
    items: Tuple[OrderLine, ...] = ()

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> Order:
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
            items=tuple(
                OrderLine(
                    item["id"],
                    item["sku"],
                    item["name"],
                    item["quantity"],
                    item.get("size"),
                    Decimal(str(item["unit_price"])) if item.get("unit_price") is not None else None,
                )
                for item in body.get("items", [])
            ),
        )


@dataclass(frozen=True)
class MissingParcelClaim:
    ticket_id: int
    order_id: int
    reason: str
    carrier: Optional[str]
    tracking_number: Optional[str]
    delivered_at: Optional[str]
    estimated_delivery: Optional[str]
    policy_url: str


class OrdersClient(ServiceClient):
    api_name = "orders"

    def lookup(self, order_id: int, email: str, *, client_address: Optional[str] = None) -> Order:
        """The order if it belongs to this email; ServiceRefused 404 otherwise, 429 once the budget is spent."""
        body = self._call(
            "POST",
            f"/v1/orders/{int(order_id)}/lookup",
            json={"email": email},
            headers=customer_headers(client_address=client_address),
        )
        return Order.from_json(body)

    def cancel(
        self,
        order_id: int,
        email: str,
        *,
        verification_token: str,
        idempotency_key: str,
        client_address: Optional[str] = None,
    ) -> Order:
        """Cancel before shipping (needs a verification); ServiceRefused 409 with the reason otherwise."""
        body = self._call(
            "POST",
            f"/v1/orders/{int(order_id)}/cancel",
            json={"email": email},
            headers=customer_headers(verification_token=verification_token, client_address=client_address),
            idempotency_key=idempotency_key,
        )
        return Order.from_json(body)

    def claim_missing_parcel(
        self,
        order_id: int,
        email: str,
        *,
        conversation_id: str,
        messages: List[TicketMessage],
        idempotency_key: str,
        client_address: Optional[str] = None,
    ) -> MissingParcelClaim:
        """Open a missing-parcel claim ticket; ServiceRefused 409 with the policy reason when none can be opened."""
        body = self._call(
            "POST",
            f"/v1/orders/{int(order_id)}/missing-parcel-claims",
            json={"email": email, "conversation_id": conversation_id, "messages": messages_json(messages)},
            headers=customer_headers(client_address=client_address),
            idempotency_key=idempotency_key,
        )
        return MissingParcelClaim(
            ticket_id=body["ticket_id"],
            order_id=body["order_id"],
            reason=body["reason"],
            carrier=body.get("carrier"),
            tracking_number=body.get("tracking_number"),
            delivered_at=body.get("delivered_at"),
            estimated_delivery=body.get("estimated_delivery"),
            policy_url=body["policy_url"],
        )

    def customer_orders(self, customer_id: int, limit: int = 20) -> List[Order]:
        """A customer's most recent orders (needs `customers:read`)."""
        body = self._call("GET", "/v1/orders", params={"customer_id": int(customer_id), "page_size": limit})
        return [Order.from_json(item) for item in body["items"]]
