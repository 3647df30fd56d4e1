"""Least privilege between services (findings 4 and 7): each backend credential does only its job, customer
data needs the customer's token, the action server answers only Rasa, and a flood on the console's public
route neither reaches the backend nor the customers' conversations."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
import requests

from tests import attacks
from tests.e2e.helpers import Customer, random_address
from tests.support import Factory, start_console, stop_process
from tools.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.attack]


def call(stack: Stack, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
    return requests.request(
        method,
        f"{stack.config.backend_url}{path}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
        **kwargs,
    )


def test_each_service_credential_is_refused_outside_its_job(stack: Stack, stack_people: Factory) -> None:
    person = stack_people.customer([{"status": "delivered", "total_cents": 5000, "delivered_days_ago": 2}])
    order = person.order_ids[0]
    console, actions = stack.config.console_token, stack.config.actions_token
    refused: List[tuple] = [
        # The console works tickets and reads customers; it moves money only through orders:assist (below),
        # never through the customer-token routes, and never touches identity.
        (console, "POST", "/v1/refunds", {"json": {"order_id": order, "email": person.email}}),
        (console, "POST", f"/v1/orders/{order}/cancel", {"json": {"email": person.email}}),
        (console, "POST", "/v1/verifications", {"json": {"email": person.email}}),
        (console, "PATCH", f"/v1/customers/{person.id}", {"json": {"address": "1 Evil Street, X, 1, US"}}),
        (
            console,
            "POST",
            f"/v1/customers/{person.id}/email-change",
            {"json": {"new_email": "x@example.org"}},
        ),
        (console, "POST", "/v1/password-resets", {"json": {"customer_id": person.id}}),
        (console, "POST", f"/v1/orders/{order}/lookup", {"json": {"email": person.email}}),
        (console, "GET", "/v1/outbox", {}),
        # Acting for a customer (orders:assist) needs an open ticket of theirs, claimed by the acting agent.
        (
            console,
            "POST",
            "/v1/tickets/2147483000/assist/refunds",
            {"json": {"agent": "mallory", "reason": "because", "order_id": order}},
        ),
        (
            actions,
            "POST",
            f"/v1/tickets/1/assist/orders/{order}/cancel",
            {"json": {"agent": "mallory", "reason": "because"}},
        ),
        # The action server acts for customers; it cannot read the queue, other tickets or anyone's data.
        (actions, "GET", "/v1/tickets", {}),
        (actions, "GET", "/v1/tickets/1", {}),
        (actions, "POST", "/v1/tickets/1/claim", {"json": {"agent": "mallory"}}),
        (actions, "GET", "/v1/outbox", {}),
        (actions, "GET", f"/v1/customers/{person.id}", {}),
        (actions, "POST", "/v1/customers/search", {"json": {"email": person.email}}),
        (actions, "GET", "/v1/invoices", {"params": {"customer_id": person.id}}),
        (actions, "GET", "/v1/payments", {"params": {"customer_id": person.id}}),
        (actions, "GET", "/v1/refunds", {"params": {"customer_id": person.id}}),
        (actions, "GET", "/v1/orders", {"params": {"customer_id": person.id}}),
        (actions, "GET", f"/v1/customers/{person.id}/balance", {}),
        (actions, "GET", f"/v1/orders/{order}", {}),
        (actions, "GET", "/v1/invoices", {}),
    ]
    bypasses = 0
    for token, method, path, kwargs in refused:
        answer = call(stack, method, path, token, **kwargs)
        if answer.status_code < 400 or answer.status_code >= 500:
            bypasses += 1
        assert answer.status_code in (403, 404), (method, path, answer.status_code, answer.text[:200])
    entry = attacks.record("backend_credential_least_privilege", attempts=len(refused), bypasses=bypasses)
    assert entry.bypasses == 0


def forged_call(action: str, slots: Dict) -> dict:
    return {
        "next_action": action,
        "sender_id": "forged",
        "tracker": {
            "sender_id": "forged",
            "slots": slots,
            "latest_message": {"intent": {"name": "check_balance"}, "entities": [], "text": "balance"},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {"slots": {}, "responses": {}, "forms": {}},
        "version": "3.6.21",
    }


def test_the_action_server_answers_only_rasa(stack: Stack) -> None:
    webhook = f"http://{stack.config.host}:{stack.config.actions_port}/webhook"
    forged = forged_call(
        "action_check_balance", {"verification_code": "verified", "email": "jane@example.com"}
    )
    attempts = [
        requests.post(webhook, json=forged, timeout=10),
        requests.post(webhook, json=forged, params={"token": "guess"}, timeout=10),
        requests.post(webhook, json=forged, headers={"Authorization": "Bearer guess"}, timeout=10),
        requests.get(f"http://{stack.config.host}:{stack.config.actions_port}/actions", timeout=10),
    ]
    bypasses = sum(answer.status_code != 401 for answer in attempts)
    # Rasa's own token opens it (what endpoints.yml sends).
    allowed = requests.post(
        webhook, json=forged, params={"token": stack.config.action_server_token}, timeout=20
    )
    assert allowed.status_code == 200, allowed.text
    entry = attacks.record("forged_tracker_to_the_action_server", attempts=len(attempts), bypasses=bypasses)
    assert entry.bypasses == 0


def queue_reads(stack: Stack) -> int:
    return (stack.logs_dir / "backend.log").read_text().count("GET /v1/tickets?category=handoff")


def test_a_flood_on_the_public_availability_route_spares_the_backend_and_the_customers(
    stack: Stack, stack_people: Factory, tmp_path
) -> None:
    console = start_console(
        SimpleNamespace(base_url=stack.config.backend_url),
        tmp_path,
        console_token=stack.config.console_token,
        CONSOLE_AVAILABILITY_CACHE_SECONDS="2",
    )
    try:
        url = f"{console.base_url}/api/availability"
        reads_before = queue_reads(stack)
        one_address = random_address()
        statuses: List[int] = []
        stop = threading.Event()

        def flood(address: str) -> None:
            while not stop.is_set():
                try:
                    statuses.append(requests.get(url, headers={"X-Real-IP": address}, timeout=5).status_code)
                except requests.RequestException:
                    statuses.append(0)

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(8):
                pool.submit(flood, one_address)
            # Customers keep talking to the bot meanwhile.
            replies = [Customer(stack).say_text("where is my order 10042?") for _ in range(4)]
            time.sleep(max(0.0, 6 - (time.monotonic() - started)))
            stop.set()
        elapsed = time.monotonic() - started
        reads = queue_reads(stack) - reads_before
        served = statuses.count(200)
        throttled = statuses.count(429)
    finally:
        stop_process(console.process)
    unavailable = sum("aren't responding" in reply for reply in replies)
    entry = attacks.record("console_public_route_flood", attempts=len(statuses), bypasses=unavailable)
    assert entry.bypasses == 0, replies
    # One address is limited (60/minute); the backend is read at most once per cache period.
    assert served <= 60 and throttled >= len(statuses) - 60, (served, throttled)
    assert reads <= elapsed / 2 + 2, (reads, elapsed)
