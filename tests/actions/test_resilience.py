"""Faults between the action server and the backend: timeouts, 500s, an open breaker, ticketing down."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_queue
from actions.handoff import ActionHandoff
from actions.orders import ActionCheckOrderStatus
from clients.backend.orders import OrdersClient
from clients.backend.ticketing import NewTicket, TicketingClient
from clients.http import HttpTransport, ServiceUnavailable
from common.settings import ServiceEndpoint
from tests.actions.conftest import DOMAIN, clear_caches, responses, slot_events, tracker
from tests.fault_proxy import FaultProxy
from tests.support import TOKENS, BackendServer
from tools.stack import free_port


@pytest.fixture
def proxy(sqlite_backend: BackendServer) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(sqlite_backend.base_url)
    yield fault_proxy
    fault_proxy.close()


def settings(url: str, **overrides) -> ServiceEndpoint:
    values = dict(
        base_url=url,
        token=TOKENS["actions"],
        connect_timeout=0.5,
        read_timeout=0.5,
        retry_attempts=3,
        breaker_fail_max=5,
        breaker_reset_seconds=1.0,
    )
    values.update(overrides)
    return ServiceEndpoint(**values)


def transport(endpoint: ServiceEndpoint) -> HttpTransport:
    return HttpTransport(endpoint, service="store backend")


def test_slow_backend_times_out_and_idempotent_calls_retry_a_bounded_number_of_times(
    proxy: FaultProxy,
) -> None:
    proxy.mode, proxy.delay = "slow", 2.0
    orders = OrdersClient(transport(settings(proxy.url)))
    with pytest.raises(ServiceUnavailable):
        orders.lookup(10042, "jane@example.com")  # a POST without a key: not retried
    assert proxy.requests_seen == 1
    with pytest.raises(ServiceUnavailable):
        orders.cancel(
            10044, "jane@example.com", verification_token="x", idempotency_key="k-slow"
        )  # keyed: retried
    assert proxy.requests_seen == 1 + 3


def test_server_errors_are_retried_then_reported(proxy: FaultProxy) -> None:
    proxy.mode = "error"
    ticketing = TicketingClient(transport(settings(proxy.url, retry_attempts=3)))
    with pytest.raises(ServiceUnavailable):
        ticketing.create_ticket(NewTicket(subject="x", category="general"), idempotency_key="k-500")
    assert proxy.requests_seen == 3


def test_breaker_opens_then_closes_again(proxy: FaultProxy) -> None:
    import time

    proxy.mode = "error"
    orders = OrdersClient(transport(settings(proxy.url, retry_attempts=1, breaker_fail_max=3)))
    for _ in range(3):
        with pytest.raises(ServiceUnavailable):
            orders.lookup(10042, "jane@example.com")
    seen = proxy.requests_seen
    with pytest.raises(ServiceUnavailable, match="circuit open"):
        orders.lookup(10042, "jane@example.com")
    assert proxy.requests_seen == seen  # open: the dead backend is not even asked
    assert orders.breaker.current_state == "open"

    proxy.mode = "pass"
    time.sleep(1.2)  # the breaker's reset timeout (1 s here): the next call is a trial
    assert orders.lookup(10042, "jane@example.com").id == 10042
    assert orders.breaker.current_state == "closed"


@pytest.fixture
def backend_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("FRONTDESK_ENV", "development")
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("BACKEND_ACTIONS_TOKEN", TOKENS["actions"])
    monkeypatch.setenv("BACKEND_CONNECT_TIMEOUT", "0.3")
    monkeypatch.setenv("HANDOFF_QUEUE_DATABASE_URL", f"sqlite:///{tmp_path}/queue.db")
    clear_caches()
    yield
    clear_caches()


def test_unreachable_backend_is_reported_and_routed_to_a_person(backend_down) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionCheckOrderStatus().run(
            dispatcher, tracker({"order_id": "10042", "email": "jane@example.com"}), DOMAIN
        )
    )
    assert responses(dispatcher) == ["utter_backend_unavailable"]
    assert slot_events(events)["handoff_reason"] == "backend_unavailable"
    assert {"event": "followup", "name": "action_handoff"} in [
        {"event": event["event"], "name": event.get("name")} for event in events
    ]


def test_handoff_survives_ticketing_being_down(
    backend_down, sqlite_backend: BackendServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = tracker(
        {"handoff_reason": "backend_unavailable"},
        intent="request_human",
        text="please help",
        sender_id="conv-queued",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandoff().run(dispatcher, current, DOMAIN))
    asyncio.run(ActionHandoff().run(CollectingDispatcher(), current, DOMAIN))  # Rasa retrying the same turn
    assert responses(dispatcher) == ["utter_handoff_queued"]
    waiting = handoff_queue.pending_handoffs().waiting()
    assert len(waiting) == 1 and waiting[0][1].conversation_id == "conv-queued"

    # Ticketing recovers: everything waiting is delivered, once, with its transcript and reason.
    live = TicketingClient(transport(settings(sqlite_backend.base_url)))
    assert handoff_queue.pending_handoffs().deliver(live) == 1
    assert handoff_queue.pending_handoffs().waiting() == []
    tickets = sqlite_backend.get("/v1/tickets", params={"conversation_id": "conv-queued"}).json()
    assert tickets["total"] == 1
    assert tickets["items"][0]["details"]["escalation_reason"] == "backend_unavailable"
    assert tickets["items"][0]["messages"][-1]["body"] == "please help"
    # A redelivery of the same entry (say the first answer was lost) creates nothing new.
    handoff_queue.pending_handoffs().put(waiting[0][0], waiting[0][1])
    assert handoff_queue.pending_handoffs().deliver(live) == 1
    assert sqlite_backend.get("/v1/tickets", params={"conversation_id": "conv-queued"}).json()["total"] == 1
