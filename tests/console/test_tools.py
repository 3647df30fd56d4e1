"""Agent tools over the console's HTTP API (console/tools/), against the real backend: what the panel offers,
acting with a reason, refusals passed on, one action per confirmation, and every attempt in the audit trail."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from tests.console.test_console_api import handoff
from tests.support import BackendServer, ConsoleServer, Factory, start_console, stop_process


@pytest.fixture(scope="module")
def console(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleServer]:
    server = start_console(sqlite_backend, tmp_path_factory.mktemp("console-tools"))
    yield server
    stop_process(server.process)


def test_tools_act_for_the_verified_customer_with_a_reason_and_are_audited(
    console: ConsoleServer, sqlite_backend: BackendServer
) -> None:
    person = Factory(sqlite_backend, order_id_base=400_000).customer(
        [
            {"status": "placed", "total_cents": 3000, "size": "M"},
            {"status": "shipped", "total_cents": 2000, "size": "S"},
        ]
    )
    placed, shipped = person.order_ids
    ticket_id = handoff(sqlite_backend, person.email, person.id)
    alice, bob = console.login("alice"), console.login("bob")
    base = f"{console.base_url}/api/tickets/{ticket_id}"
    tools = alice.get(f"{base}/tools").json()
    assert tools["available"] is True
    by_id = {order["id"]: order for order in tools["orders"]}
    assert by_id[placed]["can_change"] and not by_id[shipped]["can_change"]
    item = by_id[placed]["items"][0]
    assert item["size"] == "M"
    assert len(tools["invoices"]) == 2

    change = {
        "order_id": placed,
        "item_id": item["id"],
        "size": "L",
        "reason": "Customer wants L",
        "request_id": "r-" + uuid.uuid4().hex,
    }
    not_claimed = alice.post(f"{base}/tools/change-size", json=change)
    assert not_claimed.status_code == 403 and not_claimed.json()["error"]["code"] == "not_assigned"
    assert alice.post(f"{base}/claim").status_code == 200
    assert bob.post(f"{base}/tools/change-size", json=change).status_code == 403
    assert alice.post(f"{base}/tools/change-size", json={**change, "reason": ""}).status_code == 422
    done = alice.post(f"{base}/tools/change-size", json=change)
    assert done.status_code == 200, done.text
    assert done.json()["done"] == f"Test item on order #{placed} is now size L."
    again = alice.post(f"{base}/tools/change-size", json=change)  # the same confirmation: acts once
    assert again.status_code == 200
    ticket = sqlite_backend.get(f"/v1/tickets/{ticket_id}").json()
    assert sum(1 for m in ticket["messages"] if m["author"] == "system") == 1
    now = {order["id"]: order for order in alice.get(f"{base}/tools").json()["orders"]}
    assert now[placed]["items"][0]["size"] == "L" and now[shipped]["items"][0]["size"] == "S"

    shipped_item = by_id[shipped]["items"][0]
    refused = alice.post(
        f"{base}/tools/change-size",
        json={
            **change,
            "order_id": shipped,
            "item_id": shipped_item["id"],
            "request_id": "r-" + uuid.uuid4().hex,
        },
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "order_already_shipped"
    refund = alice.post(
        f"{base}/tools/refund",
        json={"order_id": placed, "reason": "Goodwill", "request_id": "r-" + uuid.uuid4().hex},
    )
    assert refund.status_code == 422 and refund.json()["error"]["code"] == "order_not_delivered"
    invoice_id = tools["invoices"][0]["id"]
    sent = alice.post(
        f"{base}/tools/resend-invoice",
        json={"invoice_id": invoice_id, "reason": "Lost the email", "request_id": "r-" + uuid.uuid4().hex},
    )
    assert sent.status_code == 200 and sent.json()["done"].startswith(f"Invoice {invoice_id} sent to ")
    cancelled = alice.post(
        f"{base}/tools/cancel-order",
        json={"order_id": placed, "reason": "Changed their mind", "request_id": "r-" + uuid.uuid4().hex},
    )
    assert cancelled.json() == {"done": f"Order #{placed} is cancelled."}

    trail = alice.get(f"{console.base_url}/api/audit").json()["items"]
    mine = [
        (e["actor"], e["action"], e["details"])
        for e in reversed(trail)
        if e["ticket_id"] == ticket_id and e["action"] != "claim"
    ]
    wants = f"to size L: not_assigned. Reason: {change['reason']}"
    assert mine == [
        ("alice", "tool_refused", f"change_size order {placed} item {item['id']} {wants}"),
        ("bob", "tool_refused", f"change_size order {placed} item {item['id']} {wants}"),
        ("alice", "change_size", f"order {placed} item {item['id']} to size L. Reason: Customer wants L"),
        ("alice", "change_size", f"order {placed} item {item['id']} to size L. Reason: Customer wants L"),
        (
            "alice",
            "tool_refused",
            f"change_size order {shipped} item {shipped_item['id']} to size L: order_already_shipped. "
            "Reason: Customer wants L",
        ),
        (
            "alice",
            "tool_refused",
            f"refund order {placed}: everything refundable: order_not_delivered. Reason: Goodwill",
        ),
        ("alice", "resend_invoice", f"invoice {invoice_id}. Reason: Lost the email"),
        ("alice", "cancel_order", f"order {placed}. Reason: Changed their mind"),
    ]


def test_no_tools_for_an_unverified_claim(console: ConsoleServer, sqlite_backend: BackendServer) -> None:
    ticket_id = handoff(sqlite_backend, "someone@example.org")
    answer = console.login("alice").get(f"{console.base_url}/api/tickets/{ticket_id}/tools")
    assert answer.json() == {"available": False, "orders": [], "invoices": []}
