"""Handoffs that could not reach ticketing wait here, in a durable store, and are delivered when it recovers.

The store is a database table (HANDOFF_QUEUE_DATABASE_URL): a local SQLite file by default, PostgreSQL in
docker-compose, so a queued handoff survives a restart or a replaced container. Each entry keeps its
Idempotency-Key, so a delivery that times out half-way and is tried again still creates one ticket.
The delivery worker starts when the action server starts (actions/server.py), so handoffs queued before
a restart go out without waiting for a new failure.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, List, Optional, Tuple

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from actions.backend import backend, settings
from clients.backend.ticketing import NewTicket, TicketingClient, TicketMessage
from clients.http import ServiceRefused, ServiceUnavailable
from common.batches import count_rows, delete_batch
from common.database import make_engine

logger = logging.getLogger(__name__)

metadata = MetaData()
pending = Table(
    "pending_handoffs",
    metadata,
    Column("idempotency_key", String(200), primary_key=True),
    Column("ticket_json", Text, nullable=False),
    Column("queued_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
)


class HandoffQueue:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    def put(self, idempotency_key: str, ticket: NewTicket) -> None:
        """Keep a ticket for later delivery (a retry of the same handoff is stored once)."""
        row = {
            "idempotency_key": idempotency_key,
            "ticket_json": json.dumps(dataclasses.asdict(ticket)),
            "queued_at": time.time(),
            "attempts": 0,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(pending).values(**row))
        except IntegrityError:
            pass  # already waiting

    def waiting(self) -> List[Tuple[str, NewTicket]]:
        """Waiting tickets, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(pending.c.idempotency_key, pending.c.ticket_json).order_by(pending.c.queued_at)
            ).fetchall()
        return [(key, _ticket_from_json(payload)) for key, payload in rows]

    def deliver(self, ticketing: TicketingClient) -> int:
        """Send what is waiting; stop at the first sign that ticketing is still down. Returns how many went."""
        delivered = 0
        for key, ticket in self.waiting():
            try:
                ticketing.create_ticket(ticket, idempotency_key=key)
            except ServiceUnavailable:
                self._note_failure(key, "ticketing unavailable")
                break
            except ServiceRefused as exc:
                # Kept, not dropped: a person can read and resend it (see README, "Resilience").
                self._note_failure(key, str(exc))
                continue
            with self.engine.begin() as connection:
                connection.execute(delete(pending).where(pending.c.idempotency_key == key))
            delivered += 1
        return delivered

    def _note_failure(self, key: str, error: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(pending)
                .where(pending.c.idempotency_key == key)
                .values(attempts=pending.c.attempts + 1, last_error=error[:500])
            )


def _ticket_from_json(payload: str) -> NewTicket:
    data = json.loads(payload)
    data["messages"] = [TicketMessage(**message) for message in data.get("messages", [])]
    return NewTicket(**data)


@lru_cache(maxsize=1)
def pending_handoffs() -> HandoffQueue:
    """The queue at HANDOFF_QUEUE_DATABASE_URL."""
    return HandoffQueue(make_engine(settings().handoff_queue_url))


_lock = threading.Lock()
_worker: Optional[threading.Thread] = None


def start_delivery_worker() -> None:
    """Start, once per process, the thread that keeps delivering waiting handoffs."""
    global _worker
    with _lock:
        if _worker is not None and _worker.is_alive():
            return
        interval = settings().handoff_retry_seconds

        def run() -> None:
            while True:
                try:
                    sent = pending_handoffs().deliver(backend().ticketing)
                    if sent:
                        logger.info("delivered %d queued handoff(s)", sent)
                except Exception:  # noqa: BLE001 - the worker must survive anything and try again later
                    logger.exception("handoff delivery failed; will retry")
                time.sleep(interval)

        _worker = threading.Thread(target=run, name="handoff-delivery", daemon=True)
        _worker.start()


# Retention (privacy/retention.py, HANDOFF_QUEUE_RETENTION_DAYS). A delivered entry is deleted at delivery
# (deliver() above); what stays is an entry ticketing refused or never came back for. Past the window it goes
# too: by then a person has had the window to read and resend it, and it holds a customer's transcript.
def _queued_before(cutoff: datetime) -> Any:
    return pending.c.queued_at < cutoff.replace(tzinfo=timezone.utc).timestamp()


def count_queued_before(cutoff: datetime, *, db_session: Session) -> int:
    return count_rows(pending.c.idempotency_key, _queued_before(cutoff), db_session=db_session)


def delete_queued_before(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Delete one batch of entries queued before the cutoff; the caller commits."""
    return delete_batch(
        pending.c.idempotency_key, _queued_before(cutoff), batch_size=batch_size, db_session=db_session
    )
