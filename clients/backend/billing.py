"""Client for the billing API: balances, invoices, payments and refunds."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Optional

from clients.backend.headers import customer_headers
from clients.http import ServiceClient


@dataclass(frozen=True)
class Balance:
    store_credit: Decimal
    amount_due: Decimal
    currency: str


@dataclass(frozen=True)
class Invoice:
    id: str
    order_id: Optional[int]
    amount: Decimal
    currency: str
    status: str
    issued_at: str

    @classmethod
    def from_json(cls, item: Dict[str, Any]) -> Invoice:
        return cls(
            id=item["id"],
            order_id=item.get("order_id"),
            amount=Decimal(str(item["amount"])),
            currency=item["currency"],
            status=item["status"],
            issued_at=item["issued_at"],
        )


@dataclass(frozen=True)
class Payment:
    id: int
    order_id: Optional[int]
    amount: Decimal
    status: str
    card_last4: Optional[str]
    decline_reason: Optional[str]
    created_at: str


@dataclass(frozen=True)
class Refund:
    id: int
    order_id: int
    amount: Decimal
    currency: str
    status: str
    created_at: str

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> Refund:
        return cls(
            id=body["id"],
            order_id=body["order_id"],
            amount=Decimal(str(body["amount"])),
            currency=body["currency"],
            status=body["status"],
            created_at=body["created_at"],
        )


@dataclass(frozen=True)
class RefundQuote:
    order_total: Decimal
    already_refunded: Decimal
    refundable: Decimal
    currency: str
    eligible: bool
    code: str


class BillingClient(ServiceClient):
    api_name = "billing"

    def balance(self, customer_id: int, *, verification_token: str) -> Balance:
        """Store credit and amount due (needs a verification)."""
        body = self._call(
            "GET",
            f"/v1/customers/{int(customer_id)}/balance",
            headers=customer_headers(verification_token=verification_token),
        )
        return Balance(Decimal(str(body["store_credit"])), Decimal(str(body["amount_due"])), body["currency"])

    def invoices(self, customer_id: int, *, verification_token: str, limit: int = 10) -> List[Invoice]:
        """The customer's most recent invoices (needs a verification)."""
        body = self._call(
            "GET",
            "/v1/invoices",
            params={"customer_id": int(customer_id), "page_size": limit},
            headers=customer_headers(verification_token=verification_token),
        )
        return [Invoice.from_json(item) for item in body["items"]]

    def customer_invoices(self, customer_id: int, limit: int = 10) -> List[Invoice]:
        """A customer's most recent invoices (needs `customers:read`: the console)."""
        body = self._call("GET", "/v1/invoices", params={"customer_id": int(customer_id), "page_size": limit})
        return [Invoice.from_json(item) for item in body["items"]]

    def send_invoice_copy(self, invoice_id: str, customer_id: int, *, verification_token: str) -> str:
        """Email a copy to the address on file (needs a verification); return that address, masked."""
        body = self._call(
            "POST",
            f"/v1/invoices/{invoice_id}/send-copy",
            json={"customer_id": int(customer_id)},
            headers=customer_headers(verification_token=verification_token),
        )
        return str(body["sent_to"])

    def payments(self, customer_id: int, *, verification_token: str, limit: int = 5) -> List[Payment]:
        """The customer's most recent payments (needs a verification)."""
        body = self._call(
            "GET",
            "/v1/payments",
            params={"customer_id": int(customer_id), "page_size": limit},
            headers=customer_headers(verification_token=verification_token),
        )
        return [
            Payment(
                id=item["id"],
                order_id=item.get("order_id"),
                amount=Decimal(str(item["amount"])),
                status=item["status"],
                card_last4=item.get("card_last4"),
                decline_reason=item.get("decline_reason"),
                created_at=item["created_at"],
            )
            for item in body["items"]
        ]

    def refund_quote(self, order_id: int, email: str, *, verification_token: str) -> RefundQuote:
        """The order total and what can still be refunded, with the policy verdict (needs a verification)."""
        body = self._call(
            "POST",
            f"/v1/orders/{int(order_id)}/refund-quote",
            json={"email": email},
            headers=customer_headers(verification_token=verification_token),
        )
        return RefundQuote(
            order_total=Decimal(str(body["order_total"])),
            already_refunded=Decimal(str(body["already_refunded"])),
            refundable=Decimal(str(body["refundable"])),
            currency=body["currency"],
            eligible=bool(body["eligible"]),
            code=body["code"],
        )

    def request_refund(
        self,
        order_id: int,
        email: str,
        amount: Optional[Decimal],
        reason: Optional[str],
        *,
        verification_token: str,
        idempotency_key: str,
    ) -> Refund:
        """Create a refund; ServiceRefused 422 with the policy reason when not eligible."""
        payload: Dict[str, Any] = {"order_id": int(order_id), "email": email, "reason": reason}
        if amount is not None:
            payload["amount"] = str(amount)
        body = self._call(
            "POST",
            "/v1/refunds",
            json=payload,
            headers=customer_headers(verification_token=verification_token),
            idempotency_key=idempotency_key,
        )
        return Refund.from_json(body)

    def refund_status(
        self, order_id: int, email: str, *, client_address: Optional[str] = None
    ) -> List[Refund]:
        """Refunds of the order if it belongs to this email, newest first (404 otherwise; lookup budget)."""
        body = self._call(
            "POST",
            f"/v1/orders/{int(order_id)}/refund-status",
            json={"email": email},
            headers=customer_headers(client_address=client_address),
        )
        return [Refund.from_json(item) for item in body]
