"""Client for the CRM API: customers, profile changes, password resets, deletion requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from actions.clients.http import ServiceClient


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    email: str
    address: Optional[str]

    @classmethod
    def from_json(cls, body: dict) -> Customer:
        return cls(id=body["id"], name=body["name"], email=body["email"], address=body.get("address"))


class CrmClient(ServiceClient):
    api_name = "crm"

    def find_by_email(self, email: str) -> Optional[Customer]:
        """The customer with this email, or None."""
        body = self._call("GET", "/v1/customers", params={"email": email, "page_size": 1})
        return Customer.from_json(body["items"][0]) if body["items"] else None

    def get_customer(self, customer_id: int) -> Customer:
        """One customer's profile."""
        return Customer.from_json(self._call("GET", f"/v1/customers/{customer_id}"))

    def update_customer(
        self,
        customer_id: int,
        *,
        verification_token: str,
        idempotency_key: str,
        email: Optional[str] = None,
        address: Optional[str] = None,
    ) -> Customer:
        """Change the email or the address on file (needs a verification)."""
        changes = {key: value for key, value in (("email", email), ("address", address)) if value is not None}
        body = self._call(
            "PATCH",
            f"/v1/customers/{customer_id}",
            json=changes,
            verification_token=verification_token,
            idempotency_key=idempotency_key,
        )
        return Customer.from_json(body)

    def request_password_reset(self, customer_id: int, *, verification_token: str) -> None:
        """Send a reset link to the verified customer's email on file."""
        self._call(
            "POST",
            "/v1/password-resets",
            json={"customer_id": customer_id},
            verification_token=verification_token,
        )

    def request_deletion(
        self, customer_id: int, conversation_id: str, *, verification_token: str, idempotency_key: str
    ) -> int:
        """Open an account-deletion ticket; return its id."""
        body = self._call(
            "POST",
            f"/v1/customers/{customer_id}/deletion-requests",
            json={"conversation_id": conversation_id},
            verification_token=verification_token,
            idempotency_key=idempotency_key,
        )
        return int(body["ticket_id"])
