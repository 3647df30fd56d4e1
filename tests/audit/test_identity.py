"""Attacks on identity (findings 2, 5 and 8): shared phone numbers, account enumeration through the bot's
words, and brute-forcing one-time codes across identifiers and channels."""

from __future__ import annotations

import re
from typing import Dict, List

import pyotp
import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from backend import migrations
from backend.customers.models import Customer
from tests import attacks
from tests.e2e.helpers import Customer as RestCustomer
from tests.e2e.helpers import admin_headers, backend_get, latest_code
from tests.support import Factory, postgres_schema
from tools.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.attack]
ONE_ORDER = [{"status": "placed", "total_cents": 100}]


def as_actions(stack: Stack) -> Dict[str, str]:
    return {"Authorization": f"Bearer {stack.config.actions_token}"}


def backend_post(stack: Stack, path: str, body: dict, headers: Dict[str, str]) -> requests.Response:
    return requests.post(f"{stack.config.backend_url}{path}", json=body, headers=headers, timeout=10)


# --- 2. shared phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migration_removes_a_phone_number_shared_by_two_accounts(tmp_path, database: str) -> None:
    def run(url: str) -> None:
        migrations.upgrade(url, "0003")
        engine = create_engine(url, future=True)
        with engine.begin() as connection:
            for customer_id, phone in ((1, "+1 202 555 0199"), (2, "(202) 555-0199"), (3, "202.555.0142")):
                connection.execute(
                    text(
                        "INSERT INTO customers (id, name, email, phone, created_at, updated_at) VALUES (:id, 'x', :email, :phone, '2026-01-01', '2026-01-01')"
                    ),
                    {"id": customer_id, "email": f"c{customer_id}@example.org", "phone": phone},
                )
        migrations.upgrade(url)
        with engine.connect() as connection:
            phones = dict(connection.execute(text("SELECT id, phone FROM customers ORDER BY id")).fetchall())
        # The shared number proves nobody: gone from both; the other is stored in E.164.
        assert phones == {1: None, 2: None, 3: "+12025550142"}
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("UPDATE customers SET phone = '+12025550142' WHERE id = 1"))
        engine.dispose()

    if database == "sqlite":
        run(f"sqlite:///{tmp_path}/phones.db")
    else:
        with postgres_schema("frontdesk_phones") as url:
            run(url)
    attacks.record("shared_phone_number", attempts=1)


def test_an_identifier_matching_two_accounts_never_verifies_and_goes_to_a_person(
    stack: Stack, stack_people: Factory
) -> None:
    # Emails differing only in case are the same address to a customer, and two accounts to the database.
    first = stack_people.customer(ONE_ORDER)
    twin_email = first.email.upper()
    with stack_people.server.session_factory() as session:
        session.add(Customer(name="Twin", email=twin_email, address="2 Test Street, Testville, 00002, US"))
        session.commit()
    customer = RestCustomer(stack)
    customer.say_text("what's my store credit?")
    answer = customer.say_text(first.email)
    codes_sent = backend_get(stack, "/v1/outbox", recipient=first.email)["total"]
    tickets = backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"]
    bypassed = "6-digit code" in answer or codes_sent > 0
    entry = attacks.record("shared_identifier", attempts=1, bypasses=int(bypassed))
    assert entry.bypasses == 0, answer
    assert "passing our conversation to a person" in answer, answer
    assert tickets and tickets[0]["details"]["escalation_reason"] == "verification_failed"


# --- 5. account enumeration ----------------------------------------------------------------------------


def same_words(first: str, second: str) -> bool:
    """Byte-identical apart from random ids (ticket numbers) and the order number that was asked about."""

    def normalise(reply: str) -> str:
        return re.sub(r"\b1\d{4}\b", "<order>", re.sub(r"#\d+", "#<id>", reply))

    return normalise(first) == normalise(second)


def compare(pairs: List[tuple]) -> int:
    return sum(not same_words(known, unknown) for known, unknown in pairs)


