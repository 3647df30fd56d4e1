"""Publishing our own events (the console's and the backend's) on the stream Rasa's event broker feeds,
so the analytics consumer reads one ordered source.

- An SQL URL: a row in the `events` table with the columns Rasa's SQL event broker uses (id, sender_id,
  data), in the same database Rasa writes to.
- amqp://...: a persistent message on the queue Rasa's pika broker publishes to (its fanout exchange).

Publishing never fails the caller's work (an agent's claim must not fail because metrics are down): a
failure is logged and the event is lost for metrics, which is all it costs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Protocol, Tuple

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, insert, select
from sqlalchemy.orm import Session

from common.batches import below_newest
from common.database import make_engine

logger = logging.getLogger(__name__)
RASA_EXCHANGE = "rasa-exchange"

# What the console publishes (console/handoffs/views.py) for the human side of a handoff.
TICKET_CLAIMED = "ticket_claimed"
TICKET_TRANSFERRED = "ticket_transferred"
TICKET_UNASSIGNED = "ticket_unassigned"
TICKET_RESOLVED = "ticket_resolved"
AGENT_REPLIED = "agent_replied"
HANDOFF_RATED = "handoff_rated"
# What the console publishes (console/suggestions/service.py) for a reply sent from an agent-assist draft.
SUGGESTION_SENT = "suggestion_sent"
# What the backend publishes (backend/events.py).
TICKET_CREATED = "ticket_created"
TICKET_RATED = "ticket_rated"
PUBLISH_TIMEOUT_SECONDS = 5

broker_metadata = MetaData()
# Rasa's SQLEventBroker table, column for column (rasa/core/brokers/sql.py).
broker_events = Table(
    "events",
    broker_metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)


def stream_event(source: str, kind: str, conversation_id: str, **fields: Any) -> Dict[str, Any]:
    """An event in the stream's shape; the random event_id makes a redelivered copy recognisable."""
    return {
        "event": kind,
        "source": source,
        "sender_id": conversation_id,
        "timestamp": time.time(),
        "event_id": uuid.uuid4().hex,
        **fields,
    }


class EventStream(Protocol):
    def publish(self, event: Dict[str, Any]) -> None: ...


class SqlEventStream:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        broker_metadata.create_all(self.engine)

    def publish(self, event: Dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(broker_events).values(sender_id=event.get("sender_id"), data=json.dumps(event))
            )


class AmqpEventStream:
    """Publishes from synchronous code through one event loop thread holding a robust connection."""

    def __init__(self, url: str, queue: str) -> None:
        self.url, self.queue = url, queue
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="event-stream", daemon=True).start()
        self._exchange: Any = None

    async def _ensure_exchange(self) -> Any:
        import aio_pika

        if self._exchange is None:
            connection = await aio_pika.connect_robust(self.url)
            channel = await connection.channel()
            exchange = await channel.declare_exchange(RASA_EXCHANGE, aio_pika.ExchangeType.FANOUT)
            queue = await channel.declare_queue(self.queue, durable=True)
            await queue.bind(exchange, "")
            self._exchange = exchange
        return self._exchange

    async def _publish(self, body: bytes) -> None:
        import aio_pika

        exchange = await self._ensure_exchange()
        await exchange.publish(
            aio_pika.Message(
                body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, content_type="application/json"
            ),
            routing_key="",
        )

    def publish(self, event: Dict[str, Any]) -> None:
        body = json.dumps(event).encode()
        asyncio.run_coroutine_threadsafe(self._publish(body), self.loop).result(PUBLISH_TIMEOUT_SECONDS)


def open_stream(url: str, queue: str) -> EventStream:
    if url.startswith("amqp"):
        return AmqpEventStream(url, queue)
    return SqlEventStream(url)


class Publisher:
    """What a service holds: publishes its events, logging instead of failing when the stream is down."""

    def __init__(self, source: str, url: str, queue: str) -> None:
        self.source, self.url, self.queue = source, url, queue
        self._stream: Optional[EventStream] = None
        self._lock = threading.Lock()

    def _open(self) -> EventStream:
        with self._lock:
            if self._stream is None:
                self._stream = open_stream(self.url, self.queue)
            return self._stream

    def emit(self, kind: str, conversation_id: Optional[str], **fields: Any) -> None:
        if not conversation_id:
            return
        try:
            self._open().publish(stream_event(self.source, kind, conversation_id, **fields))
        except Exception as exc:  # noqa: BLE001 - metrics must never fail an agent's or a customer's request
            logger.warning("event %s for %s not published: %s", kind, conversation_id, exc)


# Retention (privacy/retention.py, EVENT_STREAM_RETENTION_DAYS) of an SQL stream; on RabbitMQ a message leaves
# the queue when the consumer acknowledges it. The stream is append-only, so the old rows are a prefix by id;
# the time is the event's own `timestamp` (Rasa's table has no time column). The newest row always stays: the
# analytics consumer follows the table by id.
def _expired_ids(cutoff: datetime, after: int, limit: int, *, db_session: Session) -> Tuple[List[int], bool]:
    """Up to `limit` ids after `after` written before the cutoff, and whether a newer row was reached."""
    cutoff_timestamp = cutoff.replace(tzinfo=timezone.utc).timestamp()
    rows = db_session.execute(
        select(broker_events.c.id, broker_events.c.data)
        .where(broker_events.c.id > after, below_newest(broker_events.c.id))
        .order_by(broker_events.c.id)
        .limit(limit)
    ).all()
    ids: List[int] = []
    for event_id, data in rows:
        try:
            timestamp = float(json.loads(data or "{}").get("timestamp"))
        except (TypeError, ValueError, AttributeError):
            timestamp = None  # no time of its own: it goes with the old rows around it
        if timestamp is not None and timestamp >= cutoff_timestamp:
            return ids, True
        ids.append(event_id)
    return ids, False


def count_events_before(cutoff: datetime, *, db_session: Session, page: int = 5000) -> int:
    total, after = 0, 0
    while True:
        ids, reached_newer = _expired_ids(cutoff, after, page, db_session=db_session)
        total += len(ids)
        if reached_newer or len(ids) < page:
            return total
        after = ids[-1]


def delete_events_before(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Delete one batch of the oldest events written before the cutoff; the caller commits."""
    ids, _ = _expired_ids(cutoff, 0, batch_size, db_session=db_session)
    if ids:
        db_session.execute(delete(broker_events).where(broker_events.c.id.in_(ids)))
    return len(ids)
