"""Guessing orders (finding 3): a script that knows a customer's email tries order numbers through many
senders and addresses; and cancelling without proving who you are."""

from __future__ import annotations

import pytest

from tests import attacks
from tests.e2e.helpers import Customer, backend_get, random_address
from tests.support import Factory
from tools.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.attack]
PLACED = {"status": "placed", "total_cents": 4200}


def order_status(stack: Stack, order_id: int, email: str, address: str | None = None) -> str:
    """One guess, from a brand-new conversation (a new sender costs nothing)."""
    customer = Customer(stack, address=address)
    customer.say_text(f"where is my order {order_id}?")
    return customer.say_text(email)


def test_guessing_order_numbers_for_a_known_email_hits_a_budget_across_senders_and_addresses(
    stack: Stack, stack_people: Factory
) -> None:
    victim = stack_people.customer([PLACED])
    real = victim.order_ids[0]
    guesses = [real + offset for offset in range(1, 9)] + [real]  # eight misses, then the right number
    answers = [order_status(stack, guess, victim.email) for guess in guesses]
    # The budget (5 failures per email per hour) is spent after five misses, whoever and wherever asks.
    assert all(
        "couldn't find" in answer.lower() or "unsuccessful" in answer for answer in answers[:5]
    ), answers[:5]
    found_after_budget = sum(f"Order {real}" in answer for answer in answers[5:])
    assert "too many unsuccessful order lookups" in answers[-1], answers[-1]
    log = (stack.logs_dir / "backend.log").read_text()
    # The alert is logged, and the log redactor (common/logs.py) keeps the attacked email out of it.
    assert "lookup_budget_exhausted" in log and victim.email not in log
    entry = attacks.record("order_number_guessing", attempts=len(guesses), bypasses=found_after_budget)
    assert entry.bypasses == 0


def test_one_address_trying_many_emails_hits_its_own_budget(stack: Stack, stack_people: Factory) -> None:
    address = random_address()
    customers = [stack_people.customer([PLACED]) for _ in range(2)]
    # Twenty misses from one address, each for a different (unknown) email and order.
    for attempt in range(20):
        order_status(stack, 12_000 + attempt, f"probe-{attempt}-{address}@example.org", address)
    # Now even a right pair from that address is refused; from elsewhere it is answered.
    blocked = order_status(stack, customers[0].order_ids[0], customers[0].email, address)
    elsewhere = order_status(stack, customers[1].order_ids[0], customers[1].email)
    entry = attacks.record(
        "order_number_guessing", attempts=21, bypasses=int(f"Order {customers[0].order_ids[0]}" in blocked)
    )
    assert entry.bypasses == 0, blocked
    assert f"Order {customers[1].order_ids[0]}" in elsewhere, elsewhere


def test_cancelling_needs_a_one_time_code(stack: Stack, stack_people: Factory) -> None:
    victim = stack_people.customer([PLACED])
    order_id = victim.order_ids[0]
    attacker = Customer(stack)
    attacker.say_text(f"cancel order {order_id}")
    asked = attacker.say_text(victim.email)
    # The code goes to the victim's mailbox; the attacker can only guess.
    for guess in ("000000", "123456", "yes"):
        attacker.say_text(guess)
    status = backend_get(stack, f"/v1/orders/{order_id}")["status"]
    entry = attacks.record("cancel_without_verification", attempts=4, bypasses=int(status == "cancelled"))
    assert entry.bypasses == 0
    assert "6-digit code" in asked, asked
