"""New conversations go to a person at once while a store API's breaker is open, and only then."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_queue
from actions.backend import backend
from actions.session import ActionSessionStart
from clients.http import ServiceUnavailable
from common.telemetry import DEGRADED
from tests.actions.conftest import clear_caches, responses, tracker
from tests.support import BackendServer


def start_session() -> tuple:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker(), {}))
    return dispatcher, events


def test_a_healthy_backend_gets_the_bot(live_backend: BackendServer) -> None:
    dispatcher, events = start_session()
    assert responses(dispatcher) == []
    assert [event["event"] for event in events] == ["session_started", "action"]


def test_an_open_breaker_sends_new_conversations_to_a_person(
    live_backend: BackendServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")  # nothing listens: every call fails
    monkeypatch.setenv("BACKEND_BREAKER_FAIL_MAX", "2")
    monkeypatch.setenv("BACKEND_RETRY_ATTEMPTS", "1")
    clear_caches()
    for _ in range(2):
        with pytest.raises(ServiceUnavailable):
            backend().orders.lookup(10042, "jane@example.com")
    assert backend().failing()
    degraded_before = DEGRADED.labels("actions")._value.get()

    dispatcher, events = start_session()
    # Ticketing is down too here: the handoff waits in the local queue, and the conversation is paused anyway.
    assert responses(dispatcher) == ["utter_backend_unavailable", "utter_handoff_queued"]
    kinds = [(event["event"], event.get("name")) for event in events]
    assert kinds[0] == ("session_started", None) and kinds[1] == ("action", "action_handoff")
    assert kinds[-2:] == [("pause", None), ("action", "action_listen")], kinds
    assert ("slot", "handoff_reason") in kinds and events[kinds.index(("slot", "handoff_reason"))][
        "value"
    ] == ("backend_unavailable")
    assert [key for key, _ in handoff_queue.pending_handoffs().waiting()], "the handoff was not queued"
    assert DEGRADED.labels("actions")._value.get() == degraded_before + 1


def test_a_paused_conversation_stays_with_its_agent(
    live_backend: BackendServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("BACKEND_BREAKER_FAIL_MAX", "1")
    monkeypatch.setenv("BACKEND_RETRY_ATTEMPTS", "1")
    clear_caches()
    with pytest.raises(ServiceUnavailable):
        backend().orders.lookup(10042, "jane@example.com")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker(paused=True), {}))
    assert responses(dispatcher) == []
    assert [event["event"] for event in events] == ["session_started", "pause", "action"]
