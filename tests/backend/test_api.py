"""The reference backend over HTTP, on every database in `backend_server`."""

from __future__ import annotations

import requests

from tests.conftest import BackendServer, Factory


def error_code(response: requests.Response) -> str:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]["code"]


def test_every_v1_route_needs_the_bearer_token(backend_server: BackendServer) -> None:
    no_token = requests.get(f"{backend_server.base_url}/v1/customers/1", timeout=5)
    wrong_token = requests.get(
        f"{backend_server.base_url}/v1/customers/1", headers={"Authorization": "Bearer nope"}, timeout=5
    )
    assert no_token.status_code == 401 and error_code(no_token) == "unauthorized"
    assert wrong_token.status_code == 401 and error_code(wrong_token) == "unauthorized"
    assert backend_server.get("/v1/customers/1").status_code == 200


def test_openapi_spec_lists_the_domains(backend_server: BackendServer) -> None:
    spec = requests.get(f"{backend_server.base_url}/openapi.json", timeout=5).json()
    paths = spec["paths"]
    for path in ("/v1/customers/{customer_id}", "/v1/orders/{order_id}/cancel", "/v1/refunds", "/v1/tickets"):
        assert path in paths
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_bad_input_is_a_json_4xx_not_a_500(backend_server: BackendServer) -> None:
    cases = [
        backend_server.post("/v1/refunds", json={"order_id": "abc", "email": "not-an-email"}),
        backend_server.post(
            "/v1/refunds", json={"order_id": 10042, "email": "jane@example.com", "amount": "-5"}
        ),
        backend_server.get("/v1/customers/99999999999999"),
        backend_server.get("/v1/orders?page=0"),
        backend_server.get("/v1/orders?page_size=1000"),
        backend_server.get("/v1/invoices/not-an-invoice"),
        backend_server.patch("/v1/customers/1", json={}),
        backend_server.post("/v1/tickets", json={"subject": "", "category": "nonsense"}),
    ]
    for response in cases:
        assert response.status_code == 422, (response.request.url, response.text)
        assert error_code(response) == "validation_error"
        assert response.json()["error"]["details"], response.text
    undecodable = requests.post(
        f"{backend_server.base_url}/v1/password-resets",
        data=b"\xff\xfe not json",
        headers={**backend_server.headers(), "Content-Type": "application/json"},
        timeout=5,
    )
    assert undecodable.status_code in (400, 422) and error_code(undecodable) in (
        "bad_request",
        "validation_error",
    )


def test_lists_are_paginated(backend_server: BackendServer) -> None:
    first = backend_server.get("/v1/orders", params={"customer_id": 1, "page_size": 2}).json()
    second = backend_server.get("/v1/orders", params={"customer_id": 1, "page_size": 2, "page": 2}).json()
    assert first["total"] == second["total"] >= 4
    assert len(first["items"]) == len(second["items"]) == 2
    assert {order["id"] for order in first["items"]}.isdisjoint({order["id"] for order in second["items"]})


def test_money_is_exact_decimal_text(backend_server: BackendServer) -> None:
    order = backend_server.get("/v1/orders/10042").json()
    assert order["total"] == "59.90"
    page = backend_server.get("/v1/invoices", params={"customer_id": 1}).json()
    assert all(isinstance(invoice["amount"], str) for invoice in page["items"])


def test_order_lookup_needs_the_owners_email_and_leaks_nothing(backend_server: BackendServer) -> None:
    own = backend_server.post("/v1/orders/10042/lookup", json={"email": "JANE@example.com"})
    other = backend_server.post("/v1/orders/10042/lookup", json={"email": "omar@example.com"})
    missing = backend_server.post("/v1/orders/19999/lookup", json={"email": "jane@example.com"})
    assert own.status_code == 200 and own.json()["status"] == "delivered"
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()  # same answer whether the order exists or not


