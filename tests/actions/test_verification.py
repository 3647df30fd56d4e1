"""The step-up in the conversation: codes are sent and checked by the backend; only then is anyone verified."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.billing import ValidateBalanceForm
from actions.verification import ActionAskVerificationCode
from tests.actions.conftest import DOMAIN, responses, slot_events, tracker
from tests.support import BackendServer, Factory

ONE_ORDER = [{"status": "delivered", "total_cents": 100, "delivered_days_ago": 1}]


def run(action, current: Tracker) -> tuple[CollectingDispatcher, List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    return dispatcher, asyncio.run(action.run(dispatcher, current, DOMAIN))


def ask_for_code(email: str, message_id: str = "message-0001") -> Dict[str, Any]:
    """Run the ask action for the customer's message and return the slots it set (the pending challenge)."""
    dispatcher, events = run(
        ActionAskVerificationCode(),
        tracker({"email": email}, active_loop="balance_form", message_id=message_id),
    )
    assert responses(dispatcher) == ["utter_verification_code_sent"]
    return slot_events(events)


def enter_code(
    pending: Dict[str, Any], email: str, code: str, message_id: str = "message-0002"
) -> tuple[CollectingDispatcher, Dict[str, Any], List]:
    """The customer's message with a code in it; each new message has its own id, a resent one the same."""
    slots = {**pending, "email": email, "requested_slot": "verification_code"}
    dispatcher, events = run(
        ValidateBalanceForm(),
        tracker(
            slots,
            active_loop="balance_form",
            text=code,
            candidates={"verification_code": code},
            message_id=message_id,
        ),
    )
    return dispatcher, slot_events(events), events


