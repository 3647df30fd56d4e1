"""Client for the agent console's public availability endpoint (how long a customer will wait)."""

from __future__ import annotations

from dataclasses import dataclass

from actions.clients.http import ServiceClient


@dataclass(frozen=True)
class Availability:
    agents_available: int
    queue_length: int
    estimated_wait_minutes: int
    within_hours: bool


class ConsoleClient(ServiceClient):
    api_name = "console"

    def availability(self) -> Availability:
        """Agents free now, conversations waiting, the estimated wait and whether support is open."""
        body = self._call("GET", "/api/availability")
        return Availability(
            agents_available=int(body["agents_available"]),
            queue_length=int(body["queue_length"]),
            estimated_wait_minutes=max(int(body["estimated_wait_minutes"]), 1),
            within_hours=bool(body["within_hours"]),
        )
