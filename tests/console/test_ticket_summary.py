"""How long a customer waited, as the queue and the conversation header show it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict

from clients.backend.ticketing import Ticket
from console.handoffs.service import ticket_summary

CREATED = datetime(2026, 11, 30, 9, 0, 0)


def ticket(**changes: Any) -> Ticket:
    body: Dict[str, Any] = {
        "id": 7,
        "subject": "Where is my order",
        "category": "handoff",
        "status": "open",
        "priority": "normal",
        "created_at": CREATED.isoformat(),
        **changes,
    }
    return Ticket.from_json(body)


def test_an_open_ticket_keeps_waiting() -> None:
    assert ticket_summary(ticket(), now=CREATED + timedelta(minutes=5))["waiting_seconds"] == 300


def test_the_wait_ends_when_claimed() -> None:
    claimed = ticket(assignee="alice", claimed_at=(CREATED + timedelta(minutes=2)).isoformat())
    assert ticket_summary(claimed, now=CREATED + timedelta(hours=3))["waiting_seconds"] == 120


def test_a_ticket_solved_without_a_claim_stops_waiting_when_it_was_solved() -> None:
    solved = ticket(status="solved", resolved_at=(CREATED + timedelta(minutes=1)).isoformat())
    assert ticket_summary(solved, now=CREATED + timedelta(days=2))["waiting_seconds"] == 60
