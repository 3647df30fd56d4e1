"""Web chat channel nodes without a model. New sessions are limited per network address.

Across Rasa replicas: with WEBCHAT_REDIS_URL, a message pushed through one node reaches a customer
connected to another, and presence asked of any node is right. Without Redis (the control) neither holds.

Two real channel nodes (Sanic + python-socketio, no model) and a real socket.io client; the Redis server is
FRONTDESK_TEST_REDIS_URL (default redis://127.0.0.1:6379/0; skipped if none answers, unless CI names one).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import time
from typing import Dict, Iterator, List, Optional

import pytest
import requests
import socketio

from tests.support import wait_until_answering
from tools.stack import REPO_ROOT, free_port

SECRET = "replica-test-secret-0123456789abcdef"
API_TOKEN = "replica-test-token"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def redis_url() -> Optional[str]:
    url = os.environ.get("FRONTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.from_url(url, socket_connect_timeout=2).ping()
        return url
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if os.environ.get("FRONTDESK_TEST_REDIS_URL"):
            raise RuntimeError(f"FRONTDESK_TEST_REDIS_URL is set but Redis is not reachable: {exc}") from exc
        return None


def start_nodes(count: int, tmp_path, redis: Optional[str], **extra_env: str) -> List[str]:
    env = dict(
        os.environ,
        FRONTDESK_ENV="development",
        CHANNEL_SESSION_SECRET=SECRET,
        RASA_API_TOKEN=API_TOKEN,
        **extra_env,
    )
    env.pop("WEBCHAT_REDIS_URL", None)
    if redis:
        env["WEBCHAT_REDIS_URL"] = redis
    urls = []
    for index in range(count):
        port = free_port()
        log = open(tmp_path / f"node-{index}.log", "ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.webchat.node", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        PROCESSES.append(process)
        urls.append(f"http://127.0.0.1:{port}")
    for index, (url, process) in enumerate(zip(urls, PROCESSES[-count:], strict=True)):
        wait_until_answering(f"{url}/webhooks/socketio/", process, tmp_path / f"node-{index}.log", timeout=60)
    return urls


PROCESSES: List[subprocess.Popen] = []


@pytest.fixture
def nodes_cleanup() -> Iterator[None]:
    yield
    while PROCESSES:
        process = PROCESSES.pop()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


class Customer:
    """A socket.io client holding one web chat session on one node."""

    def __init__(self, node_url: str, session_id: Optional[str] = None) -> None:
        self.received: queue.Queue[Dict] = queue.Queue()
        self.confirmed: queue.Queue[str] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.received.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.on("session_refused", lambda data: self.confirmed.put(f"refused: {data['text']}"))
        self.client.connect(node_url, transports=["polling"], socketio_path="/socket.io")
        self.client.emit("session_request", {"session_id": session_id})
        self.session_id = self.confirmed.get(timeout=10)
        self.sender_id = self.session_id.split(".")[0]
        # A new chat opens with the greeting (a resumed or refused one does not): read it first.
        new_chat = self.session_id != session_id and not self.session_id.startswith("refused:")
        self.greeting = self.next_message() if new_chat else None

    def say(self, text: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    def next_message(self, timeout: float = 10) -> Optional[Dict]:
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            return None


def presence(node_url: str, sender_id: str) -> bool:
    answer = requests.get(f"{node_url}/webhooks/socketio/presence/{sender_id}", headers=AUTH, timeout=10)
    answer.raise_for_status()
    return answer.json()["connected"]


def wait_until(check, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_with_redis_a_push_through_any_replica_reaches_the_customer(tmp_path, nodes_cleanup) -> None:
    url = redis_url()
    if url is None:
        pytest.skip("Redis is not reachable (set FRONTDESK_TEST_REDIS_URL to test against one)")
    node_a, node_b = start_nodes(2, tmp_path, url)
    customer = Customer(node_a)
    customer.say("hello")
    assert customer.next_message() == {"text": "echo: hello"}
    assert presence(node_b, customer.sender_id) is True  # asked of the other replica
    assert requests.post(
        f"{node_b}/push/{customer.sender_id}", json={"text": "Hi, Alice here."}, timeout=10
    ).ok
    assert customer.next_message() == {"text": "Hi, Alice here.", "agent": "Alice"}
    customer.client.disconnect()
    assert wait_until(lambda: presence(node_b, customer.sender_id) is False)


def test_without_redis_each_replica_only_knows_its_own_sockets(tmp_path, nodes_cleanup) -> None:
    node_a, node_b = start_nodes(2, tmp_path, None)
    customer = Customer(node_a)
    assert presence(node_a, customer.sender_id) is True
    assert presence(node_b, customer.sender_id) is False
    requests.post(f"{node_b}/push/{customer.sender_id}", json={"text": "lost"}, timeout=10)
    assert customer.next_message(timeout=2) is None


def test_new_sessions_are_limited_per_address_but_returning_customers_are_not(
    tmp_path, nodes_cleanup
) -> None:
    (node,) = start_nodes(1, tmp_path, None, NEW_SESSIONS_PER_ADDRESS="3/hour")
    first = Customer(node)
    others = [Customer(node) for _ in range(2)]
    assert all(other.session_id.startswith("wc-") for other in others)
    refused = Customer(node)
    assert refused.session_id.startswith("refused: Too many new chats"), refused.session_id
    # A reload presents its signed id: not a new session, so not limited.
    returning = Customer(node, session_id=first.session_id)
    assert returning.session_id == first.session_id
    returning.say("still here")
    assert returning.next_message() == {"text": "echo: still here"}
    # The clients are not disconnected one by one: a polling client waits out its long poll (about 25 s);
    # stopping the node ends them all.