def enrol_authenticator(stack: Stack, email: str, customer_id: int) -> None:
    challenge = backend_post(stack, "/v1/verifications", {"email": email}, admin_headers(stack)).json()
    token = backend_post(
        stack,
        f"/v1/verifications/{challenge['challenge_id']}/check",
        {"code": latest_code(stack, email)},
        admin_headers(stack),
    ).json()["token"]
    enrolled = backend_post(
        stack,
        f"/v1/customers/{customer_id}/authenticator",
        {},
        {**admin_headers(stack), "X-Verification-Token": token},
    )
    assert enrolled.status_code == 201


def conversation(stack: Stack, messages: List[str]) -> str:
    customer = RestCustomer(stack)
    return [customer.say_text(message) for message in messages][-1]


def test_the_bot_says_the_same_for_known_and_unknown_identifiers(stack: Stack, stack_people: Factory) -> None:
    known = stack_people.customer(ONE_ORDER, with_phone=True)
    with_app = stack_people.customer(ONE_ORDER)
    enrol_authenticator(stack, with_app.email, with_app.id)
    # Unknown identifiers chosen to mask like the known ones (c***@example.org, the same last four digits).
    unknown_email = "c" + known.email.split("@")[0][::-1] + "-nobody@example.org"
    unknown_phone = (
        known.phone[:-7] + "9" + known.phone[-6:]
        if known.phone[-7] != "9"
        else known.phone[:-7] + "8" + known.phone[-6:]
    )
    pairs = [
        (
            conversation(stack, ["what's my store credit?", known.email]),
            conversation(stack, ["what's my store credit?", unknown_email]),
        ),
        (
            conversation(stack, ["what's my store credit?", with_app.email]),
            conversation(stack, ["what's my store credit?", unknown_email.replace("-nobody", "-nobody2")]),
        ),
        (
            conversation(stack, ["what's my store credit?", f"my phone is {known.phone}"]),
            conversation(stack, ["what's my store credit?", f"my phone is {unknown_phone}"]),
        ),
        (
            conversation(stack, ["I forgot my password", known.email]),
            conversation(stack, ["I forgot my password", unknown_email.replace("-nobody", "-nobody3")]),
        ),
        # Does order N exist? The same words for a number nobody has and for someone else's order.
        (
            conversation(stack, ["where is my order " + str(known.order_ids[0] + 1), with_app.email]),
            conversation(stack, ["where is my order " + str(known.order_ids[0]), with_app.email]),
        ),
    ]
    # Each pair is a real answer, not two identical misunderstandings.
    for known_reply, _ in pairs[:4]:
        assert "6-digit code" in known_reply, known_reply
    assert "couldn't find order" in pairs[4][0], pairs[4]
    entry = attacks.record(
        "account_enumeration_by_the_bot", attempts=len(pairs), enumeration_differences=compare(pairs)
    )
    assert entry.enumeration_differences == 0, [pair for pair in pairs if not same_words(*pair)]


def verified_customer_changes_email(stack: Stack, people: Factory, new_email: str) -> str:
    person = people.customer(ONE_ORDER)
    customer = RestCustomer(stack)
    customer.say_text("I want to change my email address")
    customer.say_text(person.email)
    customer.say_text(latest_code(stack, person.email))
    customer.say_text("email")  # which detail, if asked; ignored otherwise
    return customer.say_text(new_email)


