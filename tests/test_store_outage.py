"""A conversation store that stops answering: the message is refused with 503 (nothing done, send it again)
instead of being answered without its conversation (common/store_outage.py; measured by make bench-failover).
"""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Iterator, List

import pytest
import redis.exceptions
import sqlalchemy.exc
from rasa.core.channels.channel import UserMessage

from channels.rest import GuardedRestInput
from common import store_outage
from common.settings import channel_settings

TOKEN = "integration-token-for-the-outage-tests"


def database_down() -> sqlalchemy.exc.OperationalError:
    return sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))


@pytest.fixture(autouse=True)
def no_suspect_store() -> Iterator[None]:
    store_outage.forget()
    yield
    store_outage.forget()


class FlakyStore:
    """Fails its first `failures` reads with `error`, then answers."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    @store_outage.reports_outage("flaky store", retries=1)
    async def read(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "events"


def test_a_dead_pooled_connection_is_tried_once_more_and_not_reported() -> None:
    store = FlakyStore(failures=1, error=database_down())
    with store_outage.watching() as failures:
        assert asyncio.run(store.read()) == "events"
    assert failures == [] and store.calls == 2 and store_outage.stores_answer()


def test_an_outage_is_reported_to_the_message_and_the_store_stays_suspect_until_a_ping_answers() -> None:
    store = FlakyStore(failures=5, error=database_down())
    answering = False

    def ping() -> None:
        if not answering:
            raise database_down()

    store_outage.watch("flaky store", ping)
    with store_outage.watching() as failures, pytest.raises(sqlalchemy.exc.OperationalError):
        asyncio.run(store.read())
    assert failures == ["flaky store"]
    assert not store_outage.stores_answer()
    answering = True
    assert store_outage.stores_answer()
    assert store_outage.stores_answer()  # cleared: no more pings needed


def test_a_bug_is_not_an_outage() -> None:
    store = FlakyStore(failures=1, error=KeyError("slot"))
    with store_outage.watching() as failures, pytest.raises(KeyError):
        asyncio.run(store.read())
    assert failures == [] and store.calls == 1
    assert store_outage.is_store_outage(redis.exceptions.ConnectionError("refused"))
    assert not store_outage.is_store_outage(ValueError("bad"))


def rest_webhook(
    monkeypatch: pytest.MonkeyPatch, on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> Callable[[str], Any]:
    """The REST channel's /webhook handler, called with an integration's message."""
    monkeypatch.setenv("REST_CHANNEL_TOKEN", TOKEN)
    blueprint = GuardedRestInput(channel_settings()).blueprint(on_new_message)
    route = next(route for route in blueprint._future_routes if route.uri == "/webhook")

    def send(text: str) -> Any:
        request = SimpleNamespace(
            body=json.dumps({"sender": "outage-test", "message": text}).encode(),
            headers={"Authorization": f"Bearer {TOKEN}"},
            ip="127.0.0.1",
        )
        return asyncio.run(route.handler(request))

    return send


async def answers(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, "Order 10042 was delivered.")


def test_the_rest_channel_refuses_an_answer_made_without_the_conversation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def forgetful(message: UserMessage) -> None:
        # What Rasa's FailSafeTrackerStore does: the read fails, the message is handled as a new conversation.
        store_outage.record_failure("tracker store", database_down())
        await answers(message)

    refused = rest_webhook(monkeypatch, forgetful)("jane@example.com")
    assert refused.status == 503 and refused.headers["Retry-After"] == str(store_outage.RETRY_AFTER_SECONDS)
    assert json.loads(refused.body)["error"]["code"] == store_outage.UNAVAILABLE_CODE


def test_the_rest_channel_refuses_while_the_store_is_down_and_answers_when_it_is_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handled: List[str] = []
    down = True

    def ping() -> None:
        if down:
            raise database_down()

    async def counting(message: UserMessage) -> None:
        handled.append(message.text or "")
        await answers(message)

    store_outage.watch("tracker store", ping)
    store_outage.record_failure("tracker store", database_down())
    send = rest_webhook(monkeypatch, counting)
    assert send("where is my order 10042?").status == 503
    assert handled == []  # refused before Rasa saw it: nothing to undo, safe to send again
    down = False
    answered = send("where is my order 10042?")
    assert answered.status == 200 and json.loads(answered.body)[0]["text"] == "Order 10042 was delivered."
    assert handled == ["where is my order 10042?"]


def test_the_rest_channel_refuses_when_the_lock_store_fails_before_anything_was_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def no_lock(message: UserMessage) -> None:
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    async def answered_then_no_lock(message: UserMessage) -> None:
        await answers(message)  # the answer was given and saved; only releasing the lock failed
        raise redis.exceptions.ConnectionError("Connection reset by peer")

    assert rest_webhook(monkeypatch, no_lock)("hi").status == 503
    after = rest_webhook(monkeypatch, answered_then_no_lock)("hi")
    assert after.status == 200 and json.loads(after.body)[0]["text"] == "Order 10042 was delivered."
