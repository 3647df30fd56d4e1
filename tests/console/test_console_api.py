"""The agent console over HTTP, as its own process against the real backend (Rasa is not running here:
the live parts are covered by the browser test). Login, sessions, refusals, queue, view, takeover rules."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Iterator

import pytest
import requests

from tests.support import BackendServer, ConsoleServer, Factory, start_console, stop_process


@pytest.fixture(scope="module")
def console(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleServer]:
    server = start_console(
        sqlite_backend, tmp_path_factory.mktemp("console-api"), CONSOLE_LOGIN_ATTEMPTS="5/15minutes"
    )
    yield server
    stop_process(server.process)


def handoff(
    backend: BackendServer, email: str, customer_id: int | None = None, priority: str = "normal"
) -> int:
    created = backend.post(
        "/v1/tickets",
        json={
            "subject": "Conversation handed to a person (user requested)",
            "category": "handoff",
            "priority": priority,
            "customer_email": email,
            "customer_id": customer_id,
            "conversation_id": f"conv-{uuid.uuid4().hex[:8]}",
            "details": {
                "escalation_reason": "user_requested",
                "summary": {
                    "detected_intents": ["check_order_status", "request_human"],
                    "last_nlu_confidence": 0.91,
                },
            },
            "messages": [
                {"author": "customer", "body": "where is my parcel"},
                {"author": "bot", "body": "Which order?"},
                {"author": "customer", "body": "just get me a person"},
            ],
        },
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_logged_out_requests_are_refused(console: ConsoleServer) -> None:
    for path in ("/api/queue", "/api/me", "/api/tickets/1", "/api/tickets/1/messages", "/api/corrections"):
        answer = requests.get(f"{console.base_url}{path}", timeout=10)
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "not_logged_in", path
    claim = requests.post(f"{console.base_url}/api/tickets/1/claim", timeout=10)
    assert claim.status_code == 401
    forged = requests.get(
        f"{console.base_url}/api/queue", cookies={"frontdesk_console": "forged"}, timeout=10
    )
    assert forged.status_code == 401
    page = requests.get(f"{console.base_url}/", timeout=10)
    assert (
        page.status_code == 200
        and "login-username" in page.text
        and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    )


def test_passwords_are_hashed_and_logout_ends_the_session(console: ConsoleServer) -> None:
    database = console.log_path.parent / "console.db"
    with sqlite3.connect(database) as connection:
        rows = dict(connection.execute("SELECT username, password_hash FROM agents").fetchall())
    assert rows["alice"].startswith("scrypt$") and console.agents["alice"] not in rows["alice"]
    session = console.login("alice")
    cookie = session.cookies.get("frontdesk_console")
    assert session.get(f"{console.base_url}/api/me", timeout=10).json()["agent"]["username"] == "alice"
    assert session.post(f"{console.base_url}/api/logout", timeout=10).status_code == 204
    replay = requests.get(f"{console.base_url}/api/me", cookies={"frontdesk_console": cookie}, timeout=10)
    assert replay.status_code == 401


def test_wrong_passwords_are_refused_then_throttled(console: ConsoleServer) -> None:
    attempts = [
        requests.post(
            f"{console.base_url}/api/login", json={"username": "carol", "password": "wrong-guess"}, timeout=10
        )
        for _ in range(6)
    ]
    assert [answer.status_code for answer in attempts] == [401] * 5 + [429]
    blocked = requests.post(
        f"{console.base_url}/api/login",
        json={"username": "carol", "password": console.agents["carol"]},
        timeout=10,
    )
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "too_many_attempts"
    bad = requests.post(f"{console.base_url}/api/login", json={"username": "", "password": ""}, timeout=10)
    assert bad.status_code == 422


def test_cross_site_and_non_json_writes_are_refused(console: ConsoleServer) -> None:
    session = console.login("alice")
    evil = session.post(
        f"{console.base_url}/api/me/status",
        json={"status": "away"},
        headers={"Origin": "https://evil.example"},
    )
    assert evil.status_code == 403 and evil.json()["error"]["code"] == "cross_site_request"
    form = session.post(f"{console.base_url}/api/me/status", data={"status": "away"})
    assert form.status_code == 415
    assert session.get(f"{console.base_url}/api/me").json()["agent"]["status"] == "available"


def test_queue_view_takeover_rules_and_corrections(
    console: ConsoleServer, sqlite_backend: BackendServer
) -> None:
    customer = Factory(sqlite_backend, order_id_base=300_000).customer(
        [{"status": "shipped", "total_cents": 4599}]
    )
    ticket_id = handoff(sqlite_backend, customer.email, customer.id, priority="urgent")
    alice = console.login("alice")
    queue = alice.get(f"{console.base_url}/api/queue").json()
    item = next(entry for entry in queue["items"] if entry["id"] == ticket_id)
    assert item["reason"] == "user_requested" and item["assignee"] is None
    assert item["last_customer_message"] == "just get me a person"
    assert queue["items"][0]["priority"] == "urgent"
    view = alice.get(f"{console.base_url}/api/tickets/{ticket_id}").json()
    assert [message["author"] for message in view["transcript"]] == ["customer", "bot", "customer"]
    assert view["customer"]["email"] == customer.email and view["orders"][0]["total"] == "45.99"
    assert view["summary"]["detected_intents"] == ["check_order_status", "request_human"]
    assert {agent["username"] for agent in view["agents"]} >= {"alice", "bob"}
    # Only the assignee may reply; nobody may reply before claiming.
    assert (
        alice.post(f"{console.base_url}/api/tickets/{ticket_id}/reply", json={"text": "hi"}).status_code
        == 403
    )
    assert alice.post(f"{console.base_url}/api/tickets/{ticket_id}/claim").status_code == 200
    other = console.login("bob")
    taken = other.post(f"{console.base_url}/api/tickets/{ticket_id}/claim")
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "already_claimed"
    assert (
        other.post(f"{console.base_url}/api/tickets/{ticket_id}/reply", json={"text": "x"}).status_code == 403
    )
    assert (
        alice.post(f"{console.base_url}/api/tickets/{ticket_id}/reply", json={"text": "   "}).status_code
        == 422
    )
    # Rasa is not running: the reply cannot be live, so it goes to the customer's email.
    sent = alice.post(
        f"{console.base_url}/api/tickets/{ticket_id}/reply", json={"text": "It ships tomorrow."}
    )
    assert sent.status_code == 201 and sent.json()["delivered"] == "email"
    outbox = sqlite_backend.get(
        "/v1/outbox", params={"recipient": customer.email, "template": "agent_reply"}
    ).json()
    assert "It ships tomorrow." in outbox["items"][0]["body"] and "Alice" in outbox["items"][0]["body"]
    unknown = alice.post(f"{console.base_url}/api/tickets/{ticket_id}/transfer", json={"to": "nobody"})
    assert unknown.status_code == 422
    moved = alice.post(f"{console.base_url}/api/tickets/{ticket_id}/transfer", json={"to": "bob"})
    assert moved.status_code == 200 and moved.json()["ticket"]["assignee"] == "bob"
    assert (
        other.post(f"{console.base_url}/api/tickets/{ticket_id}/unassign").json()["ticket"]["assignee"]
        is None
    )
    flagged = alice.post(
        f"{console.base_url}/api/corrections",
        json={
            "ticket_id": ticket_id,
            "bot_text": "Which order?",
            "customer_text": "where is my parcel",
            "correction": "Ask for the order number and the email together.",
        },
    )
    assert flagged.status_code == 201 and flagged.json()["correction"]["agent"] == "alice"
    listed = other.get(f"{console.base_url}/api/corrections").json()["items"]
    assert listed[0]["correction"] == "Ask for the order number and the email together."
    assert listed[0]["conversation_id"].startswith("conv-")
    assert alice.get(f"{console.base_url}/api/tickets/99999999").status_code == 404
    assert alice.get(f"{console.base_url}/api/tickets/0").status_code == 422


def test_availability_is_public_and_counts_available_agents(console: ConsoleServer) -> None:
    console.login("alice").post(f"{console.base_url}/api/me/status", json={"status": "available"})
    body = requests.get(f"{console.base_url}/api/availability", timeout=10).json()
    assert (
        body["agents_available"] >= 1 and body["estimated_wait_minutes"] >= 1 and body["within_hours"] is True
    )


def test_the_wait_counts_only_conversations_ahead(
    console: ConsoleServer, sqlite_backend: BackendServer
) -> None:
    agents = {name: console.login(name) for name in ("alice", "bob")}
    for name, session in agents.items():
        session.post(f"{console.base_url}/api/me/status", json={"status": "available"})
        busy_with = handoff(sqlite_backend, f"{name}-busy@example.com")
        assert session.post(f"{console.base_url}/api/tickets/{busy_with}/claim").status_code == 200
    handoff(sqlite_backend, "first@example.com")
    last_normal = handoff(sqlite_backend, "second@example.com")
    urgent = handoff(sqlite_backend, "urgent@example.com", priority="urgent")

    def wait_for(ticket_id: int) -> dict:
        return requests.get(
            f"{console.base_url}/api/availability", params={"ticket_id": ticket_id}, timeout=10
        ).json()

    urgent_wait, normal_wait = wait_for(urgent), wait_for(last_normal)
    assert urgent_wait["queue_length"] == normal_wait["queue_length"] >= 3
    assert urgent_wait["estimated_wait_minutes"] < normal_wait["estimated_wait_minutes"], (
        urgent_wait,
        normal_wait,
    )
    # The place in line the web chat shows: the urgent one ahead (of every normal one; the shared backend may
    # hold other tests' urgent tickets), a claimed one not in line at all.
    assert 1 <= urgent_wait["position"] < normal_wait["position"] <= normal_wait["queue_length"]
    assert wait_for(busy_with)["position"] is None
    assert requests.get(f"{console.base_url}/api/availability", timeout=10).json()["position"] is None
    assert (
        requests.get(
            f"{console.base_url}/api/availability", params={"ticket_id": "x"}, timeout=10
        ).status_code
        == 422
    )