def test_cancel_only_before_shipping(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(
        [{"status": "placed", "total_cents": 4200}, {"status": "shipped", "total_cents": 1000}]
    )
    placed, shipped = customer.order_ids
    cancelled = backend_server.post(f"/v1/orders/{placed}/cancel", json={"email": customer.email})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    refunds = backend_server.get("/v1/refunds", params={"order_id": placed}).json()["items"]
    assert [(refund["amount"], refund["status"]) for refund in refunds] == [("42.00", "pending")]

    refused = backend_server.post(f"/v1/orders/{shipped}/cancel", json={"email": customer.email})
    assert refused.status_code == 409 and error_code(refused) == "order_already_shipped"
    again = backend_server.post(f"/v1/orders/{placed}/cancel", json={"email": customer.email})
    assert again.status_code == 409 and error_code(again) == "order_already_cancelled"
    assert backend_server.get(f"/v1/orders/{shipped}").json()["status"] == "shipped"


def test_refund_policy(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(
        [
            {"status": "delivered", "total_cents": 5000, "delivered_days_ago": 3},
            {"status": "delivered", "total_cents": 5000, "delivered_days_ago": 31},
            {"status": "shipped", "total_cents": 5000},
        ]
    )
    recent, old, in_transit = customer.order_ids

    def refund(order_id: int, amount: str | None) -> requests.Response:
        body = {"order_id": order_id, "email": customer.email, "reason": "test"}
        if amount is not None:
            body["amount"] = amount
        return backend_server.post("/v1/refunds", json=body)

    too_much = refund(recent, "50.01")
    assert too_much.status_code == 422 and error_code(too_much) == "amount_exceeds_refundable"
    assert too_much.json()["error"]["details"]["refundable_amount"] == "50.00"
    assert too_much.json()["error"]["details"]["policy_url"].startswith("https://")

    partial = refund(recent, "20.00")
    assert partial.status_code == 201 and partial.json()["amount"] == "20.00"
    rest = refund(recent, None)
    assert rest.status_code == 201 and rest.json()["amount"] == "30.00"
    exhausted = refund(recent, "1")
    assert exhausted.status_code == 422 and error_code(exhausted) == "already_refunded"

    assert error_code(refund(old, "10")) == "refund_window_expired"
    assert error_code(refund(in_transit, "10")) == "order_not_delivered"
    wrong_owner = backend_server.post("/v1/refunds", json={"order_id": recent, "email": "omar@example.com"})
    assert wrong_owner.status_code == 404

    rows = backend_server.get("/v1/refunds", params={"order_id": recent}).json()["items"]
    assert sorted(row["amount"] for row in rows) == ["20.00", "30.00"]


def test_balance_and_invoice_copy_by_email(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(
        [{"status": "placed", "total_cents": 1234, "invoice_status": "open", "paid": False}],
        store_credit_cents=700,
    )
    balance = backend_server.get(f"/v1/customers/{customer.id}/balance").json()
    assert balance == {
        "customer_id": customer.id,
        "store_credit": "7.00",
        "amount_due": "12.34",
        "currency": "USD",
    }

    invoice_id = backend_server.get("/v1/invoices", params={"customer_id": customer.id}).json()["items"][0][
        "id"
    ]
    sent = backend_server.post(f"/v1/invoices/{invoice_id}/send-copy", json={"customer_id": customer.id})
    assert sent.status_code == 202 and sent.json()["sent_to"].endswith("@example.org")
    assert "***" in sent.json()["sent_to"]
    outbox = backend_server.get("/v1/outbox", params={"recipient": customer.email}).json()["items"]
    assert outbox[0]["template"] == "invoice_copy" and invoice_id in outbox[0]["body"]

    not_theirs = backend_server.post(f"/v1/invoices/{invoice_id}/send-copy", json={"customer_id": 1})
    assert not_theirs.status_code == 404


def test_password_reset_answers_the_same_for_unknown_emails(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer([{"status": "placed", "total_cents": 100}])
    known = backend_server.post("/v1/password-resets", json={"email": customer.email})
    unknown = backend_server.post("/v1/password-resets", json={"email": "nobody-here@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    outbox = backend_server.get(
        "/v1/outbox", params={"recipient": customer.email, "template": "password_reset"}
    )
    assert outbox.json()["total"] == 1 and "reset-password?token=" in outbox.json()["items"][0]["body"]
    nothing = backend_server.get("/v1/outbox", params={"recipient": "nobody-here@example.org"}).json()
    assert nothing["total"] == 0


def test_identify_and_update_account(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer([{"status": "delivered", "total_cents": 100, "delivered_days_ago": 1}])
    identified = backend_server.post(
        "/v1/customers/identify", json={"email": customer.email, "order_id": customer.order_ids[0]}
    )
    assert identified.status_code == 200 and identified.json()["customer_id"] == customer.id
    mismatch = backend_server.post(
        "/v1/customers/identify", json={"email": customer.email, "order_id": 10042}
    )
    assert mismatch.status_code == 404 and error_code(mismatch) == "identity_not_confirmed"

    taken = backend_server.patch(f"/v1/customers/{customer.id}", json={"email": "jane@example.com"})
    assert taken.status_code == 409 and error_code(taken) == "email_in_use"
    new_email = customer.email.replace("@", ".new@")
    updated = backend_server.patch(
        f"/v1/customers/{customer.id}",
        json={"email": new_email.upper(), "address": "99 New Road, Newtown, 12345, US"},
    )
    assert updated.status_code == 200
    assert backend_server.get(f"/v1/customers/{customer.id}").json()["email"] == new_email
    short_address = backend_server.patch(f"/v1/customers/{customer.id}", json={"address": "x"})
    assert short_address.status_code == 422


def test_deletion_request_opens_a_ticket(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer([{"status": "placed", "total_cents": 100}])
    created = backend_server.post(
        f"/v1/customers/{customer.id}/deletion-requests", json={"conversation_id": "conv-1"}
    )
    assert created.status_code == 201
    ticket = backend_server.get(f"/v1/tickets/{created.json()['ticket_id']}").json()
    assert ticket["category"] == "account_deletion" and ticket["customer_id"] == customer.id
    assert ticket["conversation_id"] == "conv-1"
    assert backend_server.post("/v1/customers/999999/deletion-requests", json={}).status_code == 404


def test_tickets_create_reply_and_close(backend_server: BackendServer) -> None:
    created = backend_server.post(
        "/v1/tickets",
        json={
            "subject": "Help",
            "category": "handoff",
            "priority": "high",
            "conversation_id": "conv-xyz",
            "details": {"escalation_reason": "user_requested"},
            "messages": [{"author": "customer", "body": "hello"}, {"author": "bot", "body": "hi"}],
        },
    )
    assert created.status_code == 201
    ticket_id = created.json()["id"]
    replied = backend_server.post(
        f"/v1/tickets/{ticket_id}/messages", json={"author": "agent", "body": "On it"}
    )
    assert [message["author"] for message in replied.json()["messages"]] == ["customer", "bot", "agent"]
    closed = backend_server.patch(f"/v1/tickets/{ticket_id}", json={"status": "solved"})
    assert closed.json()["status"] == "solved"
    found = backend_server.get("/v1/tickets", params={"conversation_id": "conv-xyz"}).json()
    assert found["total"] == 1 and found["items"][0]["details"]["escalation_reason"] == "user_requested"
    unknown_customer = backend_server.post("/v1/tickets", json={"subject": "x", "customer_id": 987654})
    assert unknown_customer.status_code == 422
