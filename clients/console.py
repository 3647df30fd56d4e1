"""Client for the agent console's public availability route (how long a customer will wait)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from clients.http import HttpTransport, ServiceClient
from common.settings import ServiceEndpoint


@dataclass(frozen=True)
class Availability:
    agents_available: int
    queue_length: int
    estimated_wait_minutes: int
    within_hours: bool
    # The ticket's place in the queue (1 = next); None without a ticket id, or once a person has it.
    position: Optional[int] = None


class ConsoleClient(ServiceClient):
    api_name = "console"

    @classmethod
    def connect(cls, endpoint: ServiceEndpoint) -> ConsoleClient:
        return cls(HttpTransport(endpoint, service="agent console"))

    def availability(self, ticket_id: Optional[int] = None) -> Availability:
        """Agents free now, conversations waiting, the estimated wait (for this ticket's place in the queue)
        and whether support is open."""
        params = {"ticket_id": int(ticket_id)} if ticket_id else None
        body = self._call("GET", "/api/availability", params=params)
        return Availability(
            agents_available=int(body["agents_available"]),
            queue_length=int(body["queue_length"]),
            estimated_wait_minutes=max(int(body["estimated_wait_minutes"]), 1),
            within_hours=bool(body["within_hours"]),
            position=int(body["position"]) if body.get("position") is not None else None,
        )
