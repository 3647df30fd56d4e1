"""Handoffs that could not reach ticketing wait here, on disk, and are delivered when it recovers.

Each entry keeps its Idempotency-Key, so a delivery that times out half-way and is tried again still
creates one ticket. A background thread in the action server retries every HANDOFF_RETRY_SECONDS.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import List, Optional, Tuple

from actions.clients.http import BackendError, BackendUnavailable
from actions.clients.ticketing import NewTicket, TicketingClient, TicketMessage
from actions.config import handoff_queue_path

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_handoffs (
    idempotency_key TEXT PRIMARY KEY,
    ticket_json TEXT NOT NULL,
    queued_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
)
"""


class HandoffQueue:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as connection, connection:
            connection.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def put(self, idempotency_key: str, ticket: NewTicket) -> None:
        """Keep a ticket for later delivery (a retry of the same handoff is stored once)."""
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT OR IGNORE INTO pending_handoffs (idempotency_key, ticket_json, queued_at) VALUES (?, ?, ?)",
                (idempotency_key, json.dumps(dataclasses.asdict(ticket)), time.time()),
            )

    def pending(self) -> List[Tuple[str, NewTicket]]:
        """Waiting tickets, oldest first."""
        with closing(self._connect()) as connection:
            rows = connection.execute(
                "SELECT idempotency_key, ticket_json FROM pending_handoffs ORDER BY queued_at"
            ).fetchall()
        return [(key, _ticket_from_json(payload)) for key, payload in rows]

    def deliver(self, ticketing: TicketingClient) -> int:
        """Send what is waiting; stop at the first sign that ticketing is still down. Returns how many went."""
        delivered = 0
        for key, ticket in self.pending():
            try:
                ticketing.create_ticket(ticket, idempotency_key=key)
            except BackendUnavailable:
                self._note_failure(key, "ticketing unavailable")
                break
            except BackendError as exc:
                # Kept, not dropped: a person can read and resend it (see README, "Resilience").
                self._note_failure(key, str(exc))
                continue
            with closing(self._connect()) as connection, connection:
                connection.execute("DELETE FROM pending_handoffs WHERE idempotency_key = ?", (key,))
            delivered += 1
        return delivered

    def _note_failure(self, key: str, error: str) -> None:
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "UPDATE pending_handoffs SET attempts = attempts + 1, last_error = ? WHERE idempotency_key = ?",
                (error[:500], key),
            )


def _ticket_from_json(payload: str) -> NewTicket:
    data = json.loads(payload)
    data["messages"] = [TicketMessage(**message) for message in data.get("messages", [])]
    return NewTicket(**data)


_lock = threading.Lock()
_worker: Optional[threading.Thread] = None


def queue() -> HandoffQueue:
    """The queue at HANDOFF_QUEUE_PATH."""
    return HandoffQueue(handoff_queue_path())


def ensure_delivery_worker(ticketing: TicketingClient) -> None:
    """Start, once per process, the thread that keeps delivering waiting handoffs."""
    global _worker
    with _lock:
        if _worker is not None and _worker.is_alive():
            return
        interval = float(os.environ.get("HANDOFF_RETRY_SECONDS", "10"))

        def run() -> None:
            while True:
                time.sleep(interval)
                try:
                    sent = queue().deliver(ticketing)
                    if sent:
                        logger.info("delivered %d queued handoff(s)", sent)
                except Exception:  # noqa: BLE001 - the worker must survive anything and try again later
                    logger.exception("handoff delivery failed; will retry")

        _worker = threading.Thread(target=run, name="handoff-delivery", daemon=True)
        _worker.start()
