"""The analytics consumer: reads the event stream and writes the analytics store, each event once.

`python -m analytics.consumer` follows the stream until stopped; `--drain` reads what is there and exits.

- SQL stream (local; Rasa's SQL event broker): rows after the stored position, in id order, in batches;
  events and the new position commit together.
- RabbitMQ (production; Rasa's pika broker): messages are stored in batches, one transaction each (up to
  AMQP_BATCH messages, or what arrived before a pause of AMQP_FLUSH_SECONDS), and acknowledged only after
  their batch is committed, so a crash redelivers them; the unique event key makes the redelivery count
  once. One transaction per message cost 20-30 ms of CPU per customer message (Rasa publishes about 15
  events per message; bench/SERVING.md, "Scaling curve").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import threading
import time
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from analytics import models as _models  # noqa: F401 - registers the tables
from analytics import service
from analytics.database import Base
from common import logs
from common.database import make_engine, make_session_factory
from common.event_stream import RASA_EXCHANGE, broker_events, broker_metadata
from common.settings import AnalyticsSettings, analytics_settings

logger = logging.getLogger("analytics.consumer")
BATCH = 500
# How long --drain waits for one more RabbitMQ message before it calls the queue empty.
AMQP_IDLE_SECONDS = 2.0
AMQP_BATCH = 100
AMQP_FLUSH_SECONDS = 0.2


def open_store(database_url: str) -> sessionmaker:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    return make_session_factory(engine)


def _decode(data: Any) -> Optional[Dict[str, Any]]:
    try:
        event = json.loads(data)
    except (TypeError, ValueError):
        return None
    return event if isinstance(event, dict) else None


class SqlStreamConsumer:
    """Reads the broker table by id after the stored position."""

    def __init__(self, stream_url: str, sessions: sessionmaker) -> None:
        self.stream_url = stream_url
        self.stream: Engine = make_engine(stream_url)
        broker_metadata.create_all(self.stream)
        self.sessions = sessions

    def step(self) -> int:
        """One batch: how many rows were read (0 when caught up)."""
        with self.sessions() as db_session:
            after = service.position(self.stream_url, db_session=db_session)
            with self.stream.connect() as connection:
                rows = connection.execute(
                    select(broker_events.c.id, broker_events.c.data)
                    .where(broker_events.c.id > after)
                    .order_by(broker_events.c.id)
                    .limit(BATCH)
                ).all()
            if not rows:
                return 0
            decoded = [event for event in (_decode(row.data) for row in rows) if event is not None]
            service.store(decoded, db_session=db_session)
            service.advance(self.stream_url, rows[-1].id, db_session=db_session)
            db_session.commit()
        return len(rows)

    def drain(self) -> int:
        total = 0
        while True:
            read = self.step()
            total += read
            if read == 0:
                return total

    def follow(self, poll_seconds: float, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if self.step() == 0:
                    stop.wait(poll_seconds)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the consumer; it retries
                logger.exception("reading the event stream failed; retrying")
                stop.wait(poll_seconds)


class AmqpConsumer:
    """Consumes Rasa's queue (declared and bound as Rasa's pika broker does), acknowledging after commit."""

    def __init__(self, url: str, queue: str, sessions: sessionmaker) -> None:
        self.url, self.queue_name, self.sessions = url, queue, sessions

    def _store_batch(self, bodies: List[bytes]) -> None:
        events = [event for event in map(_decode, bodies) if event is not None]
        with self.sessions() as db_session:
            service.store(events, db_session=db_session)
            db_session.commit()

    async def _commit(self, pending: List[Any]) -> int:
        """Store the batch in one transaction, then acknowledge it (every message up to the last)."""
        bodies = [message.body for message in pending]
        await asyncio.get_running_loop().run_in_executor(None, self._store_batch, bodies)
        await pending[-1].ack(multiple=True)
        return len(pending)

    async def run(self, stop: threading.Event, drain: bool = False) -> int:
        import aio_pika

        connection = await aio_pika.connect_robust(self.url)
        handled = 0
        async with connection:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=AMQP_BATCH)
            exchange = await channel.declare_exchange(RASA_EXCHANGE, aio_pika.ExchangeType.FANOUT)
            queue = await channel.declare_queue(self.queue_name, durable=True)
            await queue.bind(exchange, "")
            # The iterator's own timeout, not asyncio.wait_for around it: a cancelled __anext__ closes the
            # iterator (aio-pika 8), and the next idle period then crashed the consumer (KeyError in close).
            pending: List[Any] = []
            quiet_since = time.monotonic()
            async with queue.iterator(timeout=AMQP_FLUSH_SECONDS) as messages:
                while not stop.is_set():
                    try:
                        pending.append(await messages.__anext__())
                    except asyncio.TimeoutError:
                        if pending:
                            handled += await self._commit(pending)
                            pending = []
                        elif drain and time.monotonic() - quiet_since >= AMQP_IDLE_SECONDS:
                            return handled
                        continue
                    quiet_since = time.monotonic()
                    if len(pending) >= AMQP_BATCH:
                        handled += await self._commit(pending)
                        pending = []
                if pending:
                    handled += await self._commit(pending)
        return handled


def consume(settings: AnalyticsSettings, *, drain: bool, stop: Optional[threading.Event] = None) -> int:
    """Read the configured stream into the store (until stopped, or until it is empty with drain)."""
    stop = stop or threading.Event()
    sessions = open_store(settings.database_url)
    if settings.stream_url.startswith("amqp"):
        return asyncio.run(AmqpConsumer(settings.stream_url, settings.queue, sessions).run(stop, drain))
    consumer = SqlStreamConsumer(settings.stream_url, sessions)
    if drain:
        return consumer.drain()
    consumer.follow(settings.poll_seconds, stop)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.consumer", description=__doc__)
    parser.add_argument("--drain", action="store_true", help="read what is in the stream, then exit")
    arguments = parser.parse_args(argv)
    logs.configure("analytics")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    started = time.monotonic()
    handled = consume(analytics_settings(), drain=arguments.drain, stop=stop)
    if arguments.drain:
        print(f"{handled} stream events read in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
