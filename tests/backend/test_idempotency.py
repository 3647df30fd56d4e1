"""No duplicate refund, ever: concurrent duplicates and retries after a timeout, on each database."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest

from tests import attacks
from tests.support import TOKEN, BackendServer, Factory, new_key, verified

DELIVERED = [{"status": "delivered", "total_cents": 5000, "delivered_days_ago": 2}]
CONCURRENT_REQUESTS = 50

pytestmark = pytest.mark.attack


def test_fifty_concurrent_identical_refunds_make_one_refund(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(DELIVERED)
    token, key = backend_server.verify(customer.email), new_key()
    body = {"order_id": customer.order_ids[0], "email": customer.email, "amount": "10.00"}

    def send(_: int):
        return backend_server.post("/v1/refunds", json=body, headers=verified(token, key))

    with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
        responses = list(pool.map(send, range(CONCURRENT_REQUESTS)))
    assert [response.status_code for response in responses] == [201] * CONCURRENT_REQUESTS
    assert len({response.json()["id"] for response in responses}) == 1
    assert sum(response.headers.get("Idempotent-Replayed") == "true" for response in responses) == 49
    refunds = backend_server.get("/v1/refunds", params={"order_id": customer.order_ids[0]}).json()
    attacks.record(
        "concurrent_duplicate_refunds", attempts=CONCURRENT_REQUESTS, duplicates=refunds["total"] - 1
    )
    assert refunds["total"] == 1


def test_fifty_concurrent_full_refunds_with_different_keys_refund_once(
    backend_server: BackendServer, factory: Factory
) -> None:
    # Different keys are different requests: the refund policy, under a row lock, must still allow one only.
    customer = factory.customer(DELIVERED)
    token = backend_server.verify(customer.email)
    body = {"order_id": customer.order_ids[0], "email": customer.email}

    def send(_: int):
        return backend_server.post("/v1/refunds", json=body, headers=verified(token, new_key()))

    with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
        statuses = sorted(response.status_code for response in pool.map(send, range(CONCURRENT_REQUESTS)))
    assert statuses == [201] + [422] * (CONCURRENT_REQUESTS - 1)
    refunds = backend_server.get("/v1/refunds", params={"order_id": customer.order_ids[0]}).json()
    attacks.record(
        "concurrent_duplicate_refunds", attempts=CONCURRENT_REQUESTS, duplicates=refunds["total"] - 1
    )
    assert refunds["total"] == 1 and refunds["items"][0]["amount"] == "50.00"


def test_retry_after_a_client_timeout_replays_instead_of_refunding_again(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(DELIVERED)
    token, key = backend_server.verify(customer.email), new_key()
    body = json.dumps({"order_id": customer.order_ids[0], "email": customer.email, "amount": "5.00"})
    url = urlparse(backend_server.base_url)
    # The first attempt: the request is sent in full, then the client gives up without reading the answer.
    request = (
        f"POST /v1/refunds HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"X-Verification-Token: {token}\r\nIdempotency-Key: {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    )
    with socket.create_connection((url.hostname, url.port), timeout=5) as connection:
        connection.sendall(request.encode())
        connection.settimeout(0.001)
        with contextlib.suppress(TimeoutError):
            connection.recv(1)
    # The server finishes the abandoned request on its own; the client retries once it has (on a loaded
    # machine a retry sent at once could overtake the first attempt and be the first evaluation itself).
    deadline = time.monotonic() + 15
    while backend_server.get("/v1/refunds", params={"order_id": customer.order_ids[0]}).json()["total"] == 0:
        assert time.monotonic() < deadline, "the abandoned request never completed"
        time.sleep(0.05)
    retries = [
        backend_server.post("/v1/refunds", json=json.loads(body), headers=verified(token, key))
        for _ in range(3)
    ]
    assert all(retry.status_code == 201 for retry in retries)
    # Every retry is the first attempt's answer replayed, not a second evaluation.
    assert all(retry.headers.get("Idempotent-Replayed") == "true" for retry in retries)
    assert len({retry.json()["id"] for retry in retries}) == 1
    assert backend_server.get("/v1/refunds", params={"order_id": customer.order_ids[0]}).json()["total"] == 1


def test_a_key_reused_for_a_different_request_is_rejected(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(DELIVERED)
    token, key = backend_server.verify(customer.email), new_key()
    first = {"order_id": customer.order_ids[0], "email": customer.email, "amount": "1.00"}
    assert backend_server.post("/v1/refunds", json=first, headers=verified(token, key)).status_code == 201
    different = backend_server.post(
        "/v1/refunds", json={**first, "amount": "2.00"}, headers=verified(token, key)
    )
    assert different.status_code == 422 and different.json()["error"]["code"] == "idempotency_key_reused"
    assert backend_server.get("/v1/refunds", params={"order_id": customer.order_ids[0]}).json()["total"] == 1


def test_refusals_are_replayed_too(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer([{"status": "delivered", "total_cents": 5000, "delivered_days_ago": 40}])
    token, key = backend_server.verify(customer.email), new_key()
    body = {"order_id": customer.order_ids[0], "email": customer.email, "amount": "1.00"}
    first = backend_server.post("/v1/refunds", json=body, headers=verified(token, key))
    again = backend_server.post("/v1/refunds", json=body, headers=verified(token, key))
    assert first.status_code == again.status_code == 422
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
