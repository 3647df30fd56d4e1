"""End to end: backend, action server and Rasa server as real processes, a customer talking over REST.

After each conversation the test reads the backend over HTTP to check what really happened.
"""

from __future__ import annotations

import uuid
from typing import Dict, Iterator, List

import pytest
import requests

from tools.stack import Stack, StackConfig, free_port

pytestmark = pytest.mark.e2e
TOKEN = "e2e-backend-token"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("stack")
    running = Stack(
        StackConfig(
            var_dir=var_dir,
            backend_port=free_port(),
            actions_port=free_port(),
            rasa_port=free_port(),
            backend_token=TOKEN,
            database_url=f"sqlite:///{var_dir}/backend.db",
        )
    )
    running.start(timeout=300)
    yield running
    running.stop()


class Customer:
    """One chat session over the REST channel."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.sender = f"e2e-{uuid.uuid4().hex[:10]}"

    def say(self, message: str) -> List[Dict]:
        response = requests.post(
            f"{self.stack.config.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def say_text(self, message: str) -> str:
        return "\n".join(reply.get("text", "") for reply in self.say(message))


def backend_get(stack: Stack, path: str, **params) -> Dict:
    response = requests.get(
        f"{stack.config.backend_url}{path}",
        params=params,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def test_order_status_is_answered_from_the_orders_database(stack: Stack) -> None:
    customer = Customer(stack)
    assert "email" in customer.say_text("where is my order 10042?").lower()
    answer = customer.say_text("jane@example.com")
    order = backend_get(stack, "/v1/orders/10042")
    assert order["status"] == "delivered"
    assert "Order 10042 was delivered on" in answer
    delivered = order["delivered_at"][:10]
    assert str(int(delivered[8:10])) in answer  # the day of the month the backend holds


def test_refund_creates_a_refund_row_in_billing(stack: Stack) -> None:
    before = backend_get(stack, "/v1/refunds", order_id=10042)["total"]
    customer = Customer(stack)
    customer.say_text("I want a refund for order 10042")
    assert "how much" in customer.say_text("my email is jane@example.com").lower()
    answer = customer.say_text("15.50")
    assert "I've created refund #" in answer, answer
    refund_id = int(answer.split("refund #")[1].split()[0])
    refund = backend_get(stack, f"/v1/refunds/{refund_id}")
    assert refund["order_id"] == 10042 and refund["amount"] == "15.50" and refund["status"] == "pending"
    assert backend_get(stack, "/v1/refunds", order_id=10042)["total"] == before + 1


def test_ineligible_refund_gets_the_policy_reason_and_no_row(stack: Stack) -> None:
    customer = Customer(stack)
    customer.say_text("i need my money back for order 10046")
    customer.say_text("jane@example.com")
    answer = customer.say_text("full")
    assert "within 30 days of delivery" in answer
    assert "https://shop.example.com/help/refund-policy" in answer
    assert backend_get(stack, "/v1/refunds", order_id=10046)["total"] == 0


def test_password_reset_goes_to_the_email_on_file_and_reveals_nothing(stack: Stack) -> None:
    sent_before = backend_get(stack, "/v1/outbox", recipient="omar@example.com", template="password_reset")[
        "total"
    ]
    known, unknown = Customer(stack), Customer(stack)
    known.say_text("I forgot my password")
    unknown.say_text("I forgot my password")
    known_answer = known.say_text("omar@example.com")
    unknown_answer = unknown.say_text("nobody.at.all@example.net")
    assert known_answer == unknown_answer and "If an account exists" in known_answer
    sent_after = backend_get(stack, "/v1/outbox", recipient="omar@example.com", template="password_reset")[
        "total"
    ]
    assert sent_after == sent_before + 1
    assert backend_get(stack, "/v1/outbox", recipient="nobody.at.all@example.net")["total"] == 0


def low_confidence_messages(stack: Stack, count: int) -> List[str]:
    """Messages this model really is unsure about, found through Rasa's own parser."""
    candidates = [
        "the blue one",
        "what about the thing",
        "hmm and then",
        "maybe the other",
        "purple monkey dishwasher",
        "it is what it is",
        "later perhaps",
        "the usual",
        "ok but why",
        "that one there",
    ]
    unsure = []
    for text in candidates:
        parsed = requests.post(f"{stack.config.rasa_url}/model/parse", json={"text": text}, timeout=30).json()
        if parsed["intent"]["name"] == "nlu_fallback":
            unsure.append(text)
    assert len(unsure) >= count, f"the model is confident about all candidates: {candidates}"
    return unsure[:count]


def test_fallback_then_a_person_opens_a_ticket_with_the_transcript(stack: Stack) -> None:
    first, second = low_confidence_messages(stack, 2)
    customer = Customer(stack)
    clarify = customer.say(first)
    assert "not sure I understood" in clarify[0]["text"]
    assert any(button["payload"] == "/request_human" for button in clarify[0]["buttons"])
    admit = customer.say(second)
    assert "don't know" in admit[0]["text"] and admit[0]["buttons"][0]["payload"] == "/request_human"
    handed = customer.say_text("/request_human")
    assert "ticket #" in handed
    tickets = backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"]
    assert len(tickets) == 1
    ticket = tickets[0]
    assert ticket["category"] == "handoff" and ticket["details"]["escalation_reason"] == "low_confidence"
    bodies = [message["body"] for message in ticket["messages"]]
    assert bodies[0] == first and second in bodies


def test_asking_for_a_person_inside_a_form_hands_over(stack: Stack) -> None:
    customer = Customer(stack)
    customer.say_text("I want to cancel an order")
    answer = customer.say_text("can I talk to a real person please")
    assert "ticket #" in answer
    ticket = backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"][0]
    assert ticket["details"]["escalation_reason"] == "user_requested"
    assert backend_get(stack, "/v1/orders/10044")["status"] == "placed"
    # The form is over: the next message is understood on its own.
    assert "Frontdesk" in customer.say_text("hello")


def test_stop_and_invalid_answers_inside_a_form(stack: Stack) -> None:
    customer = Customer(stack)
    customer.say_text("cancel my order please")
    small_talk = customer.say_text("are you a bot?")
    assert "I'm a bot" in small_talk and "order number" in small_talk  # answered, then asked again
    assert "5 digits" in customer.say_text("it's 12")
    assert "stopped" in customer.say_text("never mind, forget it")
    assert backend_get(stack, "/v1/orders/10044")["status"] == "placed"
