"""Handoffs that stall, duplicate or stay paused, and a slow backend holding everyone up (findings 11, 12).

Each failure is made at the worst moment with real processes: Rasa failing between the steps of a resolve,
ticketing down while a handoff is queued and the action server restarted, the action server killed after
the backend wrote a ticket but before the answer came back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from types import SimpleNamespace
from typing import IO, Dict, List

import pytest
import requests

from actions.handoff_queue import HandoffQueue
from clients.backend import BackendApi
from clients.backend.ticketing import NewTicket, TicketMessage
from common.database import make_engine
from common.settings import ServiceEndpoint
from tests import attacks
from tests.e2e.helpers import Customer, backend_get, tracker
from tests.fault_proxy import FaultProxy
from tests.support import postgres_schema, start_console, stop_process, wait_until_answering
from tools.stack import REPO_ROOT, Stack, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.attack]
RESOLVED_TEXT = "I'm back"


def handed_over(stack: Stack) -> tuple:
    customer = Customer(stack)
    customer.say_text("I want to talk to a human")
    ticket = backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"][0]
    assert tracker(stack, customer.sender)["paused"] is True
    return customer, ticket


def welcomes_back(stack: Stack, sender: str) -> int:
    events = tracker(stack, sender)["events"]
    return sum(
        event.get("event") == "action" and event.get("name") == "action_handoff_resolved" for event in events
    )


@pytest.mark.parametrize("failing", ["/tracker/events", "/execute"])
def test_resolve_survives_rasa_failing_midway_and_is_idempotent(stack: Stack, tmp_path, failing: str) -> None:
    proxy = FaultProxy(stack.config.rasa_url)
    console = start_console(
        SimpleNamespace(base_url=stack.config.backend_url),
        tmp_path,
        rasa_url=proxy.url,
        console_token=stack.config.console_token,
        rasa_token=stack.config.rasa_api_token,
    )
    try:
        customer, ticket = handed_over(stack)
        agent = console.login("alice")
        base = f"{console.base_url}/api/tickets/{ticket['id']}"
        assert agent.post(f"{base}/claim", timeout=30).ok
        proxy.fail_paths = {failing}
        failed = agent.post(f"{base}/resolve", timeout=30)
        open_after_failure = backend_get(stack, f"/v1/tickets/{ticket['id']}")["status"] == "open"
        proxy.fail_paths = set()
        retried = agent.post(f"{base}/resolve", timeout=30)
        again = agent.post(f"{base}/resolve", timeout=30)  # a double click
    finally:
        stop_process(console.process)
        proxy.close()
    assert failed.status_code == 502, failed.text
    assert retried.status_code == 200 and again.status_code == 200, (retried.text, again.text)
    final = backend_get(stack, f"/v1/tickets/{ticket['id']}")
    conversation = tracker(stack, customer.sender)
    stuck = int(not open_after_failure) + int(conversation["paused"]) + int(final["status"] != "solved")
    duplicates = welcomes_back(stack, customer.sender) - 1
    entry = attacks.record(
        "resolve_with_rasa_failing", attempts=3, lost_handoffs=stuck, duplicates=abs(duplicates)
    )
    assert entry.lost_handoffs == 0 and entry.duplicates == 0


def test_handoffs_queued_before_a_restart_are_delivered_at_boot(stack: Stack) -> None:
    stack.stop("backend")
    try:
        customer = Customer(stack)
        queued = customer.say_text("I want to talk to a human")
        assert "saved your request" in queued, queued
        # The action server goes down too, then both come back: nothing else happens in the conversation.
        stack.stop("actions")
    finally:
        stack.start_backend()
        stack.start_actions()
        stack.wait_ready(60, names=["backend", "actions"])
    deadline = time.monotonic() + 30
    delivered: List[dict] = []
    while time.monotonic() < deadline and not delivered:
        delivered = backend_get(stack, "/v1/tickets", conversation_id=customer.sender)["items"]
        time.sleep(1)
    entry = attacks.record("handoff_queued_before_a_restart", lost_handoffs=int(len(delivered) != 1))
    assert entry.lost_handoffs == 0, delivered


@pytest.mark.postgres
def test_the_handoff_queue_is_a_durable_database_table(stack: Stack) -> None:
    with postgres_schema("frontdesk_queue") as url:
        queue = HandoffQueue(make_engine(url))
        ticket = NewTicket(
            subject="Queued",
            category="handoff",
            conversation_id=f"queued-{uuid.uuid4().hex[:8]}",
            messages=[TicketMessage("customer", "help")],
        )
        queue.put("fd-handoff-durable", ticket)
        queue.put("fd-handoff-durable", ticket)  # a retry is stored once
        # A new process (a restarted container) sees what the old one queued.
        reopened = HandoffQueue(make_engine(url))
        assert [key for key, _ in reopened.waiting()] == ["fd-handoff-durable"]
        endpoint = ServiceEndpoint(stack.config.backend_url, stack.config.actions_token, 2, 5)
        assert reopened.deliver(BackendApi.connect(endpoint).ticketing) == 1
        assert reopened.waiting() == []
    assert backend_get(stack, "/v1/tickets", conversation_id=ticket.conversation_id)["total"] == 1


def start_action_server(stack: Stack, backend_url: str, log: IO[bytes]) -> tuple:
    port = free_port()
    env = dict(
        os.environ,
        FRONTDESK_ENV="development",
        BACKEND_URL=backend_url,
        BACKEND_ACTIONS_TOKEN=stack.config.actions_token,
        ACTION_SERVER_TOKEN=stack.config.action_server_token,
        CONSOLE_URL="http://127.0.0.1:9",
        HANDOFF_QUEUE_DATABASE_URL=f"sqlite:///{stack.config.var_dir}/queue-{port}.db",
        BACKEND_READ_TIMEOUT="30",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    wait_until_answering(f"http://127.0.0.1:{port}/health", process, stack.logs_dir / "extra-actions.log", 60)
    return process, f"http://127.0.0.1:{port}/webhook?token={stack.config.action_server_token}"


def action_call(action: str, sender: str, message_id: str, timestamp: float, slots: Dict, text: str) -> dict:
    user_event = {
        "event": "user",
        "text": text,
        "timestamp": timestamp,
        "message_id": message_id,
        "parse_data": {"intent": {"name": "request_human", "confidence": 0.99}, "entities": []},
    }
    return {
        "next_action": action,
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {
                "intent": {"name": "request_human", "confidence": 0.99},
                "entities": [],
                "text": text,
                "message_id": message_id,
                "metadata": {},
            },
            "events": [user_event],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {"slots": {}, "responses": {}, "forms": {}},
        "version": "3.6.21",
    }


def test_a_crash_after_the_ticket_was_written_and_a_resend_make_one_ticket(stack: Stack) -> None:
    proxy = FaultProxy(stack.config.backend_url)
    proxy.hold_paths = {"/v1/tickets"}
    log = open(stack.logs_dir / "extra-actions.log", "ab")
    sender = f"crash-{uuid.uuid4().hex[:8]}"
    message_id = uuid.uuid4().hex
    dying, webhook = start_action_server(stack, proxy.url, log)
    try:
        call = action_call("action_handoff", sender, message_id, time.time(), {}, "a human please")
        worker = threading.Thread(target=lambda: requests.post(webhook, json=call, timeout=60), daemon=True)
        worker.start()
        assert proxy.held.wait(30), "the ticket request never reached the backend"
        dying.send_signal(signal.SIGKILL)  # after the backend wrote the ticket, before the answer came back
        dying.wait(10)
        proxy.release.set()
        # The client resends the same message (same id) to a restarted action server.
        revived, webhook = start_action_server(stack, stack.config.backend_url, log)
        try:
            resent = requests.post(
                webhook,
                json=action_call("action_handoff", sender, message_id, time.time(), {}, "a human please"),
                timeout=60,
            )
            assert resent.status_code == 200, resent.text
        finally:
            revived.terminate()
            revived.wait(10)
    finally:
        proxy.close()
    tickets = backend_get(stack, "/v1/tickets", conversation_id=sender)["total"]
    entry = attacks.record(
        "handoff_resent_after_a_crash", duplicates=tickets - 1, lost_handoffs=int(tickets == 0)
    )
    assert entry.duplicates == 0 and entry.lost_handoffs == 0, tickets


def test_a_slow_backend_call_does_not_hold_up_other_conversations(stack: Stack) -> None:
    proxy = FaultProxy(stack.config.backend_url)
    proxy.delay_paths = {"/v1/orders/10043/lookup": 4.0}
    log = open(stack.logs_dir / "extra-actions.log", "ab")
    server, webhook = start_action_server(stack, proxy.url, log)
    finished: Dict[str, float] = {}

    def lookup(name: str, order_id: str) -> None:
        slots = {"order_id": order_id, "email": "jane@example.com"}
        call = action_call(
            "action_check_order_status", f"slow-{name}", uuid.uuid4().hex, time.time(), slots, ""
        )
        answer = requests.post(webhook, json=call, timeout=60)
        assert answer.status_code == 200, answer.text
        finished[name] = time.monotonic()

    try:
        slow = threading.Thread(target=lookup, args=("slow", "10043"))
        slow.start()
        time.sleep(0.5)  # the slow call is in flight
        lookup("quick", "10042")
        slow.join(30)
    finally:
        server.terminate()
        server.wait(10)
        proxy.close()
    entry = attacks.record(
        "slow_backend_blocks_other_conversations", bypasses=int(finished["quick"] > finished["slow"])
    )
    assert entry.bypasses == 0, finished
