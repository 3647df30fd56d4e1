"""Honest uncertainty: rephrase once with likely topics as buttons, then admit it and offer a person."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionClarify
from tests.actions.conftest import DOMAIN, responses, slot_events, tracker

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.5},
    {"name": "check_order_status", "confidence": 0.41},
    {"name": "greet", "confidence": 0.2},
    {"name": "request_refund", "confidence": 0.19},
]


def fallback_message(text: str) -> dict:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.5}},
    }


def test_first_fallback_offers_the_likely_intents_as_buttons() -> None:
    dispatcher = CollectingDispatcher()
    current = tracker(intent="nlu_fallback", text="my stuff thing", intent_ranking=RANKING)
    events = asyncio.run(ActionClarify().run(dispatcher, current, DOMAIN))
    assert responses(dispatcher) == ["utter_ask_rephrase"]
    buttons = dispatcher.messages[0]["buttons"]
    assert [button["payload"] for button in buttons] == [
        "/check_order_status",
        "/request_refund",
        "/request_human",
    ]
    assert buttons[0]["title"] == DOMAIN["responses"]["utter_topic_check_order_status"][0]["text"]
    assert events == []


def test_second_fallback_in_a_row_admits_it_and_offers_a_person() -> None:
    dispatcher = CollectingDispatcher()
    current = tracker(
        intent="nlu_fallback",
        text="still confusing",
        intent_ranking=RANKING,
        history=[fallback_message("my stuff thing"), {"event": "bot", "text": "Sorry, I'm not sure"}],
    )
    events = asyncio.run(ActionClarify().run(dispatcher, current, DOMAIN))
    assert responses(dispatcher) == ["utter_dont_know_offer_human"]
    assert slot_events(events) == {"handoff_reason": "low_confidence"}


def test_an_understood_message_resets_the_count() -> None:
    dispatcher = CollectingDispatcher()
    understood = {
        "event": "user",
        "text": "hi",
        "parse_data": {"intent": {"name": "greet", "confidence": 0.99}},
    }
    current = tracker(
        intent="nlu_fallback", text="hmm", intent_ranking=RANKING, history=[fallback_message("x"), understood]
    )
    asyncio.run(ActionClarify().run(dispatcher, current, DOMAIN))
    assert responses(dispatcher) == ["utter_ask_rephrase"]


def test_a_bare_order_number_gets_a_choice_of_what_to_do() -> None:
    from actions.fallback import ActionAskWhatToDo

    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskWhatToDo().run(dispatcher, tracker({"order_id": "10043"}, text="10043"), DOMAIN))
    assert responses(dispatcher) == ["utter_ask_what_to_do_with_order"]
    payloads = [
        button["payload"] for button in DOMAIN["responses"]["utter_ask_what_to_do_with_order"][0]["buttons"]
    ]
    assert payloads[0] == "/check_order_status"
    nothing = CollectingDispatcher()
    asyncio.run(ActionAskWhatToDo().run(nothing, tracker(text="hmm"), DOMAIN))
    assert responses(nothing) == ["utter_what_else"]


def test_destructive_confirmations_offer_the_safe_answer_first() -> None:
    for response in ("utter_ask_cancel_order_form_confirmed", "utter_ask_delete_account_form_confirmed"):
        assert DOMAIN["responses"][response][0]["buttons"][0]["payload"] == "/deny"
