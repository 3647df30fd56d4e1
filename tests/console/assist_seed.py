"""Tickets for the agent-assist tests, made through the backend's HTTP API as the assistant and the console
make them: an open handoff with the customer's question, and a resolved one where an agent replied."""

from __future__ import annotations

import uuid
from typing import Dict, List, Optional

import requests


def _post(base_url: str, headers: Dict[str, str], path: str, body: dict) -> dict:
    answer = requests.post(
        f"{base_url}{path}",
        json=body,
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def open_handoff(
    base_url: str,
    headers: Dict[str, str],
    questions: List[str],
    *,
    customer_id: Optional[int] = None,
    email: Optional[str] = None,
    conversation: bool = True,
) -> int:
    """A handoff waiting for an agent, the customer's messages as its transcript."""
    messages = []
    for question in questions:
        messages += [
            {"author": "customer", "body": question},
            {"author": "bot", "body": "Let me find someone."},
        ]
    created = _post(
        base_url,
        headers,
        "/v1/tickets",
        {
            "subject": "Conversation handed to a person (user requested)",
            "category": "handoff",
            "customer_id": customer_id,
            "customer_email": email,
            "conversation_id": f"assist-{uuid.uuid4().hex[:8]}" if conversation else None,
            "details": {"escalation_reason": "user_requested"},
            "messages": messages,
        },
    )
    return int(created["id"])


def resolved_with_replies(
    base_url: str, headers: Dict[str, str], question: str, replies: List[str], *, agent: str = "carol"
) -> int:
    """A handoff an agent answered and resolved; each reply stored as the console stores it ("Name: text")."""
    ticket_id = open_handoff(base_url, headers, [question], conversation=False)
    _post(base_url, headers, f"/v1/tickets/{ticket_id}/claim", {"agent": agent})
    for reply in replies:
        _post(
            base_url,
            headers,
            f"/v1/tickets/{ticket_id}/messages",
            {"author": "agent", "body": f"Carol: {reply}"},
        )
    _post(base_url, headers, f"/v1/tickets/{ticket_id}/resolution", {"agent": agent})
    return ticket_id
