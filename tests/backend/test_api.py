"""The reference backend over HTTP, on every database in `backend_server`."""

from __future__ import annotations

import requests

from tests.support import BackendServer, Factory, new_key, verified


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
    unverified = backend_server.post(
        f"/v1/orders/{placed}/cancel", json={"email": customer.email}, headers={"Idempotency-Key": new_key()}
    )
    assert unverified.status_code == 403 and error_code(unverified) == "verification_required"
    assert backend_server.get(f"/v1/orders/{placed}").json()["status"] == "placed"
    token = backend_server.verify(customer.email)
    key = verified(token, new_key())
    cancelled = backend_server.post(
        f"/v1/orders/{placed}/cancel", json={"email": customer.email}, headers=key
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    refunds = backend_server.get("/v1/refunds", params={"order_id": placed}).json()["items"]
    assert [(refund["amount"], refund["status"]) for refund in refunds] == [("42.00", "pending")]

    replayed = backend_server.post(f"/v1/orders/{placed}/cancel", json={"email": customer.email}, headers=key)
    assert replayed.status_code == 200 and replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json() == cancelled.json()
    no_key = backend_server.post(
        f"/v1/orders/{shipped}/cancel", json={"email": customer.email}, headers=verified(token)
    )
    assert no_key.status_code == 400 and error_code(no_key) == "idempotency_key_required"
    refused = backend_server.post(
        f"/v1/orders/{shipped}/cancel", json={"email": customer.email}, headers=verified(token, new_key())
    )
    assert refused.status_code == 409 and error_code(refused) == "order_already_shipped"
    again = backend_server.post(
        f"/v1/orders/{placed}/cancel", json={"email": customer.email}, headers=verified(token, new_key())
    )
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
    token = backend_server.verify(customer.email)

    def refund(order_id: int, amount: str | None) -> requests.Response:
        body = {"order_id": order_id, "email": customer.email, "reason": "test"}
        if amount is not None:
            body["amount"] = amount
        return backend_server.post("/v1/refunds", json=body, headers=verified(token, new_key()))

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
    wrong_owner = backend_server.post(
        "/v1/refunds",
        json={"order_id": recent, "email": "omar@example.com"},
        headers=verified(token, new_key()),
    )
    # Another customer's email with this customer's token: refused before anyone learns who owns the order.
    assert wrong_owner.status_code == 403 and error_code(wrong_owner) == "verification_required"

    rows = backend_server.get("/v1/refunds", params={"order_id": recent}).json()["items"]
    assert sorted(row["amount"] for row in rows) == ["20.00", "30.00"]


def test_balance_and_invoice_copy_by_email(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(
        [{"status": "placed", "total_cents": 1234, "invoice_status": "open", "paid": False}],
        store_credit_cents=700,
    )
    token = backend_server.verify(customer.email)
    balance = backend_server.get(f"/v1/customers/{customer.id}/balance", headers=verified(token)).json()
    assert balance == {
        "customer_id": customer.id,
        "store_credit": "7.00",
        "amount_due": "12.34",
        "currency": "USD",
    }

    invoice_id = backend_server.get("/v1/invoices", params={"customer_id": customer.id}).json()["items"][0][
        "id"
    ]
    sent = backend_server.post(
        f"/v1/invoices/{invoice_id}/send-copy", json={"customer_id": customer.id}, headers=verified(token)
    )
    assert sent.status_code == 202 and sent.json()["sent_to"].endswith("@example.org")
    assert "***" in sent.json()["sent_to"]
    outbox = backend_server.get("/v1/outbox", params={"recipient": customer.email}).json()["items"]
    assert outbox[0]["template"] == "invoice_copy" and invoice_id in outbox[0]["body"]

    # This customer's token does not open someone else's account, whatever they ask for.
    not_theirs = backend_server.post(
        f"/v1/invoices/{invoice_id}/send-copy", json={"customer_id": 1}, headers=verified(token)
    )
    assert not_theirs.status_code == 403 and error_code(not_theirs) == "verification_required"


def test_codes_look_the_same_for_unknown_emails_and_reset_needs_verification(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer([{"status": "placed", "total_cents": 100}])
    known = backend_server.post("/v1/verifications", json={"email": customer.email})
    unknown = backend_server.post("/v1/verifications", json={"email": "nobody-here@example.org"})
    assert known.status_code == unknown.status_code == 201
    assert set(known.json()) == set(unknown.json())
    assert known.json()["sent_to"].startswith(customer.email[0] + "***@")
    assert (
        backend_server.get("/v1/outbox", params={"recipient": "nobody-here@example.org"}).json()["total"] == 0
    )

    unverified = backend_server.post("/v1/password-resets", json={"email": customer.email})
    assert unverified.status_code == 403 and error_code(unverified) == "verification_required"
    token = backend_server.verify(customer.email)
    accepted = backend_server.post(
        "/v1/password-resets", json={"email": customer.email}, headers=verified(token)
    )
    assert accepted.status_code == 202
    outbox = backend_server.get(
        "/v1/outbox", params={"recipient": customer.email, "template": "password_reset"}
    )
    assert outbox.json()["total"] == 1 and "reset-password?token=" in outbox.json()["items"][0]["body"]


def test_update_address_and_confirmed_email_change(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer([{"status": "delivered", "total_cents": 100, "delivered_days_ago": 1}])
    unverified = backend_server.patch(
        f"/v1/customers/{customer.id}", json={"address": "1 Nowhere Lane, X, 1, US"}
    )
    assert unverified.status_code == 403
    token = backend_server.verify(customer.email)
    moved = backend_server.patch(
        f"/v1/customers/{customer.id}",
        json={"address": "99 New Road, Newtown, 12345, US"},
        headers=verified(token),
    )
    assert moved.status_code == 200 and moved.json()["address"] == "99 New Road, Newtown, 12345, US"
    short_address = backend_server.patch(
        f"/v1/customers/{customer.id}", json={"address": "x"}, headers=verified(token)
    )
    assert short_address.status_code == 422

    new_email = customer.email.replace("@", ".new@")
    asked = backend_server.post(
        f"/v1/customers/{customer.id}/email-change",
        json={"new_email": new_email.upper()},
        headers=verified(token),
    )
    assert asked.status_code == 202 and asked.json()["sent_to"].endswith("***@example.org")
    # Nothing changes until the new mailbox confirms; the old address is told about the request.
    assert backend_server.get(f"/v1/customers/{customer.id}").json()["email"] == customer.email
    notice = backend_server.get(
        "/v1/outbox", params={"recipient": customer.email, "template": "email_change_requested"}
    )
    assert notice.json()["total"] == 1
    link = backend_server.get(
        "/v1/outbox", params={"recipient": new_email, "template": "email_change_confirm"}
    ).json()
    token_in_link = link["items"][0]["body"].split("confirm-email?token=")[1].split()[0]
    confirmed = backend_server.post("/v1/email-changes/confirm", json={"token": token_in_link})
    assert confirmed.status_code == 200 and confirmed.json()["email"] == new_email
    assert backend_server.get(f"/v1/customers/{customer.id}").json()["email"] == new_email
    reused = backend_server.post("/v1/email-changes/confirm", json={"token": token_in_link})
    assert reused.status_code == 410 and error_code(reused) == "link_expired"


def test_deletion_request_opens_a_ticket(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer([{"status": "placed", "total_cents": 100}])
    unverified = backend_server.post(f"/v1/customers/{customer.id}/deletion-requests", json={})
    assert unverified.status_code == 403
    token = backend_server.verify(customer.email)
    created = backend_server.post(
        f"/v1/customers/{customer.id}/deletion-requests",
        json={"conversation_id": "conv-1"},
        headers=verified(token),
    )
    assert created.status_code == 201
    ticket = backend_server.get(f"/v1/tickets/{created.json()['ticket_id']}").json()
    assert ticket["category"] == "account_deletion" and ticket["customer_id"] == customer.id
    assert ticket["conversation_id"] == "conv-1"
    other = backend_server.post("/v1/customers/999999/deletion-requests", json={}, headers=verified(token))
    assert other.status_code == 403


def test_data_copy_request_opens_one_ticket_per_key(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer([{"status": "placed", "total_cents": 100}])
    route = f"/v1/customers/{customer.id}/data-copy-requests"
    assert backend_server.post(route, json={}).status_code == 403
    token = backend_server.verify(customer.email)
    headers = {**verified(token), "Idempotency-Key": f"copy-{customer.id}"}
    created = backend_server.post(route, json={"conversation_id": "conv-2"}, headers=headers)
    assert created.status_code == 201
    ticket = backend_server.get(f"/v1/tickets/{created.json()['ticket_id']}").json()
    assert ticket["category"] == "data_copy" and ticket["priority"] == "normal"
    assert ticket["customer_id"] == customer.id and ticket["customer_email"] == customer.email
    assert ticket["conversation_id"] == "conv-2" and ticket["details"] == {"requested_via": "assistant"}
    repeated = backend_server.post(route, json={"conversation_id": "conv-2"}, headers=headers)
    assert repeated.status_code == 201 and repeated.json() == created.json()
    tickets = backend_server.get("/v1/tickets", params={"customer_id": customer.id, "category": "data_copy"})
    assert tickets.json()["total"] == 1
    other = backend_server.post("/v1/customers/999999/data-copy-requests", json={}, headers=verified(token))
    assert other.status_code == 403


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
