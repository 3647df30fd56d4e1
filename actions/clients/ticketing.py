"""Client for the ticketing API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from actions.clients.http import ServiceClient


@dataclass(frozen=True)
class TicketMessage:
    author: str  # customer | bot | agent | system
    body: str
    sent_at: Optional[str] = None


@dataclass
class NewTicket:
    subject: str
    category: str
    priority: str = "normal"
    customer_id: Optional[int] = None
    customer_email: Optional[str] = None
    conversation_id: Optional[str] = None
    details: Dict[str, Any] = field(default_factory=dict)
    messages: List[TicketMessage] = field(default_factory=list)


class TicketingClient(ServiceClient):
    api_name = "ticketing"

    def create_ticket(self, ticket: NewTicket, *, idempotency_key: str) -> int:
        """Open a ticket and return its id."""
        payload = {
            "subject": ticket.subject[:300],
            "category": ticket.category,
            "priority": ticket.priority,
            "customer_id": ticket.customer_id,
            "customer_email": ticket.customer_email,
            "conversation_id": ticket.conversation_id,
            "details": ticket.details,
            "messages": [
                {"author": message.author, "body": message.body[:20_000], "sent_at": message.sent_at}
                for message in ticket.messages[-500:]
                if message.body
            ],
        }
        return int(self._call("POST", "/v1/tickets", json=payload, idempotency_key=idempotency_key)["id"])

    def rate(self, ticket_id: int, rating: int) -> None:
        """Store the customer's 1-5 satisfaction rating on the ticket (a repeat overwrites it)."""
        self._call(
            "PUT",
            f"/v1/tickets/{int(ticket_id)}/csat",
            json={"rating": int(rating)},
            idempotency_key=f"fd-csat-{int(ticket_id)}-{int(rating)}",
        )
