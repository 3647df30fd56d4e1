"""Conversations a new customer really has (issue 11, point 7), against the real stack over REST:
a plain "no" or another request mid-form, questions inside a form, refunds that confirm and keep the
reason, parcels that never arrived, requests we have no flow for, and unclear messages.
"""

from __future__ import annotations

from typing import List

import pytest

from tests.e2e.helpers import Customer, WebChatCustomer, active_form, backend_get, latest_code, parse
from tests.support import Factory
from tools.stack import Stack

pytestmark = pytest.mark.e2e

SENSITIVE_FLOWS = (
    "/request_refund",
    "/cancel_order",
    "/update_account",
    "/delete_account",
    "/reset_password",
)


def test_a_plain_no_stops_the_refund_form(stack: Stack, stack_people: Factory) -> None:
    person = stack_people.customer([{"status": "delivered", "total_cents": 2000, "delivered_days_ago": 2}])
    customer = Customer(stack)
    customer.say_text(f"I want a refund for order {person.order_ids[0]}")
    assert active_form(stack, customer.sender) == "refund_form"
    answer = customer.say_text("no, I don't want a refund, I just asked about the policy")
    assert "stopped" in answer and "amount" not in answer.lower(), answer
    assert active_form(stack, customer.sender) is None
    assert backend_get(stack, "/v1/refunds", order_id=person.order_ids[0])["total"] == 0


def test_another_request_mid_form_switches_to_it(stack: Stack) -> None:
    customer = Customer(stack)
    customer.say_text("I want to cancel an order")
    assert active_form(stack, customer.sender) == "cancel_order_form"
    answer = customer.say_text("actually, how do I create an account on your website?")
    assert "I can't create or switch accounts in the chat" in answer, answer
    assert "https://shop.example.com/help/account" in answer
    assert active_form(stack, customer.sender) is None


def test_how_much_did_i_pay_is_answered_inside_the_refund_form(stack: Stack, stack_people: Factory) -> None:
    person = stack_people.customer(
        [{"status": "delivered", "total_cents": 4250, "delivered_days_ago": 4}], with_phone=False
    )
    order_id = person.order_ids[0]
    customer = Customer(stack)
    customer.say_text(f"refund for order {order_id} please")
    customer.say_text(person.email)
    customer.say_text(latest_code(stack, person.email))
    answer = customer.say_text("how much did I pay?")
    # Answered from the backend (the order total and what is left), then the amount is asked again.
    assert "You paid 42.50 USD for order" in answer and "42.50 USD can still be refunded" in answer, answer
    assert "How much would you like back?" in answer
    too_much = customer.say_text("50")
    assert "at most 42.50 USD" in too_much, too_much
    customer.say_text("full")
    confirm = customer.say_text("the zip is broken")
    assert "refund 42.50 USD of the 42.50 USD" in confirm and '"the zip is broken"' in confirm, confirm
    kept = customer.say_text("no")
    assert "haven't requested a refund" in kept, kept
    assert backend_get(stack, "/v1/refunds", order_id=order_id)["total"] == 0


def test_delivered_but_never_received_opens_a_claim_with_the_carrier_details(
    stack: Stack, stack_people: Factory
) -> None:
    person = stack_people.customer([{"status": "delivered", "total_cents": 3000, "delivered_days_ago": 2}])
    order_id = person.order_ids[0]
    customer = Customer(stack)
    customer.say_text("my parcel says it was delivered but I never got it")
    assert active_form(stack, customer.sender) == "missing_parcel_form"
    customer.say_text(str(order_id))
    answer = customer.say_text(person.email)
    assert "I've opened claim #" in answer and f"UPS (tracking number 1ZTEST{order_id})" in answer, answer
    ticket_id = int(answer.split("claim #")[1].split()[0])
    ticket = backend_get(stack, f"/v1/tickets/{ticket_id}")
    assert ticket["category"] == "missing_parcel" and ticket["conversation_id"] == customer.sender
    assert ticket["details"]["order_id"] == order_id and ticket["details"]["carrier"] == "UPS"
    assert any("never got it" in message["body"] for message in ticket["messages"])


