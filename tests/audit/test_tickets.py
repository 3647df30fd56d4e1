"""Tickets and the agent queue (findings 6 and 13): a typed email pulls in nobody's data, and the queue shows
every waiting customer, however many."""

from __future__ import annotations

import uuid

import pytest
import requests

from common.masking import mask_email
from tests import attacks
from tests.e2e.helpers import Customer, backend_get
from tests.support import Factory
from tools.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.attack]


def console_login(stack: Stack, username: str = "alice") -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"{stack.config.console_url}/api/login",
        json={"username": username, "password": stack.demo_passwords()[username]},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return session


def test_a_typed_email_never_pulls_in_that_customers_account(stack: Stack, stack_people: Factory) -> None:
    victim = stack_people.customer(
        [
            {"status": "delivered", "total_cents": 5990, "delivered_days_ago": 2},
            {"status": "placed", "total_cents": 100},
        ]
    )
    attacker = Customer(stack)
    attacker.say_text("I want to make a complaint")
    attacker.say_text(victim.email)
    attacker.say_text("Your courier was rude to me and left the parcel in the rain.")
    complaint = backend_get(stack, "/v1/tickets", conversation_id=attacker.sender)["items"][0]
    attacker.say_text("I want to talk to a human")
    tickets = backend_get(stack, "/v1/tickets", conversation_id=attacker.sender)["items"]
    handoff = next(ticket for ticket in tickets if ticket["category"] == "handoff")

    agent = console_login(stack)
    view = agent.get(f"{stack.config.console_url}/api/tickets/{handoff['id']}", timeout=30).json()
    assert agent.post(f"{stack.config.console_url}/api/tickets/{handoff['id']}/claim", timeout=30).ok
    reply = agent.post(
        f"{stack.config.console_url}/api/tickets/{handoff['id']}/reply",
        json={"text": "I can see your last order was delivered two days ago."},
        timeout=30,
    ).json()
    leaks = sum(
        [
            complaint["customer_id"] is not None,
            handoff["customer_id"] is not None,
            view["customer"] is not None,
            bool(view["orders"]) or bool(view["tickets"]),
            view["ticket"]["customer_verified"] is not False,
            reply["delivered"] == "email",
            backend_get(stack, "/v1/outbox", recipient=victim.email, template="agent_reply")["total"] > 0,
            str(victim.order_ids[0]) in str(view),
        ]
    )
    entry = attacks.record("unverified_email_pulls_in_an_account", attempts=8, bypasses=leaks)
    assert entry.bypasses == 0, view
    # The claim is still there for the agent, marked for what it is: masked, as an unverified ticket keeps it.
    assert view["ticket"]["customer_email"] == mask_email(victim.email)


def test_the_queue_shows_every_waiting_customer(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:8]
    created = []
    for index in range(25):
        answer = requests.post(
            f"{stack.config.backend_url}/v1/tickets",
            json={
                "subject": f"Waiting {tag} {index}",
                "category": "handoff",
                "conversation_id": f"queue-{tag}-{index}",
            },
            headers={"Authorization": f"Bearer {stack.config.actions_token}"},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        created.append(answer.json()["id"])
    queue = console_login(stack).get(f"{stack.config.console_url}/api/queue", timeout=30).json()["items"]
    shown = {item["id"] for item in queue}
    missing = [ticket for ticket in created if ticket not in shown]
    entry = attacks.record(
        "handoffs_hidden_from_the_queue", attempts=len(created), lost_handoffs=len(missing)
    )
    assert entry.lost_handoffs == 0, missing
    availability = requests.get(f"{stack.config.console_url}/api/availability", timeout=10).json()
    assert availability["queue_length"] >= 25
    # Leave the shared queue as it was for the tests after this one.
    admin = {"Authorization": f"Bearer {stack.config.admin_token}"}
    for ticket in created:
        for step in ("claim", "resolution"):
            requests.post(
                f"{stack.config.backend_url}/v1/tickets/{ticket}/{step}",
                json={"agent": "cleanup"},
                headers=admin,
                timeout=10,
            )
