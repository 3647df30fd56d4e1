"""Fuzzing the backend from its own OpenAPI spec (schemathesis): no 5xx, and every error is clear JSON."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests import attacks
from tests.support import TOKEN, BackendServer, start_backend, stop_backend

OUTCOMES: Counter = Counter()


@pytest.fixture(scope="module")
def fuzz_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendServer]:
    folder = tmp_path_factory.mktemp("fuzz-backend")
    server = start_backend(f"sqlite:///{folder}/backend.db", folder / "backend.log", "sqlite")
    yield server
    stop_backend(server)
    print(
        f"\nschemathesis: {sum(OUTCOMES.values())} requests, by status class: {dict(sorted(OUTCOMES.items()))}"
    )


@pytest.fixture(scope="module")
def api_schema(fuzz_backend: BackendServer):
    return schemathesis.openapi.from_url(f"{fuzz_backend.base_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.attack
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_errors_are_json(case, fuzz_backend: BackendServer) -> None:
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
    response = case.call(base_url=fuzz_backend.base_url, timeout=30)
    OUTCOMES[f"{response.status_code // 100}xx"] += 1
    attacks.record("api_fuzzing", bypasses=int(response.status_code >= 500))
    assert (
        response.status_code < 500
    ), f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"], response.text[
            :300
        ]


def test_each_service_credential_has_its_own_rate_limit(tmp_path) -> None:
    server = start_backend(
        f"sqlite:///{tmp_path}/limited.db",
        tmp_path / "backend.log",
        "sqlite",
        BACKEND_CONSOLE_RATE_LIMIT="5/minute",
        BACKEND_ACTIONS_RATE_LIMIT="5/minute",
    )
    try:
        console = [server.get("/v1/orders/10042", as_="console").status_code for _ in range(7)]
        # The console's budget is spent; the action server's is untouched by that flood.
        actions = [
            server.post(
                "/v1/orders/10042/lookup", json={"email": "jane@example.com"}, as_="actions"
            ).status_code
            for _ in range(6)
        ]
    finally:
        stop_backend(server)
    assert console == [200] * 5 + [429] * 2
    assert actions == [200] * 5 + [429]
