"""What an agent reads of a handed-over conversation: never the customer's one-time code, and button clicks by
their titles (issue 12, point 6), in the console's view, its live messages and the ticket the backend keeps."""

from __future__ import annotations

import json

import pytest

from tests.e2e.helpers import Customer, backend_get, console_agent, latest_code
from tests.e2e.test_conversations import low_confidence_messages
from tests.support import Factory
from tools.stack import Stack

pytestmark = pytest.mark.e2e


def test_the_console_never_shows_the_code_and_shows_buttons_by_their_titles(
    stack: Stack, stack_people: Factory
) -> None:
    person = stack_people.customer([{"status": "delivered", "total_cents": 2500}], store_credit_cents=1200)
    customer = Customer(stack)
    customer.say_text("what's my account balance?")
    assert "6-digit code" in customer.say_text(person.email)
    code = latest_code(stack, person.email)
    assert "12.00" in customer.say_text(code)
    (unclear,) = low_confidence_messages(stack, 1)
    offered = customer.say(unclear)
    buttons = [button for reply in offered for button in reply.get("buttons", [])]
    person_button = next(button for button in buttons if button["payload"] == "/request_human")
    handed = customer.say_text(person_button["payload"])
    ticket = backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"][0]
    assert f"#{ticket['id']}" in handed, handed
    # Typed to the agent unprompted, the way customers paste it again: masked too.
    assert customer.say_text(f"thanks, it was {code} right?") == ""

    agent = console_agent(stack, "bob")
    view = agent.get(f"{stack.config.console_url}/api/tickets/{ticket['id']}", timeout=30).json()
    live = agent.get(f"{stack.config.console_url}/api/tickets/{ticket['id']}/messages", timeout=30).json()
    stored = backend_get(stack, f"/v1/tickets/{ticket['id']}")
    for shown in (view, live, stored):
        assert code not in json.dumps(shown), "the one-time code reached the console or the ticket"
    customer_lines = [m["text"] for m in view["transcript"] if m["author"] == "customer"]
    assert person_button["title"] in customer_lines, customer_lines
    assert not any(line.startswith("/") for line in customer_lines), customer_lines
    live_lines = [m["text"] for m in live["messages"] if m["author"] == "customer"]
    assert "thanks, it was •••••• right?" in live_lines, live_lines
    # A summary for people: the customer's topic as the subject, the verification in words.
    brief = view["summary"]["brief"]
    assert stored["subject"] == brief["subject"] == "Balance or store credit", stored["subject"]
    assert "The bot showed the balance; asked the customer to rephrase." in brief["description"], brief
    assert brief["verification"].startswith("Verified with a one-time code"), brief
    ticket_lines = [m["body"] for m in stored["messages"] if m["author"] == "customer"]
    assert person_button["title"] in ticket_lines and "••••••" in ticket_lines, ticket_lines
