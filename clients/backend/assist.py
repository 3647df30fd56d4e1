"""Client for the agent-assist API: the console acting for a ticket's verified customer (scope orders:assist).

Every call names the ticket and the acting agent, carries the agent's reason and an Idempotency-Key (so a
retry never acts twice); the backend applies the same policies as for the bot and refuses with their reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from clients.backend.billing import Refund
from clients.backend.orders import Order
from clients.http import ServiceClient


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
