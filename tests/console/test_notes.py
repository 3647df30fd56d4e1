"""Private notes and labels over the console's HTTP API: any agent adds them, they are audited, and they
never reach the customer (not on the backend's ticket, not in any email)."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from tests.backend.test_ticket_search import account
from tests.console.test_console_api import handoff
from tests.support import BackendServer, ConsoleServer, start_console, stop_process


@pytest.fixture(scope="module")
def console(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleServer]:
    server = start_console(sqlite_backend, tmp_path_factory.mktemp("console-notes"))
    yield server
    stop_process(server.process)


def test_notes_and_labels_stay_with_the_agents(console: ConsoleServer, sqlite_backend: BackendServer) -> None:
    email = f"notes-{uuid.uuid4().hex[:6]}@example.org"
    ticket_id = handoff(sqlite_backend, email)
    bob, alice = console.login("bob"), console.login("alice")
    base = f"{console.base_url}/api/tickets/{ticket_id}"
    secret = f"Customer sounded upset; offered a goodwill voucher {uuid.uuid4().hex[:6]}"
    added = bob.post(f"{base}/notes", json={"body": secret})
    assert added.status_code == 201 and added.json()["note"]["author"] == "bob"
    assert bob.post(f"{base}/notes", json={"body": "   "}).status_code == 422
    assert bob.post(f"{console.base_url}/api/tickets/999999/notes", json={"body": "x"}).status_code == 404
    labelled = bob.put(f"{base}/labels", json={"labels": ["VIP", "size-swap", "vip"]})
    assert labelled.status_code == 200 and labelled.json()["labels"] == ["size-swap", "vip"]
    assert bob.put(f"{base}/labels", json={"labels": ["no spaces"]}).status_code == 422

    seen = alice.get(f"{base}/notes").json()
    assert [note["body"] for note in seen["notes"]] == [secret] and seen["labels"] == ["size-swap", "vip"]
    assert {"size-swap", "vip"} <= set(alice.get(f"{console.base_url}/api/labels").json()["labels"])
    # Never on the customer's side: not on the backend's ticket, not in any email to them.
    ticket = sqlite_backend.get(f"/v1/tickets/{ticket_id}").json()
    assert all(secret not in message["body"] for message in ticket["messages"])
    outbox = sqlite_backend.get("/v1/outbox", params={"recipient": email}).json()["items"]
    assert all(secret not in item["body"] for item in outbox)
    trail = alice.get(f"{console.base_url}/api/audit").json()["items"]
    mine = [(e["action"], e["details"]) for e in reversed(trail) if e["ticket_id"] == ticket_id]
    assert mine == [("note", None), ("labels", "size-swap, vip")]
    assert bob.put(f"{base}/labels", json={"labels": []}).json()["labels"] == []


def test_history_filters_by_status_customer_label_date_and_reason(
    console: ConsoleServer, sqlite_backend: BackendServer
) -> None:
    tag = uuid.uuid4().hex[:8]
    # Verified tickets: only those keep the customer's address to search by (an unverified one keeps it masked).
    first_email, second_email = f"hist-a-{tag}@example.org", f"hist-b-{tag}@example.org"
    first = handoff(sqlite_backend, first_email, account(sqlite_backend, first_email))
    second = handoff(sqlite_backend, second_email, account(sqlite_backend, second_email))
    solved = sqlite_backend.post(f"/v1/tickets/{second}/claim", json={"agent": "bob"}, as_="console")
    assert solved.status_code == 200
    assert (
        sqlite_backend.post(
            f"/v1/tickets/{second}/resolution", json={"agent": "bob"}, as_="console"
        ).status_code
        == 200
    )
    bob = console.login("bob")
    assert (
        bob.put(f"{console.base_url}/api/tickets/{first}/labels", json={"labels": [f"h-{tag}"]}).status_code
        == 200
    )

    def found(**params: str) -> list:
        answer = bob.get(f"{console.base_url}/api/history", params=params)
        assert answer.status_code == 200, answer.text
        return [item["id"] for item in answer.json()["items"]]

    assert found(customer=f"-{tag}@") == [second, first]
    assert found(customer=f"-{tag}@", status="solved") == [second]
    assert found(label=f"h-{tag}") == [first]
    assert found(label=f"none-{tag}") == []
    assert found(customer=tag, reason="user_requested") == [second, first]
    assert found(customer=tag, reason="low_confidence") == []
    today = sqlite_backend.get(f"/v1/tickets/{first}").json()["created_at"][:10]
    assert found(customer=tag, **{"from": today, "to": today}) == [second, first]
    assert found(customer=tag, to="2020-01-01") == []
    assert found(q=f"hist-b-{tag}") == [second]
    item = bob.get(f"{console.base_url}/api/history", params={"label": f"h-{tag}"}).json()["items"][0]
    assert item["labels"] == [f"h-{tag}"] and item["status"] == "open" and item["reason"] == "user_requested"
    assert bob.get(f"{console.base_url}/api/history", params={"label": "Not A Label!"}).status_code == 422
