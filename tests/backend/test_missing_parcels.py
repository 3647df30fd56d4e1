"""Missing-parcel claims and refund quotes over HTTP: the policy as written in data/kb, ownership, replays."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

import pytest
import requests

from backend.orders.policy import CLAIM_WINDOW, LATE_AFTER, decide_missing_parcel_claim
from tests.support import BackendServer, Factory, new_key, verified

NOW = datetime(2026, 6, 1, 12, 0, 0)


@pytest.mark.parametrize(
    ("status", "delivered_at", "estimated", "code"),
    [
        ("delivered", NOW - timedelta(days=1), None, "delivered_not_received"),
        ("delivered", NOW - CLAIM_WINDOW, None, "delivered_not_received"),
        ("delivered", NOW - CLAIM_WINDOW - timedelta(seconds=1), None, "claim_window_expired"),
        ("shipped", None, NOW - LATE_AFTER, "late_in_transit"),
        ("shipped", None, NOW - LATE_AFTER + timedelta(hours=1), "in_transit"),
        ("shipped", None, None, "in_transit"),
        ("placed", None, NOW + timedelta(days=3), "order_not_shipped"),
        ("cancelled", None, None, "order_cancelled"),
    ],
)
def test_claim_policy_rules(
    status: str, delivered_at: Optional[datetime], estimated: Optional[datetime], code: str
) -> None:
    decision = decide_missing_parcel_claim(
        order_status=status, delivered_at=delivered_at, estimated_delivery=estimated, now=NOW
    )
    assert decision.code == code
    assert decision.eligible == (code in ("delivered_not_received", "late_in_transit"))


def test_the_policy_text_and_the_code_agree() -> None:
    from common.paths import REPO_ROOT

    article = (REPO_ROOT / "data" / "kb" / "missing-parcel.md").read_text()
    assert f"within {CLAIM_WINDOW.days} days of the delivery date" in article
    assert f"{LATE_AFTER.days} days after its estimated delivery date" in article


def error_code(response: requests.Response) -> str:
    return response.json()["error"]["code"]


def test_a_missing_parcel_claim_opens_one_ticket_with_the_carrier_details(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(
        [
            {"status": "delivered", "total_cents": 4000, "delivered_days_ago": 2},
            {"status": "delivered", "total_cents": 4000, "delivered_days_ago": 45},
            {"status": "shipped", "total_cents": 4000},
            {"status": "shipped", "total_cents": 4000, "estimated_days_ago": 5},
            {"status": "placed", "total_cents": 4000},
        ]
    )
    recent, old, on_its_way, late, not_shipped = customer.order_ids

    def claim(order_id: int, key: str, email: str = customer.email) -> requests.Response:
        return backend_server.post(
            f"/v1/orders/{order_id}/missing-parcel-claims",
            json={
                "email": email,
                "conversation_id": "wc-claim",
                "messages": [{"author": "customer", "body": "it says delivered but I never got it"}],
            },
            headers={"Idempotency-Key": key},
            as_="actions",
        )

    key = new_key()
    first = claim(recent, key)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["reason"] == "delivered_not_received"
    assert body["carrier"] == "UPS" and body["tracking_number"] == f"1ZTEST{recent}"
    replay = claim(recent, key)
    assert replay.json()["ticket_id"] == body["ticket_id"]

    ticket = backend_server.get(f"/v1/tickets/{body['ticket_id']}").json()
    assert ticket["category"] == "missing_parcel" and ticket["priority"] == "high"
    assert ticket["details"]["tracking_number"] == f"1ZTEST{recent}"
    assert ticket["customer_id"] is None  # an order number and its email are a lookup, not a verification
    assert ticket["messages"][0]["body"] == "it says delivered but I never got it"

    assert claim(late, new_key()).json()["reason"] == "late_in_transit"
    for order_id, code in (
        (old, "claim_window_expired"),
        (on_its_way, "in_transit"),
        (not_shipped, "order_not_shipped"),
    ):
        refused = claim(order_id, new_key())
        assert refused.status_code == 409 and error_code(refused) == code, refused.text
    in_transit = claim(on_its_way, new_key()).json()["error"]["details"]
    # The date from which the parcel counts as missing: 3 days after its estimated delivery.
    assert in_transit["claim_from"] > in_transit["claim_from"][:10]
    stranger = claim(recent, new_key(), email="someone-else@example.org")
    assert stranger.status_code == 404 and error_code(stranger) == "order_not_found"


def test_a_refund_quote_shows_the_total_and_what_is_left_only_to_the_verified_owner(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(
        [
            {"status": "delivered", "total_cents": 5990, "delivered_days_ago": 3},
            {"status": "shipped", "total_cents": 1000},
        ]
    )
    delivered, shipped = customer.order_ids
    other = factory.customer([{"status": "delivered", "total_cents": 100, "delivered_days_ago": 1}])

    def quote(order_id: int, token: str | None, email: str = customer.email) -> requests.Response:
        return backend_server.post(
            f"/v1/orders/{order_id}/refund-quote",
            json={"email": email},
            headers=verified(token) if token else None,
            as_="actions",
        )

    assert error_code(quote(delivered, None)) == "verification_required"
    token = backend_server.verify(customer.email)
    fresh = quote(delivered, token).json()
    assert fresh["order_total"] == "59.90" and fresh["refundable"] == "59.90" and fresh["eligible"] is True
    created = backend_server.post(
        "/v1/refunds",
        json={"order_id": delivered, "email": customer.email, "amount": "20.00", "reason": "zip broken"},
        headers=verified(token, new_key()),
        as_="actions",
    )
    assert created.status_code == 201 and created.json()["reason"] == "zip broken"
    after = quote(delivered, token).json()
    assert (after["already_refunded"], after["refundable"]) == ("20.00", "39.90")
    not_yet = quote(shipped, token).json()
    assert not_yet["eligible"] is False and not_yet["code"] == "order_not_delivered"
    assert not_yet["refundable"] == "0.00"
    # This customer's token does not open another customer's order, and says nothing about who owns it.
    foreign = quote(other.order_ids[0], token, email=other.email)
    assert foreign.status_code == 403 and error_code(foreign) == "verification_required"
