"""Handoff: the pause, an honest wait from the real console, reasons and priorities, loops handed over
without asking, the pause kept across session expiry, and the rating after an agent resolves."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import support_desk
from actions.csat import ActionStoreCsat, ValidateCsatForm
from actions.fallback import ActionClarify
from actions.handoff import ActionHandoff, ActionHandoffResolved
from actions.session import ActionSessionStart
from actions.tickets import ValidateComplaintForm
from actions.values import parse_rating
from tests.actions.conftest import DOMAIN, responses, slot_events, tracker, verified_slots
from tests.support import BackendServer, ConsoleServer, Factory, start_console, stop_process

PAUSE = {"event": "pause", "timestamp": None}


def run(action: Action, current: Tracker) -> tuple[CollectingDispatcher, List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    return dispatcher, asyncio.run(action.run(dispatcher, current, DOMAIN))


@pytest.fixture(scope="module")
def console_server(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ConsoleServer]:
    server = start_console(sqlite_backend, tmp_path_factory.mktemp("console"))
    yield server
    stop_process(server.process)


@pytest.fixture
def live_console(
    live_backend: BackendServer, console_server: ConsoleServer, monkeypatch: pytest.MonkeyPatch
) -> ConsoleServer:
    monkeypatch.setenv("CONSOLE_URL", console_server.base_url)
    support_desk.cache_clear()
    return console_server


def fallback_turn(text: str) -> List[Dict[str, Any]]:
    return [
        {
            "event": "user",
            "text": text,
            "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.2}},
        },
        {"event": "action", "name": "action_clarify"},
        {"event": "bot", "text": "Sorry?", "metadata": {"utter_action": "utter_ask_rephrase"}},
    ]


def test_handoff_pauses_and_promises_the_wait_the_console_estimates(
    live_console: ConsoleServer, live_backend: BackendServer
) -> None:
    alice = live_console.login("alice")
    assert alice.post(f"{live_console.base_url}/api/me/status", json={"status": "available"}).ok
    dispatcher, events = run(
        ActionHandoff(), tracker(intent="request_human", text="a person please", sender_id="conv-wait")
    )
    assert responses(dispatcher) == ["utter_handoff_wait", "utter_handoff_keep_chat_open"]
    assert dispatcher.messages[0]["wait_minutes"] >= 1
    assert PAUSE in events
    ticket = live_backend.get(f"/v1/tickets/{dispatcher.messages[0]['ticket_id']}").json()
    assert ticket["priority"] == "normal" and ticket["details"]["escalation_reason"] == "user_requested"
    assert slot_events(events)["handoff_ticket_id"] == str(ticket["id"])


def test_nobody_available_is_said_honestly(live_console: ConsoleServer) -> None:
    for agent in ("alice", "bob"):
        away = live_console.login(agent).post(
            f"{live_console.base_url}/api/me/status", json={"status": "away"}
        )
        assert away.json()["agent"]["status"] == "away"
    dispatcher, events = run(
        ActionHandoff(), tracker(intent="request_human", text="human", sender_id="conv-busy")
    )
    assert responses(dispatcher) == ["utter_handoff_no_agent", "utter_handoff_keep_chat_open"]
    assert PAUSE in events
    for agent in ("alice", "bob"):
        live_console.login(agent).post(f"{live_console.base_url}/api/me/status", json={"status": "available"})


def test_sensitive_topic_is_urgent_and_said_plainly(live_backend: BackendServer) -> None:
    dispatcher, _ = run(
        ActionHandoff(),
        tracker(
            intent="sensitive_topic", text="someone used my card to order things", sender_id="conv-fraud"
        ),
    )
    assert responses(dispatcher)[0] == "utter_handoff_sensitive_topic"
    ticket = live_backend.get(f"/v1/tickets/{dispatcher.messages[1]['ticket_id']}").json()
    assert ticket["priority"] == "urgent" and ticket["details"]["escalation_reason"] == "sensitive_topic"


def test_sensitive_topic_inside_a_form_stops_it_and_hands_over() -> None:
    current = tracker(
        {"requested_slot": "complaint_details", "email": "jane@example.com"},
        intent="sensitive_topic",
        text="the heater caught fire and burned my hand",
        active_loop="complaint_form",
        candidates={"complaint_details": "the heater caught fire and burned my hand"},
    )
    _, events = run(ValidateComplaintForm(), current)
    assert slot_events(events)["handoff_reason"] == "sensitive_topic"
    assert {"event": "followup", "name": "action_handoff"} in [
        {key: event.get(key) for key in ("event", "name")} for event in events
    ]


def test_a_fallback_loop_is_handed_over_without_asking() -> None:
    two_before = fallback_turn("blorp") + fallback_turn("zzz qq")
    dispatcher, events = run(
        ActionClarify(), tracker(intent="nlu_fallback", text="hmm??", history=two_before)
    )
    assert dispatcher.messages == []
    assert slot_events(events)["handoff_reason"] == "escalation_loop"
    assert {"event": "followup", "name": "action_handoff"} in [
        {key: event.get(key) for key in ("event", "name")} for event in events
    ]
    # One earlier miss is not a loop: the bot asks to rephrase.
    dispatcher, events = run(
        ActionClarify(), tracker(intent="nlu_fallback", text="hmm", history=fallback_turn("x"))
    )
    assert responses(dispatcher) == ["utter_dont_know_offer_human"]


def test_session_start_keeps_a_handed_off_conversation_paused() -> None:
    _, events = run(ActionSessionStart(), tracker({"handoff_ticket_id": "17"}, paused=True))
    assert [event["event"] for event in events] == ["session_started", "slot", "pause", "action"]
    assert slot_events(events) == {"handoff_ticket_id": "17"}
    _, events = run(ActionSessionStart(), tracker({"handoff_ticket_id": None}, paused=False))
    assert [event["event"] for event in events] == ["session_started", "action"]


def test_resolution_asks_anything_else_then_for_a_rating() -> None:
    dispatcher, events = run(ActionHandoffResolved(), tracker({"handoff_ticket_id": "5"}))
    assert responses(dispatcher) == ["utter_handoff_resolved", "utter_ask_csat_form_csat_rating"]
    assert {"event": "active_loop", "name": "csat_form"} in [
        {key: event.get(key) for key in ("event", "name")} for event in events
    ]
    assert slot_events(events)["requested_slot"] == "csat_rating"


@pytest.mark.parametrize(
    "text, rating",
    [
        ("5", 5),
        ("4 - Good", 4),
        ("I'd say three", 3),
        ("★★", 2),
        ("1/5", 1),
        ("10", None),
        ("great", None),
        ("", None),
    ],
)
def test_ratings_are_read_from_what_customers_type(text: str, rating: Any) -> None:
    assert parse_rating(text) == rating


def test_rating_is_stored_on_the_ticket(live_backend: BackendServer) -> None:
    ticket_id = live_backend.post(
        "/v1/tickets", json={"subject": "handoff", "category": "handoff", "conversation_id": "conv-csat"}
    ).json()["id"]
    current = tracker(
        {"requested_slot": "csat_rating", "handoff_ticket_id": str(ticket_id)},
        text="4 - Good",
        active_loop="csat_form",
        candidates={"csat_rating": "4 - Good"},
    )
    _, events = run(ValidateCsatForm(), current)
    assert slot_events(events)["csat_rating"] == "4"
    dispatcher, events = run(
        ActionStoreCsat(), tracker({"csat_rating": "4", "handoff_ticket_id": str(ticket_id)})
    )
    assert responses(dispatcher) == ["utter_csat_thanks"]
    assert live_backend.get(f"/v1/tickets/{ticket_id}").json()["csat_rating"] == 4
    assert slot_events(events) == {"handoff_ticket_id": None}
    dispatcher, _ = run(
        ActionStoreCsat(), tracker({"csat_rating": "skipped", "handoff_ticket_id": str(ticket_id)})
    )
    assert responses(dispatcher) == ["utter_csat_skipped"]


def test_the_ticket_summary_never_carries_the_verification_token(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    person = bot_factory.customer([{"status": "placed", "total_cents": 100}])
    secret_slots = {**verified_slots(live_backend, person.email), "form_failures": 2.0}
    dispatcher, _ = run(
        ActionHandoff(),
        tracker(secret_slots, intent="request_human", text="a person", sender_id="conv-secrets"),
    )
    ticket = live_backend.get(f"/v1/tickets/{dispatcher.messages[0]['ticket_id']}").json()
    assert secret_slots["verification_token"] not in str(ticket)
    summary = ticket["details"]["summary"]
    # Stored redacted: the address to reply to is the verified ticket's customer_email.
    assert summary["verification"] == {"verified": True, "contact": "[EMAIL]"}
    assert set(summary["filled_slots"]) == {"email", "verified_contact", "verified_customer_id"}
    assert ticket["customer_id"] == person.id


def test_after_hours_the_customer_is_told_and_the_ticket_waits(
    live_backend: BackendServer,
    bot_factory: Factory,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = bot_factory.customer([{"status": "placed", "total_cents": 100}])
    # Open one hour a week, on the day after tomorrow: closed now, whenever this runs.
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[(datetime.now(timezone.utc).weekday() + 2) % 7]
    closed = start_console(
        live_backend, tmp_path_factory.mktemp("closed-console"), SUPPORT_HOURS=f"{day}-{day} 10:00-11:00 UTC"
    )
    try:
        monkeypatch.setenv("CONSOLE_URL", closed.base_url)
        support_desk.cache_clear()
        closed.login("alice")  # an agent online does not matter outside the hours
        dispatcher, events = run(
            ActionHandoff(),
            tracker(
                verified_slots(live_backend, person.email),
                intent="request_human",
                text="human",
                sender_id="conv-night",
            ),
        )
        assert responses(dispatcher) == ["utter_handoff_after_hours", "utter_handoff_reply_by_email"]
        assert PAUSE in events
        ticket = live_backend.get(f"/v1/tickets/{dispatcher.messages[0]['ticket_id']}").json()
        assert ticket["status"] == "open" and ticket["assignee"] is None
    finally:
        stop_process(closed.process)


def test_a_code_tagged_as_an_order_number_in_passing_is_not_kept() -> None:
    from actions.billing import ValidateBalanceForm

    current = tracker(
        {"requested_slot": "verification_code", "email": "omar@example.com", "order_id": None},
        text="111111",
        active_loop="balance_form",
        candidates={"order_id": "111111", "verification_code": "111111"},
    )
    _, events = run(ValidateBalanceForm(), current)
    assert slot_events(events)["order_id"] is None
