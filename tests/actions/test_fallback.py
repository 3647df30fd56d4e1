"""Honest uncertainty: rephrase once with likely, harmless topics as buttons, then admit it and offer a person;
a sensitive flow NLU was unsure of gets a one-line yes/no question instead."""

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
    # A refund is never offered as a guess (nor small talk): only harmless topics, and a person.
    assert [button["payload"] for button in buttons] == ["/check_order_status", "/request_human"]
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


def understood(text: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "greet", "confidence": 0.99}}}


def test_an_unclear_message_counts_for_three_messages() -> None:
    # One understood message in between does not reset it: the second unclear message still gets a person.
    recent = CollectingDispatcher()
    current = tracker(
        intent="nlu_fallback",
        text="hmm",
        intent_ranking=RANKING,
        history=[fallback_message("x"), understood("hi")],
    )
    asyncio.run(ActionClarify().run(recent, current, DOMAIN))
    assert responses(recent) == ["utter_dont_know_offer_human"]
    long_ago = CollectingDispatcher()
    history = [fallback_message("x"), understood("hi"), understood("hello"), understood("hey")]
    current = tracker(intent="nlu_fallback", text="hmm", intent_ranking=RANKING, history=history)
    asyncio.run(ActionClarify().run(long_ago, current, DOMAIN))
    assert responses(long_ago) == ["utter_ask_rephrase"]


def test_an_unsure_sensitive_flow_gets_a_yes_no_question_with_no_first() -> None:
    dispatcher = CollectingDispatcher()
    ranking = [{"name": "nlu_fallback", "confidence": 0.6}, {"name": "cancel_order", "confidence": 0.55}]
    current = tracker(intent="nlu_fallback", text="cancel my flight", intent_ranking=ranking)
    current.latest_message["guarded_intent"] = "cancel_order"
    asyncio.run(ActionClarify().run(dispatcher, current, DOMAIN))
    assert responses(dispatcher) == ["utter_confirm_cancel_order"]
    flows = ("cancel_order", "request_refund", "update_account", "delete_account", "request_data_copy")
    for flow in (*flows, "reset_password"):
        buttons = DOMAIN["responses"][f"utter_confirm_{flow}"][0]["buttons"]
        assert [button["payload"] for button in buttons] == ["/deny", f"/{flow}"]


def bot_said(response: str) -> dict:
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response}}


def test_a_typed_yes_answers_the_question_the_bot_asked() -> None:
    from actions.fallback import ActionAnswerYes

    def answer(history: list) -> tuple:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(
            ActionAnswerYes().run(dispatcher, tracker(intent="affirm", text="yes", history=history), DOMAIN)
        )
        return responses(dispatcher), [e.get("name") for e in events if e.get("event") == "followup"]

    checked = [understood("cancel my thing"), bot_said("utter_confirm_cancel_order")]
    assert answer(checked) == ([], ["cancel_order_form"])
    offered = [understood("blah"), bot_said("utter_dont_know_offer_human")]
    assert answer(offered) == ([], ["action_handoff"])
    assert answer([understood("hi"), bot_said("utter_greet")]) == (["utter_what_else"], [])


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
    for response in (
        "utter_ask_cancel_order_form_confirmed",
        "utter_ask_delete_account_form_confirmed",
        "utter_ask_refund_form_confirmed",
    ):
        assert DOMAIN["responses"][response][0]["buttons"][0]["payload"] == "/deny"
