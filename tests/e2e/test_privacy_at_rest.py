"""The real Rasa server on the encrypted tracker store: a verified conversation works turn after turn, the
tracker store and the event stream hold none of the customer's details in clear, and erasing the
conversation leaves Rasa nothing to read."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from common.env import DEVELOPMENT_SECRETS
from privacy import conversations
from privacy.keys import ConversationKeys
from tests.e2e.helpers import Customer, latest_code, tracker
from tests.factories import Factory
from tools.stack import Stack

pytestmark = pytest.mark.e2e


def test_a_verified_conversation_is_sealed_at_rest_and_erasable(stack: Stack, stack_people: Factory) -> None:
    person = stack_people.customer([{"status": "delivered", "total_cents": 5990, "delivered_days_ago": 3}])
    customer = Customer(stack)
    customer.say_text(f"I want a refund for order {person.order_ids[0]}")
    customer.say_text(f"my email is {person.email}")
    code = latest_code(stack, person.email)
    # Rasa reads its sealed tracker back on every turn: the form still has the email, the code verifies.
    assert "you're verified" in customer.say_text(code)
    live = tracker(stack, customer.sender)
    assert live["slots"]["email"] == person.email and live["slots"]["verification_token"]
    token = live["slots"]["verification_token"]

    env = stack.env()
    for store in (Path(env["RASA_TRACKER_DB"]), Path(env["EVENT_STREAM_DB"])):
        stored = b"".join(path.read_bytes() for path in store.parent.glob(store.name + "*"))
        for secret in (person.email, token, code):
            assert secret.encode() not in stored, f"{secret!r} in clear in {store.name}"

    keys = ConversationKeys(env["CONVERSATION_KEYS_DB"], DEVELOPMENT_SECRETS["CONVERSATION_KEY_SECRET"])
    # Linked to the backend's id of the customer (the slot holds it as a number), for export and erasure.
    assert keys.conversations_of(str(person.id)) == [customer.sender]
    tracker_db = create_engine(f"sqlite:///{env['RASA_TRACKER_DB']}", future=True)
    erased = conversations.erase(tracker_db, [customer.sender], keys=keys)
    assert erased.keys_destroyed == 1 and erased.events_deleted > 10
    assert [event for event in tracker(stack, customer.sender)["events"] if event["event"] == "user"] == []
