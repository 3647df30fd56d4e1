"""Macros over the console's HTTP API: only admins manage them (checked on the server), every agent gets them
filled for a ticket from the verified customer and the order, and what cannot be filled is left visible."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.console.test_console_api import handoff
from tests.support import BackendServer, ConsoleServer, Factory, start_console, stop_process


@pytest.fixture(scope="module")
def console(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleServer]:
    server = start_console(sqlite_backend, tmp_path_factory.mktemp("console-macros"))
    yield server
    stop_process(server.process)


def test_admins_manage_macros_and_agents_get_them_filled(
    console: ConsoleServer, sqlite_backend: BackendServer
) -> None:
    alice, bob = console.login("alice"), console.login("bob")  # alice is an admin, bob is not
    api = f"{console.base_url}/api"
    body = "Hi {customer_name}, I changed the size on order {order_id} for you. {agent_name}"
    refused = bob.post(f"{api}/macros", json={"title": "Size swap", "body": body})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_required"
    unknown = alice.post(f"{api}/macros", json={"title": "Bad", "body": "Hi {first_name}"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_variable"
    created = alice.post(f"{api}/macros", json={"title": "Size swap", "body": body})
    assert created.status_code == 201, created.text
    macro = created.json()
    assert (
        macro["variables"] == ["agent_name", "customer_name", "order_id"] and macro["updated_by"] == "alice"
    )
    taken = alice.post(f"{api}/macros", json={"title": "Size swap", "body": "Hello"})
    assert taken.status_code == 409

    person = Factory(sqlite_backend, order_id_base=500_000).customer(
        [
            {"status": "delivered", "total_cents": 100, "delivered_days_ago": 3},
            {"status": "placed", "total_cents": 200},
        ]
    )
    verified = handoff(sqlite_backend, person.email, person.id)
    filled = bob.get(f"{api}/tickets/{verified}/macros").json()["items"]
    latest = max(person.order_ids)  # placed most recently (the factory dates delivered orders further back)
    first_name = "Test"  # the factory names customers "Test Customer <n>"
    assert filled == [
        {
            "id": macro["id"],
            "title": "Size swap",
            "text": f"Hi {first_name}, I changed the size on order {latest} for you. Bob",
            "missing": [],
        }
    ]
    claim_only = handoff(sqlite_backend, "typed@example.org")
    unfilled = bob.get(f"{api}/tickets/{claim_only}/macros").json()["items"][0]
    assert unfilled["missing"] == ["customer_name", "order_id"]
    assert unfilled["text"] == "Hi {customer_name}, I changed the size on order {order_id} for you. Bob"

    assert (
        bob.put(f"{api}/macros/{macro['id']}", json={"title": "Size swap", "body": "Hi"}).status_code == 403
    )
    changed = alice.put(
        f"{api}/macros/{macro['id']}", json={"title": "Size swap", "body": "Hi {customer_name}"}
    )
    assert changed.status_code == 200 and changed.json()["variables"] == ["customer_name"]
    assert bob.delete(f"{api}/macros/{macro['id']}").status_code == 403
    assert alice.delete(f"{api}/macros/{macro['id']}").status_code == 204
    assert bob.get(f"{api}/macros").json()["items"] == []
