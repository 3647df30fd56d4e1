"""Client for the CRM API: customers, profile changes, password resets, deletion and data-copy requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from clients.backend.headers import customer_headers
from clients.http import ServiceClient


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    email: str
    phone: Optional[str]
    address: Optional[str]

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> Customer:
        return cls(
            id=body["id"],
            name=body["name"],
            email=body["email"],
            phone=body.get("phone"),
            address=body.get("address"),
        )


@dataclass(frozen=True)
class ChannelLink:
    """A Slack or Telegram account the customer linked after verifying through it (never a verification)."""

    channel: str
    identity: str
    linked_at: str


class CrmClient(ServiceClient):
    api_name = "crm"

    def get_customer(self, customer_id: int) -> Customer:
        """One customer's profile (needs `customers:read`, e.g. the console's credential)."""
        return Customer.from_json(self._call("GET", f"/v1/customers/{int(customer_id)}"))

    def update_address(
        self, customer_id: int, address: str, *, verification_token: str, idempotency_key: str
    ) -> Customer:
        """Change the postal address on file (needs a verification)."""
        body = self._call(
            "PATCH",
            f"/v1/customers/{int(customer_id)}",
            json={"address": address},
            headers=customer_headers(verification_token=verification_token),
            idempotency_key=idempotency_key,
        )
        return Customer.from_json(body)

    def request_email_change(
        self, customer_id: int, new_email: str, *, verification_token: str, idempotency_key: str
    ) -> str:
        """Send a confirmation link to the new address; returns it masked (the same for any address)."""
        body = self._call(
            "POST",
            f"/v1/customers/{int(customer_id)}/email-change",
            json={"new_email": new_email},
            headers=customer_headers(verification_token=verification_token),
            idempotency_key=idempotency_key,
        )
        return str(body["sent_to"])

    def request_password_reset(self, customer_id: int, *, verification_token: str) -> None:
        """Send a reset link to the verified customer's email on file."""
        self._call(
            "POST",
            "/v1/password-resets",
            json={"customer_id": int(customer_id)},
            headers=customer_headers(verification_token=verification_token),
        )

    def request_deletion(
        self, customer_id: int, conversation_id: str, *, verification_token: str, idempotency_key: str
    ) -> int:
        """Open an account-deletion ticket; return its id."""
        body = self._call(
            "POST",
            f"/v1/customers/{int(customer_id)}/deletion-requests",
            json={"conversation_id": conversation_id},
            headers=customer_headers(verification_token=verification_token),
            idempotency_key=idempotency_key,
        )
        return int(body["ticket_id"])

    def request_data_copy(
        self, customer_id: int, *, verification_token: str, conversation_id: str, idempotency_key: str
    ) -> int:
        """Open a ticket for a copy of the customer's data (a download link goes to the email on file);
        return its id."""
        body = self._call(
            "POST",
            f"/v1/customers/{int(customer_id)}/data-copy-requests",
            json={"conversation_id": conversation_id},
            headers=customer_headers(verification_token=verification_token),
            idempotency_key=idempotency_key,
        )
        return int(body["ticket_id"])

    def link_channel(self, customer_id: int, channel: str, identity: str, *, verification_token: str) -> None:
        """Link the messaging account the customer verified through (at their request); repeatable."""
        self._call(
            "PUT",
            f"/v1/customers/{int(customer_id)}/channel-links",
            json={"channel": channel, "identity": identity},
            headers=customer_headers(verification_token=verification_token),
        )

    def channel_links(
        self, customer_id: int, *, verification_token: Optional[str] = None
    ) -> List[ChannelLink]:
        """The customer's linked messaging accounts (the console's credential, or the customer's token)."""
        headers = customer_headers(verification_token=verification_token) if verification_token else None
        body = self._call("GET", f"/v1/customers/{int(customer_id)}/channel-links", headers=headers)
        return [ChannelLink(str(b["channel"]), str(b["identity"]), str(b["linked_at"])) for b in body or []]
