"""An agent acting for a customer (backend/assist/): the console's credential, only on its own open ticket's
verified customer, under the bot's policies, idempotent, and noted on the ticket."""

from __future__ import annotations

import uuid
from typing import Any, Dict, Optional

import pytest
import requests

from backend.orders.policy import decide_item_change
from tests.support import BackendServer, Factory, MadeCustomer, new_key


@pytest.mark.parametrize(
    ("status", "allowed", "code"),
    [
        ("placed", True, "changeable"),
        ("shipped", False, "order_already_shipped"),
        ("delivered", False, "order_already_delivered"),
        ("cancelled", False, "order_already_cancelled"),
    ],
)
def test_item_change_policy(status: str, allowed: bool, code: str) -> None:
    decision = decide_item_change(order_status=status)
    assert (decision.allowed, decision.code) == (allowed, code)


def claimed_ticket(server: BackendServer, customer_id: Optional[int], agent: str = "alice") -> int:
    created = server.post(
        "/v1/tickets",
        json={
            "subject": "Size swap",
            "category": "handoff",
            "customer_id": customer_id,
            "customer_email": "someone@example.org",
            "conversation_id": f"assist-{uuid.uuid4().hex[:8]}",
        },
    )
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    claimed = server.post(f"/v1/tickets/{ticket_id}/claim", json={"agent": agent}, as_="console")
    assert claimed.status_code == 200, claimed.text
    return ticket_id


def act(
    server: BackendServer, path: str, body: Dict[str, Any], key: Optional[str] = None, as_: str = "console"
) -> requests.Response:
    return server.post(path, json=body, headers={"Idempotency-Key": key or new_key()}, as_=as_)


def item_of(server: BackendServer, order_id: int) -> Dict[str, Any]:
    return server.get(f"/v1/orders/{order_id}", as_="console").json()["items"][0]


def notes(server: BackendServer, ticket_id: int) -> list:
    ticket = server.get(f"/v1/tickets/{ticket_id}", as_="console").json()
    return [m["body"] for m in ticket["messages"] if m["author"] == "system"]


@pytest.fixture
def person(factory: Factory) -> MadeCustomer:
    return factory.customer(
        [
            {"status": "placed", "total_cents": 3000, "size": "M"},
            {"status": "shipped", "total_cents": 2000, "size": "S"},
            {"status": "delivered", "total_cents": 5000, "delivered_days_ago": 2},
            {"status": "placed", "total_cents": 1000},
        ]
    )


