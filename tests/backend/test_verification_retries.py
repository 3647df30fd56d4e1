"""Sending and checking a one-time code are safe to repeat under one Idempotency-Key, on each database.

The action server keys both calls by the customer's message, so a message resent after a crash gets the
first answer back: no second code, the same token, a wrong code counted once. A new key is a new attempt
and meets every limit as before.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from backend.identity.models import VerificationChallenge, VerificationToken
from tests.support import BackendServer, Factory, new_key, verified

pytestmark = pytest.mark.attack

ONE_ORDER = [{"status": "delivered", "total_cents": 1000, "delivered_days_ago": 1}]
REPLAYED = "Idempotent-Replayed"


def send(server: BackendServer, key: str, **identity: Any) -> requests.Response:
    return server.post("/v1/verifications", json=identity, headers={"Idempotency-Key": key}, as_="actions")


def check(server: BackendServer, challenge_id: str, code: str, key: str) -> requests.Response:
    return server.post(
        f"/v1/verifications/{challenge_id}/check",
        json={"code": code},
        headers={"Idempotency-Key": key},
        as_="actions",
    )


def started(server: BackendServer, email: str) -> str:
    response = send(server, new_key(), email=email)
    assert response.status_code == 201, response.text
    return response.json()["challenge_id"]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def codes_sent(server: BackendServer, recipient: str) -> int:
    outbox = server.get("/v1/outbox", params={"recipient": recipient, "template": "verification_code"})
    return outbox.json()["total"]


def wrong_attempts(server: BackendServer, challenge_id: str) -> int:
    """The count the per-code limit and the per-customer budget are both computed from."""
    with server.session_factory() as session:
        challenge = session.get(VerificationChallenge, challenge_id)
        assert challenge is not None
        return challenge.attempts


def test_a_resent_code_request_sends_no_second_code(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(ONE_ORDER)
    key = new_key()
    first, again = (send(backend_server, key, email=customer.email) for _ in range(2))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get(REPLAYED) == "true"
    assert codes_sent(backend_server, customer.email) == 1


def test_resent_code_requests_do_not_count_toward_the_codes_limit(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(ONE_ORDER)
    key = new_key()
    resent = [send(backend_server, key, email=customer.email).status_code for _ in range(5)]
    assert resent == [201] * 5
    # New requests still meet the limit of 3 codes per 15 minutes: the 5 above were one of them.
    fresh = [send(backend_server, new_key(), email=customer.email).status_code for _ in range(3)]
    assert fresh == [201, 201, 429]
    assert codes_sent(backend_server, customer.email) == 3


def test_a_resent_right_code_gets_the_same_token(backend_server: BackendServer, factory: Factory) -> None:
    customer = factory.customer(ONE_ORDER)
    challenge_id = started(backend_server, customer.email)
    code, key = backend_server.latest_code(customer.email), new_key()
    first, again = (check(backend_server, challenge_id, code, key) for _ in range(2))
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers.get(REPLAYED) == "true"
    balance = f"/v1/customers/{customer.id}/balance"
    token = again.json()["token"]
    assert backend_server.get(balance, headers=verified(token), as_="actions").status_code == 200
    # A new request is a new use of the code, which is spent.
    used = check(backend_server, challenge_id, code, new_key())
    assert used.status_code == 409 and used.json()["error"]["code"] == "code_already_used"
    with backend_server.session_factory() as session:
        assert session.query(VerificationToken).filter_by(challenge_id=challenge_id).count() == 1


def test_a_resent_wrong_code_counts_once_and_a_new_one_counts_again(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(ONE_ORDER)
    challenge_id = started(backend_server, customer.email)
    code, key = backend_server.latest_code(customer.email), new_key()
    # Far more repeats than the 3 wrong codes a challenge allows: counted, they would lock it.
    repeats = [check(backend_server, challenge_id, wrong(code), key) for _ in range(6)]
    assert [response.status_code for response in repeats] == [422] * 6
    assert {response.json()["error"]["details"]["attempts_left"] for response in repeats} == {2}
    assert all(response.headers.get(REPLAYED) == "true" for response in repeats[1:])
    assert wrong_attempts(backend_server, challenge_id) == 1
    new_attempt = check(backend_server, challenge_id, wrong(code), new_key())
    assert new_attempt.status_code == 422 and new_attempt.json()["error"]["details"]["attempts_left"] == 1
    assert wrong_attempts(backend_server, challenge_id) == 2
    assert check(backend_server, challenge_id, code, new_key()).status_code == 200


def test_concurrent_repeats_of_a_wrong_code_count_once(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer = factory.customer(ONE_ORDER)
    challenge_id = started(backend_server, customer.email)
    guess, key = wrong(backend_server.latest_code(customer.email)), new_key()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: check(backend_server, challenge_id, guess, key), range(8)))
    assert [response.status_code for response in responses] == [422] * 8
    assert sum(response.headers.get(REPLAYED) == "true" for response in responses) == 7
    assert wrong_attempts(backend_server, challenge_id) == 1


def test_a_key_reused_for_a_different_request_is_refused(
    backend_server: BackendServer, factory: Factory
) -> None:
    customer, other = factory.customer(ONE_ORDER), factory.customer(ONE_ORDER)
    key = new_key()
    assert send(backend_server, key, email=customer.email).status_code == 201
    elsewhere = send(backend_server, key, email=other.email)
    assert elsewhere.status_code == 422 and elsewhere.json()["error"]["code"] == "idempotency_key_reused"
    assert codes_sent(backend_server, other.email) == 0 and codes_sent(backend_server, customer.email) == 1
    challenge_id = started(backend_server, customer.email)
    code, check_key = backend_server.latest_code(customer.email), new_key()
    assert check(backend_server, challenge_id, wrong(code), check_key).status_code == 422
    # The right code under the wrong code's key is another request: refused, and not counted either way.
    reused = check(backend_server, challenge_id, code, check_key)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
    assert wrong_attempts(backend_server, challenge_id) == 1
    assert check(backend_server, challenge_id, code, new_key()).status_code == 200
