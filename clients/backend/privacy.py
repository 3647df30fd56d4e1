"""Client for the privacy API (needs `privacy:manage`: the console's credential): find a customer, export
everything stored about them, erase them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from clients.http import ServiceClient, ServiceRefused


@dataclass(frozen=True)
class StoreAction:
    """What an erasure did to one store: `action` is anonymised, redacted, deleted or retained."""

    store: str
    action: str
    rows: int


@dataclass(frozen=True)
class ErasureReceipt:
    request_id: str
    customer_id: int
    erased_at: str
    stores: Tuple[StoreAction, ...]

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> ErasureReceipt:
        return cls(
            request_id=str(body["request_id"]),
            customer_id=int(body["customer_id"]),
            erased_at=str(body["erased_at"]),
            stores=tuple(
                StoreAction(str(store["store"]), str(store["action"]), int(store["rows"]))
                for store in body["stores"]
            ),
        )

    def as_json(self) -> Dict[str, Any]:
        """The receipt as the backend gave it (for a bundle or an audit entry)."""
        return {
            "request_id": self.request_id,
            "customer_id": self.customer_id,
            "erased_at": self.erased_at,
            "stores": [vars(store) for store in self.stores],
        }


class PrivacyClient(ServiceClient):
    api_name = "privacy"

    def find_customer(self, *, email: Optional[str] = None, phone: Optional[str] = None) -> Optional[int]:
        """The id of the customer with this email or phone (sent in a body), or None if there is none."""
        body: Dict[str, Optional[str]] = {"email": email} if email is not None else {"phone": phone}
        try:
            found = self._call("POST", "/v1/privacy/customers/lookup", json=body)
        except ServiceRefused as exc:
            if exc.status == 404:
                return None
            raise
        return int(found["customer_id"])

    def export(self, customer_id: int) -> Dict[str, Any]:
        """Everything the backend stores about the customer: one JSON document (backend/privacy/service.py)."""
        return dict(self._call("GET", f"/v1/privacy/customers/{int(customer_id)}/export"))

    def erase(self, customer_id: int, request_id: str) -> ErasureReceipt:
        """Erase the customer in every backend store; repeating the same request id returns the same receipt
        and changes nothing (so a caller unsure whether it went through asks again with the same id)."""
        body = self._call(
            "POST", f"/v1/privacy/customers/{int(customer_id)}/erasure", json={"request_id": request_id}
        )
        return ErasureReceipt.from_json(body)
