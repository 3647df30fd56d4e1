"""The store backend as the console needs it: handoff tickets, customers, orders, customer email."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from console.clients.http import JsonClient, UpstreamError


class BackendClient(JsonClient):
    service = "store backend"

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(base_url, headers={"Authorization": f"Bearer {token}"})

    def open_handoffs(self, limit: int = 100) -> List[Dict[str, Any]]:
        """Open handoff tickets in queue order (priority, then longest wait)."""
        page = self.call(
            "GET",
            "/v1/tickets",
            params={"category": "handoff", "status": "open", "order": "queue", "limit": limit},
        )
        return page["items"]

    def ticket(self, ticket_id: int) -> Dict[str, Any]:
        return self.call("GET", f"/v1/tickets/{int(ticket_id)}")

    def customer_tickets(self, customer_id: int, limit: int = 20) -> List[Dict[str, Any]]:
        return self.call("GET", "/v1/tickets", params={"customer_id": customer_id, "limit": limit})["items"]

    def customer(self, customer_id: int) -> Optional[Dict[str, Any]]:
        try:
            return self.call("GET", f"/v1/customers/{int(customer_id)}")
        except UpstreamError as exc:
            if exc.status_code == 404:
                return None
            raise

    def customer_by_email(self, email: str) -> Optional[Dict[str, Any]]:
        items = self.call("GET", "/v1/customers", params={"email": email, "limit": 1})["items"]
        return items[0] if items else None

    def orders(self, customer_id: int, limit: int = 20) -> List[Dict[str, Any]]:
        return self.call("GET", "/v1/orders", params={"customer_id": customer_id, "limit": limit})["items"]

    def claim(self, ticket_id: int, agent: str) -> Dict[str, Any]:
        return self.call("POST", f"/v1/tickets/{int(ticket_id)}/claim", json={"agent": agent})

    def reassign(self, ticket_id: int, *, expected_assignee: str, assignee: Optional[str]) -> Dict[str, Any]:
        return self.call(
            "POST",
            f"/v1/tickets/{int(ticket_id)}/assignment",
            json={"expected_assignee": expected_assignee, "assignee": assignee},
        )

    def resolve(self, ticket_id: int, agent: str) -> Dict[str, Any]:
        return self.call("POST", f"/v1/tickets/{int(ticket_id)}/resolution", json={"agent": agent})

    def add_message(self, ticket_id: int, author: str, body: str) -> None:
        self.call("POST", f"/v1/tickets/{int(ticket_id)}/messages", json={"author": author, "body": body})

    def email_customer(self, ticket_id: int, subject: str, body: str) -> Dict[str, Any]:
        return self.call(
            "POST", f"/v1/tickets/{int(ticket_id)}/customer-email", json={"subject": subject, "body": body}
        )
