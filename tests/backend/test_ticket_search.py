"""Searching tickets for the console's history: each filter narrows, and they combine."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Optional

from backend.customers.models import Customer
from common.database import utcnow
from tests.support import BackendServer


def account(server: BackendServer, email: str) -> int:
    with server.session_factory() as session:
        customer = Customer(name="Search Person", email=email)
        session.add(customer)
        session.commit()
        return int(customer.id)


def make(server: BackendServer, email: str, reason: str, subject: str, customer_id: Optional[int]) -> int:
    created = server.post(
        "/v1/tickets",
        json={
            "subject": subject,
            "category": "handoff",
            "customer_id": customer_id,
            "customer_email": email,
            "details": {"escalation_reason": reason, "summary": {"note": "100%_done"}},
        },
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


def ids(server: BackendServer, **params: object) -> list:
    answer = server.get("/v1/tickets", params={"page_size": 100, **params}, as_="console")
    assert answer.status_code == 200, answer.text
    return [ticket["id"] for ticket in answer.json()["items"]]


def test_history_filters(backend_server: BackendServer) -> None:
    tag = uuid.uuid4().hex[:8]
    ann, ben = f"ann-{tag}@example.org", f"ben-{tag}@example.org"
    ann_id, ben_id = account(backend_server, ann), account(backend_server, ben)
    a = make(backend_server, ann, "user_requested", f"Size swap {tag}", ann_id)
    b = make(backend_server, ben, "low_confidence", f"Where is my parcel {tag}", ben_id)
    c = make(backend_server, ann, "low_confidence", f"Refund {tag}", ann_id)
    # Unverified: the typed address is kept only masked ("a***@example.org"), so it is not found by it.
    make(backend_server, ann, "low_confidence", f"Unverified {tag}", None)
    assert ids(backend_server, customer_email=f"ANN-{tag}") == [c, a]
    assert ids(backend_server, customer_email=tag, reason="low_confidence") == [c, b]
    assert ids(backend_server, q=f"parcel {tag}") == [b]
    assert ids(backend_server, q=f"#{a}", customer_email=tag) == [a]
    assert (
        ids(backend_server, q="100%") == []
    )  # a wildcard is matched literally, and details are not searched
    assert ids(backend_server, customer_email=tag, id=[a, b]) == [b, a]
    now = utcnow()
    assert ids(backend_server, customer_email=tag, created_from=(now - timedelta(hours=1)).isoformat()) == [
        c,
        b,
        a,
    ]
    assert ids(backend_server, customer_email=tag, created_to=(now - timedelta(hours=1)).isoformat()) == []
    assert ids(backend_server, customer_email=tag, status="solved") == []
    bad = backend_server.get("/v1/tickets", params={"reason": "made_up"}, as_="console")
    assert bad.status_code == 422
    too_big = backend_server.get("/v1/tickets", params={"id": [a, 2**40]}, as_="console")
    assert too_big.status_code == 422 and too_big.json()["error"]["code"] == "validation_error"