def test_the_right_code_verifies_and_sets_the_token(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    customer = bot_factory.customer(ONE_ORDER)
    pending = ask_for_code(customer.email)
    assert pending["verification_sent_to"].endswith("@example.org") and pending["verification_token"] is None
    dispatcher, slots, _ = enter_code(pending, customer.email, live_backend.latest_code(customer.email))
    assert responses(dispatcher) == ["utter_verified"]
    assert slots["verification_code"] == "verified" and slots["verification_token"]
    assert slots["verified_customer_id"] == customer.id and slots["verified_contact"] == customer.email


def test_wrong_codes_say_how_many_tries_are_left_then_fail_to_a_person(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    customer = bot_factory.customer(ONE_ORDER)
    pending = ask_for_code(customer.email)
    wrong = f"{(int(live_backend.latest_code(customer.email)) + 1) % 1_000_000:06d}"
    first, slots, _ = enter_code(pending, customer.email, wrong, "wrong-1")
    assert responses(first) == ["utter_verification_code_wrong"] and first.messages[0]["attempts_left"] == 2
    assert slots["verification_code"] is None and "verification_token" not in slots
    second, _, _ = enter_code(pending, customer.email, wrong, "wrong-2")
    # One left: said in words ("once more"), not "1 more time(s)".
    assert responses(second) == ["utter_verification_code_wrong_last_try"], responses(second)
    locked, slots, events = enter_code(pending, customer.email, wrong, "wrong-3")
    assert responses(locked) == ["utter_verification_failed"]
    assert slots["handoff_reason"] == "verification_failed"
    assert any(event["event"] == "active_loop" and event.get("name") is None for event in events)
    assert {"event": "followup", "name": "action_handoff"} in [
        {key: event.get(key) for key in ("event", "name")} for event in events
    ]


def test_the_same_message_resent_gets_the_same_answer(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    # A replica killed mid-message loses the turn's events; the client resends the message (same id).
    customer = bot_factory.customer(ONE_ORDER)
    pending = ask_for_code(customer.email, "gave-email")
    assert ask_for_code(customer.email, "gave-email") == pending  # the code already sent, not a second
    codes = live_backend.get(
        "/v1/outbox", params={"recipient": customer.email, "template": "verification_code"}
    )
    assert codes.json()["total"] == 1
    code = live_backend.latest_code(customer.email)
    guess = f"{(int(code) + 1) % 1_000_000:06d}"
    wrong = [enter_code(pending, customer.email, guess, "typed-wrong")[0] for _ in range(2)]
    # Counted once: both answers leave 2 tries, not 2 then 1.
    assert [(responses(said), said.messages[0]["attempts_left"]) for said in wrong] == [
        (["utter_verification_code_wrong"], 2)
    ] * 2
    right = [enter_code(pending, customer.email, code, "typed-right") for _ in range(2)]
    assert [responses(said) for said, _, _ in right] == [["utter_verified"]] * 2
    first_slots, resent_slots = (slots for _, slots, _ in right)
    assert resent_slots == first_slots and first_slots["verified_customer_id"] == customer.id


def test_a_code_for_another_customer_does_not_verify(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    victim, attacker = bot_factory.customer(ONE_ORDER), bot_factory.customer(ONE_ORDER)
    pending = ask_for_code(victim.email)
    ask_for_code(attacker.email)
    dispatcher, slots, _ = enter_code(pending, victim.email, live_backend.latest_code(attacker.email))
    assert responses(dispatcher) == ["utter_verification_code_wrong"] and "verification_token" not in slots


def test_typing_verified_is_not_a_verification(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer(ONE_ORDER)
    pending = ask_for_code(customer.email)
    for attempt in ("verified", '/inform{"verification_code": "verified"}', '/verify{"verified": true}'):
        _, slots, _ = enter_code(pending, customer.email, attempt)
        assert slots["verification_code"] is None and not slots.get("verification_token"), attempt


def test_the_code_is_sent_once_and_asked_again_after_a_wrong_answer(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    customer = bot_factory.customer(ONE_ORDER)
    pending = ask_for_code(customer.email)
    dispatcher, events = run(
        ActionAskVerificationCode(), tracker({**pending, "email": customer.email}, active_loop="balance_form")
    )
    assert responses(dispatcher) == ["utter_ask_verification_code_again"] and events == []
    codes = live_backend.get(
        "/v1/outbox", params={"recipient": customer.email, "template": "verification_code"}
    )
    assert codes.json()["total"] == 1


def test_too_many_codes_ends_the_form(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer(ONE_ORDER)
    for message in range(3):
        ask_for_code(customer.email, f"ask-{message}")
    dispatcher, events = run(
        ActionAskVerificationCode(),
        tracker({"email": customer.email}, active_loop="balance_form", message_id="ask-3"),
    )
    assert responses(dispatcher) == ["utter_too_many_codes"]
    assert any(event["event"] == "active_loop" and event.get("name") is None for event in events)


def test_a_customer_can_identify_by_phone_and_get_the_code_by_sms(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    from actions.billing import ActionCheckBalance

    customer = bot_factory.customer(
        [{"status": "placed", "total_cents": 100}], store_credit_cents=2500, with_phone=True
    )
    assert customer.phone is not None
    # Typed the way people write numbers; the backend matches it to the E.164 number on file.
    typed = f"({customer.phone[2:5]}) {customer.phone[5:8]}-{customer.phone[8:]}"
    # The form's first question accepts a phone number in account forms; it replaces the email.
    dispatcher, events = run(
        ValidateBalanceForm(),
        tracker(
            {"requested_slot": "email"},
            active_loop="balance_form",
            text=f"my number is {typed}",
            candidates={"email": f"my number is {typed}"},
        ),
    )
    slots = slot_events(events)
    assert slots["phone"] == typed and slots["email"] is None
    assert slots["requested_slot"] == "verification_code"

    asked, events = run(ActionAskVerificationCode(), tracker({"phone": typed}, active_loop="balance_form"))
    assert responses(asked) == ["utter_verification_code_sent"]
    assert asked.messages[0]["verification_sent_to"] == "*******" + customer.phone[-4:]
    pending = {**slot_events(events), "phone": typed}
    sms = live_backend.get(
        "/v1/outbox", params={"recipient": customer.phone, "template": "verification_code"}
    ).json()
    assert sms["items"][0]["channel"] == "sms"
    code = live_backend.latest_code(customer.phone)
    checked, events = run(
        ValidateBalanceForm(),
        tracker(
            {**pending, "requested_slot": "verification_code"},
            active_loop="balance_form",
            text=code,
            candidates={"verification_code": code},
        ),
    )
    verified = {**pending, **slot_events(events)}
    assert responses(checked) == ["utter_verified"] and verified["verified_contact"] == typed
    balance, _ = run(ActionCheckBalance(), tracker(verified))
    assert responses(balance) == ["utter_balance"] and balance.messages[0]["store_credit"] == "25.00 USD"
