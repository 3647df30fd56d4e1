"""Attacks on step-up verification, against the real backend on each database."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import update

from backend.identity.models import VerificationChallenge, VerificationToken
from common.database import utcnow
from tests import attacks
from tests.support import BackendServer, Factory, verified

pytestmark = pytest.mark.attack

ONE_ORDER = [{"status": "delivered", "total_cents": 1000, "delivered_days_ago": 1}]


def start(server: BackendServer, **identity) -> str:
    response = server.post("/v1/verifications", json=identity)
    assert response.status_code == 201, response.text
    return response.json()["challenge_id"]


def check(server: BackendServer, challenge_id: str, code: str):
    return server.post(f"/v1/verifications/{challenge_id}/check", json={"code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_brute_force_locks_after_three_wrong_codes(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(ONE_ORDER)
    challenge = start(backend_server, email=customer.email)
    code = backend_server.latest_code(customer.email)
    first, second, third = (check(backend_server, challenge, wrong(code)) for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [422, 422, 423]
    assert first.json()["error"]["details"]["attempts_left"] == 2
    assert second.json()["error"]["details"]["attempts_left"] == 1
    locked = check(backend_server, challenge, code)  # the right code, too late
    assert locked.status_code == 423 and locked.json()["error"]["code"] == "challenge_locked"
    attacks.record("one_time_code_brute_force", attempts=4, bypasses=int(locked.status_code == 200))


def test_a_used_code_cannot_be_replayed(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(ONE_ORDER)
    challenge = start(backend_server, email=customer.email)
    code = backend_server.latest_code(customer.email)
    assert check(backend_server, challenge, code).status_code == 200
    replay = check(backend_server, challenge, code)
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "code_already_used"
    attacks.record("code_replay", bypasses=int(replay.status_code == 200))


def test_a_code_for_another_customer_does_not_verify(backend_server: BackendServer, factory: Factory) -> None:
    victim, attacker = factory.customer(ONE_ORDER), factory.customer(ONE_ORDER)
    victim_challenge = start(backend_server, email=victim.email)
    start(backend_server, email=attacker.email)
    attackers_code = backend_server.latest_code(attacker.email)
    foreign = check(backend_server, victim_challenge, attackers_code)
    assert attacks.record("foreign_code", bypasses=int(foreign.status_code == 200)).bypasses == 0
    assert foreign.status_code == 422


def test_expired_codes_and_tokens_are_refused(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(ONE_ORDER)
    challenge = start(backend_server, email=customer.email)
    code = backend_server.latest_code(customer.email)
    with backend_server.session_factory() as session:
        session.execute(
            update(VerificationChallenge)
            .where(VerificationChallenge.id == challenge)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    assert check(backend_server, challenge, code).status_code == 410

    token = backend_server.verify(customer.email)
    balance = f"/v1/customers/{customer.id}/balance"
    assert backend_server.get(balance, headers=verified(token), as_="actions").status_code == 200
    with backend_server.session_factory() as session:
        session.execute(
            update(VerificationToken)
            .where(VerificationToken.customer_id == customer.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    expired = backend_server.get(balance, headers=verified(token), as_="actions")
    assert expired.status_code == 403


def test_sensitive_operations_refuse_missing_forged_and_foreign_tokens(
    backend_server: BackendServer, factory: Factory
) -> None:
    owner, other = factory.customer(ONE_ORDER), factory.customer(ONE_ORDER)
    others_token = backend_server.verify(other.email)
    # As the action server would call: its credential acts for a customer only with their token.
    attempts = [
        backend_server.get(f"/v1/customers/{owner.id}/balance", as_="actions"),
        backend_server.get(
            f"/v1/customers/{owner.id}/balance", headers=verified("forged-token"), as_="actions"
        ),
        backend_server.get(
            f"/v1/customers/{owner.id}/balance", headers=verified(others_token), as_="actions"
        ),
        backend_server.get(
            "/v1/invoices", params={"customer_id": owner.id}, headers=verified(others_token), as_="actions"
        ),
        backend_server.get("/v1/payments", params={"customer_id": owner.id}, as_="actions"),
        backend_server.get(f"/v1/customers/{owner.id}", headers=verified(others_token), as_="actions"),
        backend_server.patch(
            f"/v1/customers/{owner.id}",
            json={"address": "1 Attacker Road, Evil, 1, US"},
            headers=verified(others_token),
            as_="actions",
        ),
        backend_server.post(
            f"/v1/customers/{owner.id}/email-change",
            json={"new_email": "x@example.org"},
            headers=verified(others_token),
            as_="actions",
        ),
        backend_server.post(
            "/v1/refunds",
            json={"order_id": owner.order_ids[0], "email": owner.email},
            headers={**verified(others_token), "Idempotency-Key": "k-" + owner.email},
            as_="actions",
        ),
        backend_server.post(
            f"/v1/customers/{owner.id}/deletion-requests",
            json={},
            headers=verified(others_token),
            as_="actions",
        ),
        backend_server.post(
            f"/v1/customers/{owner.id}/data-copy-requests",
            json={},
            headers=verified(others_token),
            as_="actions",
        ),
        backend_server.post(
            "/v1/password-resets", json={"email": owner.email}, headers=verified(others_token), as_="actions"
        ),
    ]
    attacks.record(
        "forged_or_foreign_verification_token",
        attempts=len(attempts),
        bypasses=sum(response.status_code < 400 for response in attempts),
    )
    assert [response.status_code for response in attempts] == [403] * len(attempts)
    # Nothing happened: no refund, no ticket, no email, the profile as it was.
    assert backend_server.get("/v1/refunds", params={"customer_id": owner.id}).json()["total"] == 0
    assert backend_server.get("/v1/tickets", params={"customer_id": owner.id}).json()["total"] == 0
    assert backend_server.get("/v1/outbox", params={"recipient": owner.email}).json()["total"] == 0
    profile = backend_server.get(f"/v1/customers/{owner.id}").json()
    assert profile["address"] == "1 Test Street, Testville, 00001, US" and profile["email"] == owner.email


def test_issuing_codes_is_rate_limited_for_known_and_unknown_identifiers(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(ONE_ORDER)
    for email in (customer.email, f"ghost-{customer.id}@example.org"):
        statuses = [
            backend_server.post("/v1/verifications", json={"email": email}).status_code for _ in range(4)
        ]
        assert statuses == [201, 201, 201, 429], email


def test_sms_code_goes_to_the_phone_on_file(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(ONE_ORDER, with_phone=True)
    assert customer.phone is not None
    # Typed the way a customer might; stored and sent as E.164.
    typed = f"({customer.phone[2:5]}) {customer.phone[5:8]}-{customer.phone[8:]}"
    challenge = start(backend_server, phone=typed)
    outbox = backend_server.get("/v1/outbox", params={"recipient": customer.phone}).json()["items"]
    assert outbox[0]["channel"] == "sms" and outbox[0]["template"] == "verification_code"
    checked = check(backend_server, challenge, backend_server.latest_code(customer.phone))
    assert checked.json()["customer_id"] == customer.id


def test_authenticator_app_codes_work_once(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(ONE_ORDER)
    token = backend_server.verify(customer.email)
    enrolled = backend_server.post(f"/v1/customers/{customer.id}/authenticator", headers=verified(token))
    assert enrolled.status_code == 201
    totp = pyotp.TOTP(enrolled.json()["secret"]).now()
    first = start(backend_server, email=customer.email)
    assert check(backend_server, first, totp).status_code == 200
    second = start(backend_server, email=customer.email)
    assert check(backend_server, second, totp).status_code == 422  # same time step: a replay


def test_password_reset_by_customer_id_for_a_phone_verified_customer(
    backend_server: BackendServer, factory: Factory
) -> None:
    owner, other = factory.customer(ONE_ORDER, with_phone=True), factory.customer(ONE_ORDER)
    challenge = start(backend_server, phone=owner.phone)
    token = check(backend_server, challenge, backend_server.latest_code(owner.phone)).json()["token"]
    refused = backend_server.post(
        "/v1/password-resets", json={"customer_id": other.id}, headers=verified(token), as_="actions"
    )
    assert refused.status_code == 403  # someone else's account with this customer's token
    accepted = backend_server.post(
        "/v1/password-resets", json={"customer_id": owner.id}, headers=verified(token), as_="actions"
    )
    assert accepted.status_code == 202
    reset = backend_server.get("/v1/outbox", params={"recipient": owner.email, "template": "password_reset"})
    assert reset.json()["total"] == 1
    both = backend_server.post("/v1/password-resets", json={"customer_id": owner.id, "email": owner.email})
    assert both.status_code == 422


def test_codes_and_tokens_are_stored_hashed(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(ONE_ORDER)
    challenge_id = start(backend_server, email=customer.email)
    code = backend_server.latest_code(customer.email)
    token = check(backend_server, challenge_id, code).json()["token"]
    with backend_server.session_factory() as session:
        challenge = session.get(VerificationChallenge, challenge_id)
        tokens = session.query(VerificationToken).filter_by(customer_id=customer.id).all()
        stored = [challenge.code_hash] + [row.token_hash for row in tokens]
    assert len(challenge.code_hash) == 64 and code not in challenge.code_hash
    assert tokens and all(token not in value for value in stored)
    assert all(len(value) == 64 and int(value, 16) >= 0 for value in stored)  # sha256 hex digests
