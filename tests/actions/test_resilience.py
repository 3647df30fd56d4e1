"""When the backend cannot be reached the customer is told plainly; nothing pretends to succeed."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import backend
from actions.orders import ActionCheckOrderStatus
from actions.tickets import ActionHandoff
from tests.actions.conftest import DOMAIN, responses, slot_events, tracker
from tools.stack import free_port


@pytest.fixture
def backend_down(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("BACKEND_CONNECT_TIMEOUT", "0.5")
    backend.cache_clear()
    yield
    backend.cache_clear()


def test_unreachable_backend_is_reported_and_routed_to_a_person(backend_down) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionCheckOrderStatus().run(
            dispatcher, tracker({"order_id": "10042", "email": "jane@example.com"}), DOMAIN
        )
    )
    assert responses(dispatcher) == ["utter_backend_unavailable"]
    assert slot_events(events)["handoff_reason"] == "backend_unavailable"


def test_handoff_without_ticketing_says_so(backend_down) -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandoff().run(dispatcher, tracker(intent="request_human", text="human"), DOMAIN))
    assert responses(dispatcher) == ["utter_handoff_failed"]
