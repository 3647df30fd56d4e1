"""The handoff queue on tickets: queue order, one winner for concurrent claims, transfer, resolve, CSAT,
and the email to an offline customer. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from tests.support import BackendServer, Factory, verified


def open_handoff(server: BackendServer, priority: str = "normal", email: Optional[str] = None) -> int:
    created = server.post(
        "/v1/tickets",
        json={
            "subject": "Conversation handed to a person",
            "category": "handoff",
            "priority": priority,
            "customer_email": email,
            "conversation_id": f"conv-{uuid.uuid4().hex[:8]}",
            "details": {"escalation_reason": "user_requested"},
            "messages": [{"author": "customer", "body": "a person please"}],
        },
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_queue_order_is_priority_then_longest_wait(backend_server: BackendServer) -> None:
    normal_first = open_handoff(backend_server, "normal")
    urgent = open_handoff(backend_server, "urgent")
    normal_second = open_handoff(backend_server, "normal")
    high = open_handoff(backend_server, "high")
    page = backend_server.get(
        "/v1/tickets", params={"category": "handoff", "status": "open", "order": "queue", "limit": 100}
    ).json()
    ids = [item["id"] for item in page["items"]]
    mine = [ticket for ticket in ids if ticket in {normal_first, urgent, normal_second, high}]
    assert mine == [urgent, high, normal_first, normal_second]
    assert backend_server.get("/v1/tickets", params={"order": "sideways"}).status_code == 422


def test_concurrent_claims_have_exactly_one_winner(backend_server: BackendServer) -> None:
    ticket_id = open_handoff(backend_server)
    agents = [f"agent{number}" for number in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(
            pool.map(
                lambda agent: backend_server.post(f"/v1/tickets/{ticket_id}/claim", json={"agent": agent}),
                agents,
            )
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [409] * 11, statuses
    winner = next(answer.json()["assignee"] for answer in answers if answer.status_code == 200)
    ticket = backend_server.get(f"/v1/tickets/{ticket_id}").json()
    assert ticket["assignee"] == winner and ticket["claimed_at"]
    loser = next(answer for answer in answers if answer.status_code == 409)
    assert loser.json()["error"]["code"] == "already_claimed"
    # Claiming again by the winner is harmless (a double click).
    assert backend_server.post(f"/v1/tickets/{ticket_id}/claim", json={"agent": winner}).status_code == 200


def test_transfer_unassign_and_resolve_only_by_the_assignee(backend_server: BackendServer) -> None:
    ticket_id = open_handoff(backend_server)
    assert backend_server.post(f"/v1/tickets/{ticket_id}/claim", json={"agent": "alice"}).status_code == 200
    stolen = backend_server.post(
        f"/v1/tickets/{ticket_id}/assignment", json={"expected_assignee": "mallory", "assignee": "mallory"}
    )
    assert stolen.status_code == 409 and stolen.json()["error"]["code"] == "not_assigned_to_you"
    moved = backend_server.post(
        f"/v1/tickets/{ticket_id}/assignment", json={"expected_assignee": "alice", "assignee": "bob"}
    )
    assert moved.status_code == 200 and moved.json()["assignee"] == "bob"
    back = backend_server.post(f"/v1/tickets/{ticket_id}/assignment", json={"expected_assignee": "bob"})
    assert back.status_code == 200 and back.json()["assignee"] is None and back.json()["status"] == "open"
    assert (
        backend_server.post(f"/v1/tickets/{ticket_id}/resolution", json={"agent": "bob"}).status_code == 409
    )
    assert backend_server.post(f"/v1/tickets/{ticket_id}/claim", json={"agent": "bob"}).status_code == 200
    resolved = backend_server.post(f"/v1/tickets/{ticket_id}/resolution", json={"agent": "bob"})
    assert (
        resolved.status_code == 200
        and resolved.json()["status"] == "solved"
        and resolved.json()["resolved_at"]
    )
    # A solved ticket leaves the queue and can't be claimed again.
    assert backend_server.post(f"/v1/tickets/{ticket_id}/claim", json={"agent": "carol"}).status_code == 409


def test_csat_rating_is_stored_and_validated(backend_server: BackendServer) -> None:
    ticket_id = open_handoff(backend_server)
    for bad in (0, 6, "five", None):
        assert backend_server.put(f"/v1/tickets/{ticket_id}/csat", json={"rating": bad}).status_code == 422
    assert backend_server.put(f"/v1/tickets/{ticket_id}/csat", json={"rating": 4}).json()["csat_rating"] == 4
    assert backend_server.put(f"/v1/tickets/{ticket_id}/csat", json={"rating": 5}).json()["csat_rating"] == 5
    assert backend_server.get(f"/v1/tickets/{ticket_id}").json()["csat_rating"] == 5
    assert backend_server.put("/v1/tickets/99999999/csat", json={"rating": 5}).status_code == 404


def test_email_to_an_offline_customer_goes_only_to_a_verified_account(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer([{"status": "placed", "total_cents": 100}])
    token = backend_server.verify(customer.email)
    # The ticket names the address the customer typed; the reply goes to the verified account's address.
    linked = backend_server.post(
        "/v1/tickets",
        json={
            "subject": "Handoff",
            "category": "handoff",
            "customer_id": customer.id,
            "customer_email": "typo@example.com",
        },
        headers=verified(token),
        as_="actions",
    ).json()["id"]
    sent = backend_server.post(
        f"/v1/tickets/{linked}/customer-email",
        json={"subject": "Reply", "body": "Your parcel is on its way."},
    )
    assert sent.status_code == 201 and sent.json()["recipient"] == customer.email
    outbox = backend_server.get(
        "/v1/outbox", params={"recipient": customer.email, "template": "agent_reply"}
    ).json()
    assert outbox["items"][0]["body"] == "Your parcel is on its way."
    # A typed, unverified email could be anybody's: no email, and nothing in its outbox.
    claimed = f"victim-{uuid.uuid4().hex[:6]}@example.com"
    unverified = open_handoff(backend_server, email=claimed)
    refused = backend_server.post(
        f"/v1/tickets/{unverified}/customer-email", json={"subject": "x", "body": "y"}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "email_not_verified"
    assert backend_server.get("/v1/outbox", params={"recipient": claimed}).json()["total"] == 0
