"""Console login (finding 10): password spraying and guessing are throttled per address as well as per
account, nobody can lock an agent out from one address, and admins can read what agents did."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Dict, Iterator

import pytest
import requests

from tests import attacks
from tests.e2e.helpers import random_address
from tests.support import ConsoleServer, start_console, stop_process
from tools.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.attack]


@pytest.fixture
def console(stack: Stack, tmp_path) -> Iterator[ConsoleServer]:
    server = start_console(
        SimpleNamespace(base_url=stack.config.backend_url),
        tmp_path,
        console_token=stack.config.console_token,
        FRONTDESK_TRUST_PROXY="true",
    )
    yield server
    stop_process(server.process)


def login(console: ConsoleServer, username: str, password: str, address: str) -> requests.Response:
    return requests.post(
        f"{console.base_url}/api/login",
        json={"username": username, "password": password},
        headers={"X-Real-IP": address},
        timeout=30,
    )


def test_password_spraying_from_one_address_is_stopped(console: ConsoleServer) -> None:
    sprayer = random_address()
    statuses = [login(console, f"user{index}", "Winter2026!", sprayer).status_code for index in range(20)]
    # The sprayed password now happens to be Bob's: from this address it no longer matters.
    lucky = login(console, "bob", console.agents["bob"], sprayer)
    assert statuses == [401] * 20, statuses
    entry = attacks.record("console_password_spraying", attempts=21, bypasses=int(lucky.status_code == 200))
    assert entry.bypasses == 0 and lucky.status_code == 429
    # Bob, from his own address, is not locked out by someone else's spraying.
    assert login(console, "bob", console.agents["bob"], random_address()).status_code == 200


def test_guessing_one_agents_password_cannot_lock_them_out(console: ConsoleServer) -> None:
    attacker = random_address()
    guesses = [login(console, "carol", f"guess-{index}", attacker).status_code for index in range(7)]
    assert guesses[:5] == [401] * 5 and set(guesses[5:]) == {429}, guesses
    right_from_attacker = login(console, "carol", console.agents["carol"], attacker)
    from_carols_desk = login(console, "carol", console.agents["carol"], random_address())
    entry = attacks.record(
        "console_password_guessing", attempts=8, bypasses=int(right_from_attacker.status_code == 200)
    )
    assert entry.bypasses == 0
    assert from_carols_desk.status_code == 200, from_carols_desk.text


def test_admins_read_the_audit_trail_of_agent_actions(console: ConsoleServer, stack: Stack) -> None:
    desk = random_address()
    login(console, "alice", "not-her-password", desk)
    alice = requests.Session()
    assert alice.post(
        f"{console.base_url}/api/login",
        json={"username": "alice", "password": console.agents["alice"]},
        headers={"X-Real-IP": desk},
        timeout=30,
    ).ok
    ticket = requests.post(
        f"{stack.config.backend_url}/v1/tickets",
        json={"subject": "Audit me", "category": "handoff"},
        headers={"Authorization": f"Bearer {stack.config.actions_token}"},
        timeout=10,
    ).json()["id"]
    base = f"{console.base_url}/api/tickets/{ticket}"
    headers = {"X-Real-IP": desk}
    assert alice.post(f"{base}/claim", headers=headers, timeout=30).ok
    assert alice.post(f"{base}/reply", json={"text": "Hello"}, headers=headers, timeout=30).ok
    assert alice.post(f"{base}/resolve", headers=headers, timeout=30).ok
    trail = alice.get(f"{console.base_url}/api/audit", timeout=30)
    assert trail.status_code == 200
    seen: Dict[str, dict] = {}
    for event in trail.json()["items"]:
        seen.setdefault(event["action"], event)
    assert {"login_failed", "login", "claim", "reply", "resolve"} <= set(seen), seen.keys()
    assert seen["login_failed"]["actor"] == "alice" and seen["login_failed"]["client_address"] == desk
    assert seen["resolve"]["ticket_id"] == ticket
    # Only admins: Bob is an agent.
    bob = console.login("bob")
    refused = bob.get(f"{console.base_url}/api/audit", timeout=30)
    anonymous = requests.get(f"{console.base_url}/api/audit", timeout=30)
    entry = attacks.record(
        "audit_trail_access",
        attempts=2,
        bypasses=int(refused.status_code == 200) + int(anonymous.status_code == 200),
    )
    assert entry.bypasses == 0 and refused.status_code == 403 and anonymous.status_code == 401
