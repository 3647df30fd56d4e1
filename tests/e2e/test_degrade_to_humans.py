"""Degrading to humans, end to end on a stack of its own (its breakers open on the first failure and stay open
for a while, which the shared stack must not): once the store's backend fails, a new conversation is told so
and handed to a person with its first message, instead of starting a flow the bot cannot finish. The handoff
reaches ticketing when it is back, the action server counts it on /metrics and the dashboard's store shows it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest
import requests

from analytics import service
from analytics.consumer import open_store
from tests.e2e.helpers import Customer, active_form, backend_get, tracker
from tools.stack import Stack, StackConfig

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fragile_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(
        StackConfig.isolated(
            Path(tmp_path_factory.mktemp("fragile-stack")),
            extra_env={
                "BACKEND_BREAKER_FAIL_MAX": "1",
                "BACKEND_RETRY_ATTEMPTS": "1",
                "BACKEND_BREAKER_RESET_SECONDS": "15",
                "BACKEND_CONNECT_TIMEOUT": "1",
                "HANDOFF_RETRY_SECONDS": "1",
                "FRONTDESK_TRUST_PROXY": "true",
            },
        )
    )
    running.start(timeout=300)
    yield running
    running.stop()


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.5)


def test_new_conversations_go_to_a_person_while_the_backend_fails(fragile_stack: Stack) -> None:
    stack = fragile_stack
    first = Customer(stack)
    assert "email" in first.say_text("where is my order 10043?").lower()
    stack.stop("backend")
    assert "aren't responding" in first.say_text("jane@example.com")  # the failure opens the breakers

    newcomer = Customer(stack)
    answer = newcomer.say_text("where is my order 10042?")
    assert "aren't responding" in answer and "saved your request" in answer, answer
    # No order form asking questions for a bot that cannot look anything up.
    assert "email" not in answer.lower() and active_form(stack, newcomer.sender) is None

    stack.start_backend()
    stack.wait_ready(60, names=["backend"])
    tickets: List[Dict] = []

    def delivered() -> bool:
        tickets[:] = backend_get(stack, "/v1/tickets", conversation_id=newcomer.sender)["items"]
        return bool(tickets)

    wait_for(delivered, timeout=90)
    assert tickets[0]["details"]["escalation_reason"] == "backend_unavailable"
    # The first message waits for the agent in the paused conversation (the console shows it).
    conversation = tracker(stack, newcomer.sender)
    assert conversation["paused"] is True
    assert "where is my order 10042?" in [
        e.get("text") for e in conversation["events"] if e["event"] == "user"
    ]

    metrics = requests.get(f"http://{stack.config.host}:{stack.config.actions_port}/metrics", timeout=10).text
    degraded = [
        line for line in metrics.splitlines() if line.startswith("frontdesk_degraded_to_humans_total{")
    ]
    assert degraded and float(degraded[0].rsplit(" ", 1)[1]) >= 1, degraded

    sessions = open_store(stack.env()["ANALYTICS_DATABASE_URL"])

    def in_the_store() -> bool:
        with sessions() as db_session:
            facts = service.conversation_facts(db_session=db_session, conversation_ids=[newcomer.sender])
        return bool(facts) and facts[0].degraded and facts[0].handoff_reason == "backend_unavailable"

    wait_for(in_the_store)
