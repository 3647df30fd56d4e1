"""Handoff against the real stack over REST: the bot stays quiet while a person has the conversation, also
after the session expires; sensitive topics and fallback loops reach a person without being asked."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import Customer, backend_get, move_conversation_back, tracker
from tests.e2e.test_conversations import low_confidence_messages
from tools.stack import Stack

pytestmark = pytest.mark.e2e


def test_a_paused_conversation_stays_paused_when_its_session_expires(stack: Stack) -> None:
    customer = Customer(stack)
    assert "ticket #" in customer.say_text("I want to talk to a human")
    assert customer.say("hello?") == []
    # Two hours pass: the stored events are moved back in time, column and JSON (sessions expire after 60 min).
    moved = move_conversation_back(stack, customer.sender, 7200)
    assert moved > 5
    assert customer.say("are you still there?") == []
    conversation = tracker(stack, customer.sender)
    kinds = [event["event"] for event in conversation["events"]]
    assert kinds.count("session_started") == 2, "the expired session did not restart"
    assert conversation["paused"] is True
    assert conversation["slots"]["handoff_ticket_id"] == str(
        backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"][0]["id"]
    )
    texts = [event.get("text") for event in conversation["events"] if event["event"] == "user"]
    assert texts[-1] == "are you still there?"  # kept for the agent


def test_a_sensitive_topic_goes_to_a_person_first_in_the_queue(stack: Stack) -> None:
    customer = Customer(stack)
    answer = customer.say_text("someone hacked my account and ordered three phones with my saved card")
    assert "person on our team" in answer and "ticket #" in answer, answer
    ticket = backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"][0]
    assert ticket["priority"] == "urgent" and ticket["details"]["escalation_reason"] == "sensitive_topic"
    assert customer.say("hello?") == []


def test_a_fallback_loop_is_handed_to_a_person_without_asking(stack: Stack) -> None:
    messages = low_confidence_messages(stack, 3)
    customer = Customer(stack)
    customer.say(messages[0])
    customer.say(messages[1])
    answer = customer.say_text(messages[2])
    assert "going round in circles" in answer and "ticket #" in answer, answer
    ticket = backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"][0]
    assert ticket["details"]["escalation_reason"] == "escalation_loop"
    assert [message["author"] for message in ticket["messages"]][:2] == ["customer", "bot"]
