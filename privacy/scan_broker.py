"""The privacy scan's view of RabbitMQ, when a stack's events go there (EVENT_STREAM_URL=amqp://...).

The analytics consumer acknowledges (removes) each message as it stores it, so the queue itself is empty by
the time the scan runs. Instead a queue of the scan's own is bound to Rasa's fanout exchange before the corpus
plays: it receives a copy of every event published meanwhile (Rasa's and the console's), and the scan reads
and deletes it afterwards. Locally the broker is the SQL event stream, an SQLite file the scan reads anyway.
"""

from __future__ import annotations

import asyncio
from typing import Any, List

from common.event_stream import RASA_EXCHANGE

TAP_QUEUE = "privacy_scan_tap"


class BrokerTap:
    def __init__(self, url: str, queue: str = TAP_QUEUE) -> None:
        self.url, self.queue = url, queue

    async def _queue(self, connection: Any) -> Any:
        import aio_pika

        channel = await connection.channel()
        exchange = await channel.declare_exchange(RASA_EXCHANGE, aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(self.queue, durable=True)
        await queue.bind(exchange, "")
        return queue

    async def _open(self) -> None:
        import aio_pika

        connection = await aio_pika.connect_robust(self.url)
        async with connection:
            queue = await self._queue(connection)
            await queue.purge()  # copies from an earlier run are not this corpus's

    async def _drain(self) -> List[str]:
        import aio_pika

        bodies: List[str] = []
        connection = await aio_pika.connect_robust(self.url)
        async with connection:
            queue = await self._queue(connection)
            while True:
                message = await queue.get(no_ack=True, fail=False)
                if message is None:
                    break
                bodies.append(message.body.decode("utf-8", errors="replace"))
            await queue.delete(if_unused=False, if_empty=False)
        return bodies

    def open(self) -> None:
        """Start copying: from now on every event published to Rasa's exchange is kept for the scan."""
        asyncio.run(self._open())

    def drain(self) -> List[str]:
        """Every copied message body, once; the tap's queue is deleted."""
        return asyncio.run(self._drain())
