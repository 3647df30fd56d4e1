"""The shared form validation: clean values, re-ask hints, small talk, stopping, giving up, handing over."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ValidateUpdateAccountForm
from actions.forms import MAX_FAILED_ATTEMPTS
from actions.orders import ValidateCancelOrderForm, ValidateOrderStatusForm
from actions.refunds import ValidateRefundForm
from actions.tickets import ValidateComplaintForm
from tests.actions.conftest import DOMAIN, responses, slot_events, tracker


def validate(action, current: Tracker) -> tuple[CollectingDispatcher, List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    return dispatcher, asyncio.run(action.run(dispatcher, current, DOMAIN))


def in_form(form: str, requested: str, **kwargs: Any) -> Tracker:
    slots = {"requested_slot": requested, **kwargs.pop("slots", {})}
    return tracker(slots, active_loop=form, **kwargs)


def test_values_are_cleaned_from_free_text() -> None:
    _, events = validate(
        ValidateOrderStatusForm(),
        in_form(
            "order_status_form",
            "order_id",
            text="it's #10042 thanks",
            candidates={"order_id": "it's #10042 thanks"},
        ),
    )
    assert slot_events(events)["order_id"] == "10042"
    _, events = validate(
        ValidateOrderStatusForm(),
        in_form(
            "order_status_form",
            "email",
            text="Jane@Example.com please",
            candidates={"email": "Jane@Example.com please"},
        ),
    )
    assert slot_events(events)["email"] == "jane@example.com"


def test_invalid_value_is_re_asked_with_a_hint() -> None:
    dispatcher, events = validate(
        ValidateOrderStatusForm(),
        in_form(
            "order_status_form",
            "order_id",
            text="abc",
            candidates={"order_id": "abc"},
            slots={"form_failures": 0.0},
        ),
    )
    assert responses(dispatcher) == ["utter_invalid_order_id"]
    assert slot_events(events)["order_id"] is None and slot_events(events)["form_failures"] == 1.0
    assert not any(event.get("event") == "active_loop" for event in events)


def test_repeated_failures_end_the_form_and_offer_a_person() -> None:
    dispatcher, events = validate(
        ValidateOrderStatusForm(),
        in_form(
            "order_status_form",
            "email",
            text="no idea",
            candidates={"email": "no idea"},
            slots={"form_failures": float(MAX_FAILED_ATTEMPTS - 1)},
        ),
    )
    assert responses(dispatcher) == ["utter_invalid_email", "utter_offer_human_after_failures"]
    assert {"event": "active_loop", "name": None} in [
        {"event": event["event"], "name": event.get("name")}
        for event in events
        if event["event"] == "active_loop"
    ]
    assert slot_events(events)["handoff_reason"] == "escalation_loop"


def test_small_talk_is_answered_and_the_form_goes_on() -> None:
    dispatcher, events = validate(
        ValidateOrderStatusForm(),
        in_form(
            "order_status_form",
            "email",
            intent="bot_challenge",
            text="are you a bot?",
            candidates={"email": "are you a bot?"},
        ),
    )
    assert responses(dispatcher) == ["utter_iamabot"]
    # The question is not taken as the answer: the slot Rasa filled from it is emptied, and it is asked again.
    assert slot_events(events) == {"email": None, "form_failures": 0.0}


def test_a_value_wins_over_a_small_talk_intent() -> None:
    dispatcher, events = validate(
        ValidateOrderStatusForm(),
        in_form(
            "order_status_form",
            "order_id",
            intent="greet",
            text="hi, 10042",
            candidates={"order_id": "hi, 10042"},
        ),
    )
    assert responses(dispatcher) == []
    assert slot_events(events)["order_id"] == "10042"


def test_store_question_inside_a_form_is_answered_from_the_kb() -> None:
    dispatcher, _ = validate(
        ValidateRefundForm(),
        in_form(
            "refund_form",
            "amount",
            intent="faq",
            text="what is your return policy",
            entities=[{"entity": "faq_topic", "value": "return_policy"}],
            candidates={"amount": "what is your return policy"},
        ),
    )
    assert responses(dispatcher) == ["utter_faq_answer"]


def test_customer_can_stop_a_form() -> None:
    dispatcher, events = validate(
        ValidateCancelOrderForm(),
        in_form(
            "cancel_order_form",
            "confirmed",
            intent="stop",
            text="never mind",
            slots={"order_id": "10044", "email": "jane@example.com"},
            candidates={"confirmed": "never mind"},
        ),
    )
    assert responses(dispatcher) == ["utter_form_stopped"]
    assert slot_events(events)["requested_slot"] is None
    # "never mind" must not count as the confirmation, or the submit action would cancel the order.
    assert slot_events(events)["confirmed"] is None
    assert any(event["event"] == "active_loop" and event.get("name") is None for event in events)


def test_asking_for_a_person_inside_a_form_hands_over() -> None:
    _, events = validate(
        ValidateOrderStatusForm(),
        in_form("order_status_form", "email", intent="request_human", text="get me a human"),
    )
    assert {"event": "followup", "name": "action_handoff"} in [
        {"event": event["event"], "name": event.get("name")} for event in events
    ]
    assert slot_events(events)["handoff_reason"] == "user_requested"


def test_confirmation_follows_the_yes_no_intent() -> None:
    _, yes = validate(
        ValidateCancelOrderForm(),
        in_form(
            "cancel_order_form",
            "confirmed",
            intent="affirm",
            text="yes please",
            candidates={"confirmed": "yes please"},
        ),
    )
    assert slot_events(yes)["confirmed"] is True
    _, no = validate(
        ValidateCancelOrderForm(),
        in_form("cancel_order_form", "confirmed", intent="deny", text="no", candidates={"confirmed": "no"}),
    )
    assert slot_events(no)["confirmed"] is False
    dispatcher, unclear = validate(
        ValidateCancelOrderForm(),
        in_form(
            "cancel_order_form", "confirmed", intent="inform", text="maybe", candidates={"confirmed": "maybe"}
        ),
    )
    assert (
        responses(dispatcher) == ["utter_invalid_confirmation"] and slot_events(unclear)["confirmed"] is None
    )


def test_refund_amount_accepts_full_and_numbers_only() -> None:
    for text, expected in [("the full amount", "full"), ("$25", "25.00"), ("12,50", "12.50"), ("zero", None)]:
        _, events = validate(
            ValidateRefundForm(), in_form("refund_form", "amount", text=text, candidates={"amount": text})
        )
        assert slot_events(events)["amount"] == expected, text


def test_new_email_does_not_replace_the_identity_email() -> None:
    _, events = validate(
        ValidateUpdateAccountForm(),
        in_form(
            "update_account_form",
            "new_value",
            text="new.me@example.com",
            slots={"account_field": "email"},
            candidates={"new_value": "new.me@example.com", "email": "new.me@example.com"},
            history=[{"event": "slot", "name": "email", "value": "old.me@example.com"}],
        ),
    )
    assert slot_events(events)["new_value"] == "new.me@example.com"
    assert slot_events(events)["email"] == "old.me@example.com"


def test_an_invalid_value_for_a_slot_not_asked_keeps_the_earlier_one() -> None:
    dispatcher, events = validate(
        ValidateRefundForm(),
        in_form(
            "refund_form",
            "verification_code",
            text="104523",
            candidates={"order_id": "104523"},
            history=[{"event": "slot", "name": "order_id", "value": "10042"}],
        ),
    )
    assert responses(dispatcher) == []
    assert slot_events(events)["order_id"] == "10042"


QUOTE = {
    "order_total": "42.50",
    "already_refunded": "10.00",
    "refundable": "32.50",
    "currency": "USD",
    "eligible": True,
}


def test_inside_the_refund_form_a_question_about_the_price_is_answered_from_the_quote() -> None:
    asked = in_form(
        "refund_form",
        "amount",
        text="how much did I pay?",
        intent="check_balance",  # what NLU made of it: answered here, not switched to the balance flow
        slots={"order_id": "10042", "refund_quote": QUOTE},
        candidates={"amount": "how much did I pay?"},
    )
    dispatcher, events = validate(ValidateRefundForm(), asked)
    assert responses(dispatcher) == ["utter_refund_quote"]
    shown = dispatcher.messages[0]
    assert (shown["order_total"], shown["already_refunded"], shown["refundable_amount"]) == (
        "42.50 USD",
        "10.00 USD",
        "32.50 USD",
    )
    assert slot_events(events)["amount"] is None and not any(e.get("event") == "active_loop" for e in events)


def test_the_refund_amount_is_held_to_what_is_left_and_full_means_that() -> None:
    def answer(text: str) -> tuple:
        dispatcher, events = validate(
            ValidateRefundForm(),
            in_form(
                "refund_form",
                "amount",
                text=text,
                slots={"order_id": "10042", "refund_quote": QUOTE},
                candidates={"amount": text},
            ),
        )
        return responses(dispatcher), slot_events(events).get("amount")

    assert answer("40") == (["utter_refund_amount_over_refundable"], None)
    assert answer("everything") == ([], "32.50")
    assert answer("20") == ([], "20.00")


def test_a_plain_no_stops_a_form_but_not_where_no_is_the_answer() -> None:
    dispatcher, events = validate(
        ValidateRefundForm(),
        in_form(
            "refund_form",
            "email",
            text="no, I was only asking about the policy",
            intent="deny",
            candidates={"email": "no, I was only asking about the policy"},
        ),
    )
    assert responses(dispatcher) == ["utter_form_stopped"]
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)
    _, confirming = validate(
        ValidateRefundForm(),
        in_form("refund_form", "confirmed", text="no", intent="deny", candidates={"confirmed": "no"}),
    )
    assert slot_events(confirming)["confirmed"] is False  # the answer to "shall I go ahead?", not a stop


def test_another_request_mid_form_stops_it_and_starts_that_request() -> None:
    _, events = validate(
        ValidateCancelOrderForm(),
        in_form(
            "cancel_order_form",
            "order_id",
            text="where is my parcel?",
            intent="check_order_status",
            candidates={"order_id": "where is my parcel?"},
        ),
    )
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)
    assert [e["name"] for e in events if e.get("event") == "followup"] == ["order_status_form"]
    # Free text is the answer, whatever it sounds like: a complaint that mentions a parcel stays a complaint.
    _, kept = validate(
        ValidateComplaintForm(),
        in_form(
            "complaint_form",
            "complaint_details",
            text="my parcel never arrived and nobody answers",
            intent="report_missing_parcel",
            candidates={"complaint_details": "my parcel never arrived and nobody answers"},
        ),
    )
    assert not any(e.get("event") == "followup" for e in kept)
    assert slot_events(kept)["complaint_details"] == "my parcel never arrived and nobody answers"
