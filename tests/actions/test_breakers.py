"""Each backend API has its own circuit breaker: orders failing does not take billing down with it."""

from __future__ import annotations

import pytest

from clients.backend import BackendApi
from clients.http import ServiceUnavailable
from common.settings import ServiceEndpoint
from tests.fault_proxy import FaultProxy
from tests.support import TOKENS, BackendServer, Factory


def test_one_apis_breaker_opens_alone(sqlite_backend: BackendServer) -> None:
    proxy = FaultProxy(sqlite_backend.base_url)
    proxy.fail_paths = {"/v1/orders/"}
    try:
        endpoint = ServiceEndpoint(proxy.url, TOKENS["actions"], 1, 2, retry_attempts=1, breaker_fail_max=2)
        api = BackendApi.connect(endpoint)
        for _ in range(2):
            with pytest.raises(ServiceUnavailable):
                api.orders.lookup(10042, "jane@example.com")
        assert api.orders.breaker.current_state == "open"
        factory = Factory(sqlite_backend, order_id_base=400_000)
        person = factory.customer([{"status": "placed", "total_cents": 100}])
        # Identity and billing still answer: their breakers are their own.
        challenge = api.identity.send_code(email=person.email, idempotency_key="breakers-send")
        assert challenge.challenge_id
        assert (
            api.identity.breaker.current_state == "closed" and api.billing.breaker.current_state == "closed"
        )
        seen = proxy.requests_seen
        with pytest.raises(ServiceUnavailable, match="circuit open"):
            api.orders.lookup(10042, "jane@example.com")
        assert proxy.requests_seen == seen  # the open breaker did not even ask
    finally:
        proxy.close()