def test_changing_to_an_email_in_use_sounds_like_any_other_change(
    stack: Stack, stack_people: Factory
) -> None:
    taken = stack_people.customer(ONE_ORDER).email
    free = "c" + taken.split("@")[0][::-1] + "-free@example.org"
    pairs = [
        (
            verified_customer_changes_email(stack, stack_people, taken),
            verified_customer_changes_email(stack, stack_people, free),
        )
    ]
    assert "confirmation link" in pairs[0][1], pairs
    entry = attacks.record(
        "account_enumeration_by_email_change", attempts=1, enumeration_differences=compare(pairs)
    )
    assert entry.enumeration_differences == 0, pairs
    # And the backend's answers to the action server are the same shape and wording too.
    answers: List[dict] = []
    for target in (taken, free):
        person = stack_people.customer(ONE_ORDER)
        challenge = backend_post(
            stack, "/v1/verifications", {"email": person.email}, as_actions(stack)
        ).json()
        token = backend_post(
            stack,
            f"/v1/verifications/{challenge['challenge_id']}/check",
            {"code": latest_code(stack, person.email)},
            as_actions(stack),
        ).json()["token"]
        answer = backend_post(
            stack,
            f"/v1/customers/{person.id}/email-change",
            {"new_email": target},
            {**as_actions(stack), "X-Verification-Token": token},
        )
        answers.append({"status": answer.status_code, "body": answer.json()})
    assert answers[0] == answers[1]


# --- 8. brute-forcing one-time codes -------------------------------------------------------------------


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_code_guessing_across_email_and_phone_locks_the_customer_out_and_tells_them(
    stack: Stack, stack_people: Factory
) -> None:
    person = stack_people.customer(ONE_ORDER, with_phone=True)
    headers = as_actions(stack)
    identities: List[dict] = [{"email": person.email}, {"phone": person.phone}, {"email": person.email}]
    failures, attempts, bypasses = 0, 0, 0
    statuses: List[int] = []
    for identity in identities:
        started = backend_post(stack, "/v1/verifications", identity, headers)
        assert started.status_code == 201, started.text
        challenge = started.json()["challenge_id"]
        recipient = person.email if "email" in identity else person.phone
        code = latest_code(stack, recipient)
        for _ in range(3):
            guess = wrong(code) if failures < 8 else code  # once locked out, even the right code must fail
            checked = backend_post(stack, f"/v1/verifications/{challenge}/check", {"code": guess}, headers)
            attempts += 1
            statuses.append(checked.status_code)
            if guess == code and checked.status_code == 200:
                bypasses += 1
            if guess != code:
                failures += 1
    # A fourth code, whichever identifier asks, is refused: the issuing limit counts the customer, not the route.
    fourth = backend_post(stack, "/v1/verifications", {"phone": person.phone}, headers)
    assert fourth.status_code == 429
    warned = backend_get(stack, "/v1/outbox", recipient=person.email, template="verification_locked")["total"]
    backend_log = (stack.logs_dir / "backend.log").read_text()
    entry = attacks.record("one_time_code_brute_force", attempts=attempts, bypasses=bypasses)
    assert entry.bypasses == 0, statuses
    assert warned == 1
    assert f'"customer_id": {person.id}' in backend_log and "verification_locked" in backend_log


def test_authenticator_codes_from_the_previous_time_step_are_refused(
    stack: Stack, stack_people: Factory
) -> None:
    person = stack_people.customer(ONE_ORDER)
    enrol_authenticator(stack, person.email, person.id)
    from backend.identity.models import Authenticator

    with stack_people.server.session_factory() as session:
        totp = pyotp.TOTP(session.get(Authenticator, person.id).secret)
    import time

    now = time.time()
    # Not too close to a step boundary, so "previous" and "current" are what they claim to be.
    if now % 30 > 25:
        time.sleep(30 - now % 30 + 1)
        now = time.time()
    previous = totp.at(now - 30)
    challenge = backend_post(stack, "/v1/verifications", {"email": person.email}, as_actions(stack)).json()[
        "challenge_id"
    ]
    stale = backend_post(stack, f"/v1/verifications/{challenge}/check", {"code": previous}, as_actions(stack))
    current = backend_post(
        stack, f"/v1/verifications/{challenge}/check", {"code": totp.at(now)}, as_actions(stack)
    )
    entry = attacks.record("totp_window", attempts=1, bypasses=int(stale.status_code == 200))
    assert entry.bypasses == 0 and current.status_code == 200