def test_a_parcel_still_in_transit_gets_the_date_a_claim_can_start(
    stack: Stack, stack_people: Factory
) -> None:
    person = stack_people.customer([{"status": "shipped", "total_cents": 3000}])
    customer = Customer(stack)
    # The flow, not NLU, is under test here: the button payload starts it.
    customer.say_text("/report_missing_parcel")
    customer.say_text(str(person.order_ids[0]))
    answer = customer.say_text(person.email)
    assert "still on its way with UPS" in answer and "If it hasn't arrived by" in answer, answer
    assert backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["total"] == 0


@pytest.mark.parametrize(
    ("message", "says", "route"),
    [
        ("I'd like to change the size of the shoes I ordered", "I can't change an order", "order-changes"),
        (
            "how do I add a second delivery address to my account",
            "I can't save delivery addresses",
            "addresses",
        ),
        ("please unsubscribe me from your newsletter", "newsletter subscription", "newsletter"),
    ],
)
def test_requests_without_a_flow_get_the_route_and_a_person_never_a_sensitive_flow(
    stack: Stack, message: str, says: str, route: str
) -> None:
    customer = Customer(stack)
    replies = customer.say(message)
    text = "\n".join(reply.get("text", "") for reply in replies)
    assert says in text and f"https://shop.example.com/help/{route}" in text, text
    buttons = [button["payload"] for reply in replies for button in reply.get("buttons", [])]
    assert buttons == ["/request_human", "/deny"]
    assert active_form(stack, customer.sender) is None
    assert "ticket #" in customer.say_text("yes please")  # the offered person, not "what else?"


def unclear_messages(stack: Stack, count: int) -> List[str]:
    candidates = [
        "the blue one",
        "what about the thing",
        "hmm and then",
        "maybe the other",
        "ok but why",
        "that one there",
        "the money thing",
        "my account order",
        "can you check the thing from before",
        "the one i mentioned",
        "stuff",
        "about the other matter",
    ]
    unclear = [text for text in candidates if parse(stack, text)["intent"]["name"] == "nlu_fallback"]
    assert len(unclear) >= count, candidates
    return unclear[:count]


def test_an_unclear_message_never_gets_destructive_guesses_and_the_next_one_gets_a_person(
    stack: Stack,
) -> None:
    first, second = unclear_messages(stack, 2)
    customer = Customer(stack)
    clarify = customer.say(first)
    payloads = [button["payload"] for reply in clarify for button in reply.get("buttons", [])]
    assert "/request_human" in payloads and not set(payloads) & set(SENSITIVE_FLOWS), payloads
    offer = customer.say_text(second)
    assert "connect you with a person" in offer, offer


def test_an_unsure_sensitive_request_gets_one_yes_no_question_first(stack: Stack) -> None:
    candidates = [
        "i want it gone",
        "i want it cancelled i guess",
        "refund maybe",
        "i'd like it removed",
        "reset it",
        "can it be undone",
        "get rid of it maybe",
        "remove me i guess",
    ]
    guarded = [(text, parse(stack, text)) for text in candidates]
    guarded = [(text, parsed["guarded_intent"]) for text, parsed in guarded if parsed.get("guarded_intent")]
    assert guarded, "the guard let every candidate through; pick vaguer ones"
    text, intent = guarded[0]
    customer = Customer(stack)
    replies = customer.say(text)
    assert [button["payload"] for button in replies[0]["buttons"]] == ["/deny", f"/{intent}"], replies
    assert active_form(stack, customer.sender) is None  # nothing started yet
    customer.say_text("yes")
    assert active_form(stack, customer.sender) is not None  # the flow the customer confirmed


def test_a_new_web_chat_opens_with_a_greeting_and_a_reload_does_not_repeat_it(stack: Stack) -> None:
    first = WebChatCustomer(stack)
    try:
        assert first.greeting and "I'm Frontdesk" in first.greeting and "never arrived" in first.greeting
    finally:
        first.client.disconnect()
    reloaded = WebChatCustomer(stack, address=first.address, session_id=first.session_id)
    try:
        assert reloaded.greeting is None and reloaded.replies(first_within=2) == []
    finally:
        reloaded.client.disconnect()
