"""Client for the ticketing API: the assistant opens and rates tickets, the console works the queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional

from clients.backend.headers import customer_headers
from clients.http import ServiceClient

# The queue order the backend offers for handoffs: priority, then longest wait.
QUEUE_ORDER = "queue"
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class TicketMessage:
    author: str  # customer | bot | agent | system
    body: str
    sent_at: Optional[str] = None


def messages_json(messages: List[TicketMessage]) -> List[Dict[str, Any]]:
    """A transcript as the backend takes it: the latest 500 non-empty messages, each cut to 20,000 characters."""
    return [
        {"author": message.author, "body": message.body[:20_000], "sent_at": message.sent_at}
        for message in messages[-500:]
        if message.body
    ]


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


def parse_time(value: str) -> datetime:
    """The backend's ISO times as naive UTC."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


@dataclass(frozen=True)
class StoredMessage:
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Ticket:
    id: int
    subject: str
    category: str
    status: str
    priority: str
    customer_id: Optional[int]
    customer_email: Optional[str]
    conversation_id: Optional[str]
    details: Dict[str, Any]
    assignee: Optional[str]
    claimed_at: Optional[datetime]
    resolved_at: Optional[datetime]
    csat_rating: Optional[int]
    created_at: datetime
    messages: List[StoredMessage]

    @property
    def customer_verified(self) -> bool:
        """A ticket names an account only when the customer proved who they are (backend rule)."""
        return self.customer_id is not None

    @classmethod
    def from_json(cls, body: Dict[str, Any]) -> Ticket:
        return cls(
            id=body["id"],
            subject=body["subject"],
            category=body["category"],
            status=body["status"],
            priority=body["priority"],
            customer_id=body.get("customer_id"),
            customer_email=body.get("customer_email"),
            conversation_id=body.get("conversation_id"),
            details=body.get("details") or {},
            assignee=body.get("assignee"),
            claimed_at=parse_time(body["claimed_at"]) if body.get("claimed_at") else None,
            resolved_at=parse_time(body["resolved_at"]) if body.get("resolved_at") else None,
            csat_rating=body.get("csat_rating"),
            created_at=parse_time(body["created_at"]),
            messages=[
                StoredMessage(message["author"], message["body"], parse_time(message["created_at"]))
                for message in body.get("messages", [])
            ],
        )


@dataclass(frozen=True)
class TicketPage:
    items: List[Ticket]
    total: int


class TicketingClient(ServiceClient):
    api_name = "ticketing"

    # --- the assistant's side ---

    def create_ticket(
        self, ticket: NewTicket, *, idempotency_key: str, verification_token: Optional[str] = None
    ) -> int:
        """Open a ticket and return its id (linking an account needs that customer's verification token)."""
        payload = {
            "subject": ticket.subject[:300],
            "category": ticket.category,
            "priority": ticket.priority,
            "customer_id": ticket.customer_id,
            "customer_email": ticket.customer_email,
            "conversation_id": ticket.conversation_id,
            "details": ticket.details,
            "messages": messages_json(ticket.messages),
        }
        body = self._call(
            "POST",
            "/v1/tickets",
            json=payload,
            headers=customer_headers(verification_token=verification_token),
            idempotency_key=idempotency_key,
        )
        return int(body["id"])

    def rate(self, ticket_id: int, rating: int) -> None:
        """Store the customer's 1-5 satisfaction rating on the ticket (a repeat overwrites it)."""
        self._call("PUT", f"/v1/tickets/{int(ticket_id)}/csat", json={"rating": int(rating)})

    # --- the agent console's side ---

    def open_handoffs(self) -> List[Ticket]:
        """Every open handoff in queue order (priority, then longest wait), however many pages."""
        tickets: List[Ticket] = []
        page = 1
        while True:
            body = self._call(
                "GET",
                "/v1/tickets",
                params={
                    "category": "handoff",
                    "status": "open",
                    "order": QUEUE_ORDER,
                    "page": page,
                    "page_size": MAX_PAGE_SIZE,
                },
            )
            tickets.extend(Ticket.from_json(item) for item in body["items"])
            if page * MAX_PAGE_SIZE >= body["total"] or not body["items"]:
                return tickets
            page += 1

    def ticket(self, ticket_id: int) -> Ticket:
        return Ticket.from_json(self._call("GET", f"/v1/tickets/{int(ticket_id)}"))

    def customer_tickets(self, customer_id: int, limit: int = 20) -> List[Ticket]:
        body = self._call("GET", "/v1/tickets", params={"customer_id": int(customer_id), "page_size": limit})
        return [Ticket.from_json(item) for item in body["items"]]

    def search(
        self,
        *,
        status: Optional[str] = None,
        category: Optional[str] = None,
        reason: Optional[str] = None,
        customer_email: Optional[str] = None,
        created_from: Optional[datetime] = None,
        created_to: Optional[datetime] = None,
        text: Optional[str] = None,
        ids: Optional[List[int]] = None,
        page: int = 1,
        page_size: int = 50,
    ) -> TicketPage:
        """Past and present tickets, newest first, narrowed by any of these (the console's history view)."""
        params: Dict[str, Any] = {"page": page, "page_size": min(page_size, MAX_PAGE_SIZE)}
        optional = {
            "status": status,
            "category": category,
            "reason": reason,
            "customer_email": customer_email,
            "created_from": created_from.isoformat() if created_from else None,
            "created_to": created_to.isoformat() if created_to else None,
            "q": text,
        }
        params.update({name: value for name, value in optional.items() if value})
        if ids is not None:
            params["id"] = [int(ticket_id) for ticket_id in ids]
        body = self._call("GET", "/v1/tickets", params=params)
        return TicketPage([Ticket.from_json(item) for item in body["items"]], body["total"])

    def claim(self, ticket_id: int, agent: str) -> Ticket:
        return Ticket.from_json(
            self._call("POST", f"/v1/tickets/{int(ticket_id)}/claim", json={"agent": agent})
        )

    def reassign(self, ticket_id: int, *, expected_assignee: str, assignee: Optional[str]) -> Ticket:
        body = self._call(
            "POST",
            f"/v1/tickets/{int(ticket_id)}/assignment",
            json={"expected_assignee": expected_assignee, "assignee": assignee},
        )
        return Ticket.from_json(body)

    def resolve(self, ticket_id: int, agent: str) -> Ticket:
        return Ticket.from_json(
            self._call("POST", f"/v1/tickets/{int(ticket_id)}/resolution", json={"agent": agent})
        )

    def add_message(self, ticket_id: int, author: str, body: str) -> None:
        self._call("POST", f"/v1/tickets/{int(ticket_id)}/messages", json={"author": author, "body": body})

    def email_customer(self, ticket_id: int, subject: str, body: str) -> None:
        """Email the verified customer at the address on file; ServiceRefused 422 when there is none."""
        self._call(
            "POST", f"/v1/tickets/{int(ticket_id)}/customer-email", json={"subject": subject, "body": body}
        )
