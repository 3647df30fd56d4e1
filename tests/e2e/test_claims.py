"""Claims the README makes that other tests did not check: the customer is told when an agent transfers or
unassigns the conversation, the message guard works on the web chat too, and a forged web chat id cannot
speak. Against the one e2e stack."""

from __future__ import annotations

import time

import pytest
import requests

from tests.audit.test_tickets import console_login
from tests.e2e.helpers import Customer, WebChatCustomer, backend_get, tracker
from tools.stack import Stack

pytestmark = pytest.mark.e2e


def bot_texts(stack: Stack, sender: str) -> list:
    return [event.get("text") for event in tracker(stack, sender)["events"] if event.get("event") == "bot"]


def test_the_customer_is_told_about_a_transfer_and_an_unassignment(stack: Stack) -> None:
    customer = Customer(stack)
    customer.say_text("I want to talk to a human")
    ticket = backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"][0]
    base = f"{stack.config.console_url}/api/tickets/{ticket['id']}"
    alice = console_login(stack, "alice")
    assert alice.post(f"{base}/claim", timeout=30).ok
    assert alice.post(f"{base}/transfer", json={"to": "bob"}, timeout=30).ok
    bob = console_login(stack, "bob")
    assert bob.post(f"{base}/unassign", timeout=30).ok
    texts = bot_texts(stack, customer.sender)
    assert any(text and text.startswith("Alice") for text in texts), texts  # joined
    assert "Bob from our support team is taking over this chat." in texts, texts
    assert (
        "Your conversation is back in our team's queue; the next free person will pick it up here." in texts
    )
    requests.post(
        f"{stack.config.backend_url}/v1/tickets/{ticket['id']}/claim",
        json={"agent": "cleanup"},
        headers={"Authorization": f"Bearer {stack.config.admin_token}"},
        timeout=10,
    )


def test_the_message_guard_works_on_the_web_chat(stack: Stack) -> None:
    customer = WebChatCustomer(stack)
    assert "didn't get any text" in customer.say_text("   ")
    assert "under 2,000 characters" in customer.say_text("y" * 2500)
    # 20 messages a minute per sender: two are already used above; the 21st message on is refused.
    # (Typed quickly, not in one burst: Rasa answers one message of a conversation at a time.)
    for _ in range(21):
        customer.send("hello")
        time.sleep(0.3)
    replies = customer.replies(first_within=30, quiet_for=5)
    assert sum("faster than I can answer" in reply for reply in replies) >= 2, replies


def test_a_forged_web_chat_id_cannot_speak(stack: Stack) -> None:
    customer = WebChatCustomer(stack)
    events_before = len(tracker(stack, customer.sender)["events"])
    forged = customer.session_id.split(".")[0] + "." + "A" * 22
    customer.send("where is my order 10042?", session_id=forged)
    assert customer.replies(first_within=5) == []
    assert len(tracker(stack, customer.sender)["events"]) == events_before