def test_a_size_change_applies_before_shipping_and_is_refused_after(
    backend_server: BackendServer, person: MadeCustomer
) -> None:
    placed, shipped, _delivered, _other = person.order_ids
    ticket_id = claimed_ticket(backend_server, person.id)
    item = item_of(backend_server, placed)
    assert item["size"] == "M"
    path = f"/v1/tickets/{ticket_id}/assist/orders/{placed}/items/{item['id']}/size"
    body = {"agent": "alice", "reason": "Customer asked for a larger size", "size": "L"}
    key = new_key()
    changed = act(backend_server, path, body, key)
    assert changed.status_code == 200, changed.text
    assert changed.json()["items"][0]["size"] == "L" and item_of(backend_server, placed)["size"] == "L"
    replayed = act(backend_server, path, body, key)
    assert replayed.headers.get("Idempotent-Replayed") == "true" and replayed.json() == changed.json()
    assert notes(backend_server, ticket_id) == [
        f"alice changed Test item on order {placed} to size L. Reason: Customer asked for a larger size"
    ]

    shipped_item = item_of(backend_server, shipped)
    refused = act(
        backend_server,
        f"/v1/tickets/{ticket_id}/assist/orders/{shipped}/items/{shipped_item['id']}/size",
        {**body, "size": "XL"},
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "order_already_shipped"
    assert item_of(backend_server, shipped)["size"] == "S"
    assert len(notes(backend_server, ticket_id)) == 1


def test_only_the_assignee_of_an_open_verified_ticket_may_act_on_its_customers_orders(
    backend_server: BackendServer, factory: Factory, person: MadeCustomer
) -> None:
    placed = person.order_ids[0]
    stranger = factory.customer([{"status": "placed", "total_cents": 900}])
    ticket_id = claimed_ticket(backend_server, person.id)
    cancel = {"agent": "alice", "reason": "Customer changed their mind"}
    path = f"/v1/tickets/{ticket_id}/assist/orders/{placed}/cancel"
    wrong_agent = act(backend_server, path, {**cancel, "agent": "bob"})
    assert wrong_agent.status_code == 403 and wrong_agent.json()["error"]["code"] == "not_assigned"
    other_order = act(
        backend_server, f"/v1/tickets/{ticket_id}/assist/orders/{stranger.order_ids[0]}/cancel", cancel
    )
    assert other_order.status_code == 404
    bot = act(backend_server, path, cancel, as_="actions")
    assert bot.status_code == 403 and bot.json()["error"]["code"] == "scope_required"
    no_reason = act(backend_server, path, {"agent": "alice", "reason": " "})
    assert no_reason.status_code == 422
    unverified = claimed_ticket(backend_server, None)
    refused = act(backend_server, f"/v1/tickets/{unverified}/assist/orders/{placed}/cancel", cancel)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "customer_not_verified"
    assert backend_server.get(f"/v1/orders/{placed}", as_="console").json()["status"] == "placed"

    cancelled = act(backend_server, path, cancel)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = act(backend_server, path, cancel)
    assert again.status_code == 409 and again.json()["error"]["code"] == "order_already_cancelled"
    refunds = backend_server.get("/v1/refunds", params={"order_id": placed}, as_="console").json()["items"]
    assert [r["amount"] for r in refunds] == ["30.00"]  # paid, so refunded on cancelling


def test_refunds_follow_the_refund_policy_and_invoice_copies_go_to_the_address_on_file(
    backend_server: BackendServer, factory: Factory, person: MadeCustomer
) -> None:
    placed, _shipped, delivered, _other = person.order_ids
    ticket_id = claimed_ticket(backend_server, person.id)
    path = f"/v1/tickets/{ticket_id}/assist/refunds"
    reason = "Arrived damaged"
    early = act(backend_server, path, {"agent": "alice", "reason": reason, "order_id": placed})
    assert early.status_code == 422 and early.json()["error"]["code"] == "order_not_delivered"
    too_much = act(
        backend_server, path, {"agent": "alice", "reason": reason, "order_id": delivered, "amount": "60.00"}
    )
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "amount_exceeds_refundable"
    made = act(
        backend_server, path, {"agent": "alice", "reason": reason, "order_id": delivered, "amount": "20.00"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["amount"] == "20.00" and made.json()["reason"] == reason

    invoices = backend_server.get("/v1/invoices", params={"customer_id": person.id}, as_="console").json()[
        "items"
    ]
    invoice_id = invoices[0]["id"]
    sent = act(
        backend_server,
        f"/v1/tickets/{ticket_id}/assist/invoices/{invoice_id}/send-copy",
        {"agent": "alice", "reason": "Lost the email"},
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["invoice_id"] == invoice_id and "*" in sent.json()["sent_to"]
    outbox = backend_server.get("/v1/outbox", params={"recipient": person.email, "template": "invoice_copy"})
    assert len(outbox.json()["items"]) == 1
    stranger = factory.customer([{"status": "delivered", "total_cents": 900, "delivered_days_ago": 1}])
    theirs = backend_server.get("/v1/invoices", params={"customer_id": stranger.id}, as_="console").json()[
        "items"
    ]
    refused = act(
        backend_server,
        f"/v1/tickets/{ticket_id}/assist/invoices/{theirs[0]['id']}/send-copy",
        {"agent": "alice", "reason": "Lost the email"},
    )
    assert refused.status_code == 404
    assert [n.split(". Reason:")[0] for n in notes(backend_server, ticket_id)] == [
        f"alice refunded 20.00 USD on order {delivered}",
        f"alice sent a copy of invoice {invoice_id}",
    ]
