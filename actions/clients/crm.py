"""Client for the CRM API: customers, identity checks, profile changes, password resets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from actions.clients.http import HttpTransport


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    email: str
    address: Optional[str]


class CrmClient:
    def __init__(self, transport: HttpTransport) -> None:
        self.transport = transport

    def identify(self, email: str, order_id: int) -> int:
        """Customer id when the email owns the order; BackendError 404 otherwise."""
        body = self.transport.request(
            "POST", "/v1/customers/identify", json={"email": email, "order_id": order_id}
        )
        return int(body["customer_id"])

    def find_by_email(self, email: str) -> Optional[Customer]:
        """The customer with this email, or None."""
        body = self.transport.request("GET", "/v1/customers", params={"email": email, "page_size": 1})
        if not body["items"]:
            return None
        item = body["items"][0]
        return Customer(id=item["id"], name=item["name"], email=item["email"], address=item.get("address"))

    def get_customer(self, customer_id: int) -> Customer:
        """One customer's profile."""
        body = self.transport.request("GET", f"/v1/customers/{customer_id}")
        return Customer(id=body["id"], name=body["name"], email=body["email"], address=body.get("address"))

    def update_customer(
        self, customer_id: int, *, email: Optional[str] = None, address: Optional[str] = None
    ) -> Customer:
        """Change the email or the address on file."""
        changes = {key: value for key, value in (("email", email), ("address", address)) if value is not None}
        body = self.transport.request("PATCH", f"/v1/customers/{customer_id}", json=changes)
        return Customer(id=body["id"], name=body["name"], email=body["email"], address=body.get("address"))

    def request_password_reset(self, email: str) -> None:
        """Ask for a reset link; the backend answers the same whether the account exists or not."""
        self.transport.request("POST", "/v1/password-resets", json={"email": email})

    def request_deletion(self, customer_id: int, conversation_id: str) -> int:
        """Open an account-deletion ticket; return its id."""
        body = self.transport.request(
            "POST",
            f"/v1/customers/{customer_id}/deletion-requests",
            json={"conversation_id": conversation_id},
        )
        return int(body["ticket_id"])
