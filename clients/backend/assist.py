"""Client for the agent-assist API: the console acting for a ticket's verified customer (scope orders:assist).

Every call names the ticket and the acting agent, carries the agent's reason and an Idempotency-Key (so a
retry never acts twice); the backend applies the same policies as for the bot and refuses with their reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from clients.backend.billing import Refund
from clients.backend.orders import Order
from clients.http import ServiceClient


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    unit_price: Decimal
    currency: str
    sizes: Tuple[str, ...]

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> Product:
        return cls(
            body["sku"],
            body["name"],
            Decimal(str(body["unit_price"])),
            body["currency"],
            tuple(body["sizes"]),
        )


class AssistClient(ServiceClient):
    api_name = "assist"

    def cancel_order(
        self, ticket_id: int, order_id: int, *, agent: str, reason: str, idempotency_key: str
    ) -> Order:
        """Cancel an unshipped order (ServiceRefused 409 once it has shipped)."""
        body = self._call(
            "POST",
            f"/v1/tickets/{int(ticket_id)}/assist/orders/{int(order_id)}/cancel",
            json={"agent": agent, "reason": reason},
            idempotency_key=idempotency_key,
        )
        return Order.from_json(body)

    def change_item_size(
        self,
        ticket_id: int,
        order_id: int,
        item_id: int,
        size: str,
        *,
        agent: str,
        reason: str,
        idempotency_key: str,
    ) -> Order:
        """Change one item's size on an unshipped order (ServiceRefused 409 once it has shipped)."""
        body = self._call(
            "POST",
            f"/v1/tickets/{int(ticket_id)}/assist/orders/{int(order_id)}/items/{int(item_id)}/size",
            json={"agent": agent, "reason": reason, "size": size},
            idempotency_key=idempotency_key,
        )
        return Order.from_json(body)

    def products(self) -> List[Product]:
        """What the store sells (the products an item can be swapped for), with prices and sizes."""
        body = self._call("GET", "/v1/assist/products")
        return [Product.from_json(product) for product in body["products"]]

    def swap_item(
        self,
        ticket_id: int,
        order_id: int,
        item_id: int,
        sku: str,
        size: Optional[str],
        *,
        agent: str,
        reason: str,
        idempotency_key: str,
    ) -> Order:
        """Swap one item of an unshipped order for a product at the same price (ServiceRefused 409 once it has
        shipped, 422 for a product not sold, at another price or in a size it is not sold in)."""
        payload: Dict[str, Any] = {"agent": agent, "reason": reason, "sku": sku}
        if size:
            payload["size"] = size
        body = self._call(
            "POST",
            f"/v1/tickets/{int(ticket_id)}/assist/orders/{int(order_id)}/items/{int(item_id)}/swap",
            json=payload,
            idempotency_key=idempotency_key,
        )
        return Order.from_json(body)

    def refund(
        self,
        ticket_id: int,
        order_id: int,
        amount: Optional[Decimal],
        *,
        agent: str,
        reason: str,
        idempotency_key: str,
    ) -> Refund:
        """Refund within the refund policy (ServiceRefused 422 with the policy's reason otherwise)."""
        payload = {"agent": agent, "reason": reason, "order_id": int(order_id)}
        if amount is not None:
            payload["amount"] = str(amount)
        body = self._call(
            "POST",
            f"/v1/tickets/{int(ticket_id)}/assist/refunds",
            json=payload,
            idempotency_key=idempotency_key,
        )
        return Refund.from_json(body)

    def resend_invoice(
        self, ticket_id: int, invoice_id: str, *, agent: str, reason: str, idempotency_key: str
    ) -> str:
        """Email the customer a copy of their invoice; return the address it went to, masked."""
        body = self._call(
            "POST",
            f"/v1/tickets/{int(ticket_id)}/assist/invoices/{invoice_id}/send-copy",
            json={"agent": agent, "reason": reason},
            idempotency_key=idempotency_key,
        )
        return str(body["sent_to"])
