"""The consumer against real streams: Rasa's own SQL and pika event brokers write, our consumer reads.

Each event is stored once: a redelivered copy, a restart from a stale position and a crash between commit
and acknowledgement all leave the counts unchanged.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.brokers.sql import SQLEventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import insert, select, update

from analytics import consumer as consumer_module
from analytics import service
from analytics.consumer import AmqpConsumer, SqlStreamConsumer, open_store
from analytics.models import StreamPosition
from common.event_stream import AmqpEventStream, Publisher, broker_events
from tests.analytics.test_metrics import corpus

RABBITMQ_URL = os.environ.get("FRONTDESK_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def rasa_events() -> List[Dict[str, Any]]:
    return [raw for script in corpus() for raw in script.raw if raw.get("source") is None]


def stored(sessions: Any) -> int:
    with sessions() as db_session:
        return service.event_count(db_session=db_session)


def test_sql_stream_each_event_once_across_redelivery_and_restart(tmp_path: Path) -> None:
    stream_url = f"sqlite:///{tmp_path}/events.db"
    broker = SQLEventBroker(db=str(tmp_path / "events.db"))  # Rasa's own broker writes the table
    for event in rasa_events():
        broker.publish(event)
    Publisher("console", stream_url, "unused").emit("ticket_claimed", "c5", agent="alice")
    sessions = open_store(f"sqlite:///{tmp_path}/analytics.db")
    consumer = SqlStreamConsumer(stream_url, sessions)
    consumer.drain()
    first = stored(sessions)
    # Kept: every corpus event the metrics use (csat and reason slots, not the cleared ones twice over).
    assert first > 20
    with sessions() as db_session:
        before = service.conversation_facts(db_session=db_session)

    # Redelivery: the same events appended again (a broker retry writes a new row with the same body).
    with consumer.stream.begin() as connection:
        rows = connection.execute(select(broker_events.c.sender_id, broker_events.c.data)).all()
        connection.execute(
            insert(broker_events), [dict(sender_id=r.sender_id, data=r.data) for r in rows[:10]]
        )
    consumer.drain()
    assert stored(sessions) == first

    # A restart whose position was lost (crash before it was saved): everything is read again, nothing doubles.
    with sessions() as db_session:
        db_session.execute(update(StreamPosition).values(last_id=0))
        db_session.commit()
    SqlStreamConsumer(stream_url, sessions).drain()
    assert stored(sessions) == first
    with sessions() as db_session:
        assert service.conversation_facts(db_session=db_session) == before

    # A new event after the restart is read.
    broker.publish({**rasa_events()[0], "timestamp": 1_800_000_000.0})
    SqlStreamConsumer(stream_url, sessions).drain()
    assert stored(sessions) == first + 1


def rabbitmq_or_skip() -> None:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError:
        if "FRONTDESK_TEST_RABBITMQ_URL" in os.environ:
            raise
        pytest.skip("no RabbitMQ on 127.0.0.1:5672")


async def publish_with_rasa(queue: str, events: List[Dict[str, Any]]) -> None:
    """Rasa's PikaEventBroker, configured as deploy/endpoints.yml configures it."""
    broker = await PikaEventBroker.from_endpoint_config(
        EndpointConfig(url="127.0.0.1", username="guest", password="guest", queues=[queue])
    )
    assert broker is not None
    for event in events:
        broker.publish(event)
    await asyncio.sleep(1)  # publish() schedules a task; let them run before closing
    await broker.close()


class CrashAfterCommit(AmqpConsumer):
    """Commits the first batch's events, then dies before acknowledging it."""

    def _store_batch(self, bodies: List[bytes]) -> None:
        super()._store_batch(bodies)
        raise RuntimeError("killed between commit and ack")


async def delete_queue(queue: str) -> None:
    import aio_pika

    connection = await aio_pika.connect_robust(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


@pytest.fixture
def rabbitmq_queue() -> Iterator[str]:
    rabbitmq_or_skip()
    queue = f"frontdesk_test_{uuid.uuid4().hex[:8]}"
    yield queue
    asyncio.run(delete_queue(queue))


def test_rabbitmq_each_event_once_across_redelivery_and_crash(tmp_path: Path, rabbitmq_queue: str) -> None:
    queue = rabbitmq_queue
    events = rasa_events()
    asyncio.run(publish_with_rasa(queue, events))
    console = AmqpEventStream(RABBITMQ_URL, queue)
    claim = {
        "event": "ticket_claimed",
        "source": "console",
        "sender_id": "c5",
        "timestamp": 1.0,
        "event_id": "x",
    }
    console.publish(claim)
    console.publish(json.loads(json.dumps(claim)))  # a redelivered copy

    sessions = open_store(f"sqlite:///{tmp_path}/analytics.db")
    with pytest.raises(RuntimeError):
        asyncio.run(CrashAfterCommit(RABBITMQ_URL, queue, sessions).run(threading.Event(), drain=True))
    assert stored(sessions) >= 1  # the first batch's events were committed, then the consumer died
    handled = asyncio.run(AmqpConsumer(RABBITMQ_URL, queue, sessions).run(threading.Event(), drain=True))
    # Every message was delivered again or for the first time: the unacknowledged one included.
    assert handled == len(events) + 2
    reference = open_store(f"sqlite:///{tmp_path}/reference.db")
    with reference() as db_session:
        service.store([*events, claim], db_session=db_session)
        db_session.commit()
    assert stored(sessions) == stored(reference)


def test_rabbitmq_consumer_keeps_following_after_idle_periods(
    tmp_path: Path, rabbitmq_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Following (not draining) the queue survives several idle timeouts, then stores what arrives."""
    idle = 0.3
    monkeypatch.setattr(consumer_module, "AMQP_IDLE_SECONDS", idle)
    sessions = open_store(f"sqlite:///{tmp_path}/analytics.db")
    stop = threading.Event()
    failures: List[BaseException] = []

    def follow() -> None:
        try:
            asyncio.run(AmqpConsumer(RABBITMQ_URL, rabbitmq_queue, sessions).run(stop))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    following = threading.Thread(target=follow)
    following.start()
    try:
        time.sleep(4 * idle)  # three idle periods: the second one used to crash it
        AmqpEventStream(RABBITMQ_URL, rabbitmq_queue).publish(
            {
                "event": "ticket_claimed",
                "source": "console",
                "sender_id": "c9",
                "timestamp": 1.0,
                "event_id": "y",
            }
        )
        deadline = time.monotonic() + 10
        while stored(sessions) == 0 and time.monotonic() < deadline and following.is_alive():
            time.sleep(0.2)
        assert not failures, failures
        assert stored(sessions) == 1
    finally:
        stop.set()
        following.join(10)
