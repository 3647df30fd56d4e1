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


def test_an_item_swap_offers_the_catalogue_acts_at_the_same_price_and_is_audited(
    console: ConsoleServer, sqlite_backend: BackendServer
) -> None:
    person = Factory(sqlite_backend, order_id_base=410_000).customer(
        [{"status": "placed", "total_cents": 1500, "size": "M"}]
    )
    (placed,) = person.order_ids
    ticket_id = handoff(sqlite_backend, person.email, person.id)
    alice = console.login("alice")
    base = f"{console.base_url}/api/tickets/{ticket_id}"
    assert alice.post(f"{base}/claim").status_code == 200
    tools = alice.get(f"{base}/tools").json()
    item = tools["orders"][0]["items"][0]
    assert item["unit_price"] == "15.00"
    tee = next(p for p in tools["products"] if p["sku"] == "SKU-TEE-16")
    assert (tee["unit_price"], tee["currency"]) == ("15.00", "USD") and "L" in tee["sizes"]

    swap = {
        "order_id": placed,
        "item_id": item["id"],
        "sku": "SKU-LAMP-18",
        "reason": "Customer prefers linen",
        "request_id": "r-" + uuid.uuid4().hex,
    }
    dearer = alice.post(f"{base}/tools/swap-item", json=swap)
    assert dearer.status_code == 422 and dearer.json()["error"]["code"] == "price_differs"
    done = alice.post(
        f"{base}/tools/swap-item",
        json={**swap, "sku": tee["sku"], "size": "L", "request_id": "r-2" + "a" * 8},
    )
    assert done.status_code == 200, done.text
    assert (
        done.json()["done"] == f"The item on order #{placed} is now Linen T-shirt, size L, at the same price."
    )
    stored = sqlite_backend.get(f"/v1/orders/{placed}").json()
    assert (stored["items"][0]["sku"], stored["total"]) in (("SKU-TEE-16", "15.00"), ("SKU-TEE-16", 15.0))

    trail = alice.get(f"{console.base_url}/api/audit").json()["items"]
    mine = [(e["action"], e["details"]) for e in reversed(trail) if e["ticket_id"] == ticket_id]
    assert mine[1:] == [
        (
            "tool_refused",
            f"swap_item order {placed} item {item['id']} to SKU-LAMP-18: price_differs. "
            "Reason: Customer prefers linen",
        ),
        (
            "swap_item",
            f"order {placed} item {item['id']} to SKU-TEE-16 size L. Reason: Customer prefers linen",
        ),
    ]
