"""CSAT for conversations the bot handled alone (issue 17: CSAT bot-only vs human-handled): a thank-you after
a finished request gets the same 1-5 question a person's conversation gets, once; small talk gets none."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import Customer, tracker
from tools.stack import Stack

pytestmark = pytest.mark.e2e


def test_a_thank_you_after_a_bot_answer_asks_for_a_rating_once(stack: Stack) -> None:
    customer = Customer(stack)
    assert "deliver" in customer.say_text("how long does delivery take?").lower()
    asked = customer.say("thank you, that's what I needed")
    assert "welcome" in asked[0]["text"].lower(), asked
    question = asked[-1]
    assert "how would you rate" in question["text"] and {b["payload"] for b in question["buttons"]} >= {
        "1",
        "5",
    }
    assert "Thank you for the rating" in customer.say_text("5")
    assert tracker(stack, customer.sender)["slots"]["csat_rating"] == "5"
    # Asked once per conversation: another thank-you is only answered.
    again = customer.say_text("thanks again!")
    assert "how would you rate" not in again and "welcome" in again.lower(), again


def test_small_talk_is_not_rated(stack: Stack) -> None:
    customer = Customer(stack)
    customer.say_text("hello")
    answer = customer.say_text("thanks")
    assert "how would you rate" not in answer, answer
    assert tracker(stack, customer.sender)["slots"]["csat_rating"] is None
