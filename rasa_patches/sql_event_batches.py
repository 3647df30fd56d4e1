"""Publish the events of one tracker save to Rasa's SQL event broker in one transaction.

Rasa 3.6 `TrackerStore._stream_new_events` calls `event_broker.publish()` once per new event, and
`SQLEventBroker.publish` opens a session, commits and closes it for every event. With SQLite (the local
stack's broker, endpoints.yml) each event then costs a new connection and a synced commit: 45 % of the
Rasa server's CPU under load, about 15 events per customer message (bench/SERVING.md).

Here `_stream_new_events` opens one broker session per save and Rasa's own loop runs inside it: every
event still goes through `publish()` (so subclasses such as analytics.rasa_broker.MeteredSQLEventBroker
still see each one), but `SQLEventBroker.publish` adds the row to that session, which is committed once
after the last event. The rows, their order and their content are Rasa's; a turn's events now land
together or not at all. Other brokers (pika, kafka) and publishes outside a save are unchanged.

The open session is kept in a context variable: Rasa's loop has no `await`, so no other coroutine can
publish while it is open, and another thread or task never sees it.
"""

from __future__ import annotations

import contextvars
import json
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import Event
from sqlalchemy.orm import Session

# Rasa's own methods, called for everything this patch does not batch (and compared in the tests).
RASA_STREAM_NEW_EVENTS = TrackerStore._stream_new_events
RASA_PUBLISH = SQLEventBroker.publish

_open_batch: contextvars.ContextVar[Optional[Tuple[SQLEventBroker, Session]]] = contextvars.ContextVar(
    "frontdesk_sql_event_batch", default=None
)


def publish(self: SQLEventBroker, event: Dict[str, Any]) -> None:
    """Rasa's `SQLEventBroker.publish`, into the save's open session when there is one."""
    batch = _open_batch.get()
    if batch is None or batch[0] is not self:
        RASA_PUBLISH(self, event)
        return
    batch[1].add(self.SQLBrokerEvent(sender_id=event.get("sender_id"), data=json.dumps(event)))


async def stream_new_events(
    self: TrackerStore, event_broker: EventBroker, new_events: List[Event], sender_id: str
) -> None:
    """Rasa's `_stream_new_events`, in one transaction when the broker is an SQL one."""
    if not isinstance(event_broker, SQLEventBroker) or not new_events:
        await RASA_STREAM_NEW_EVENTS(self, event_broker, new_events, sender_id)
        return
    with event_broker.session_scope() as session:
        token = _open_batch.set((event_broker, session))
        try:
            await RASA_STREAM_NEW_EVENTS(self, event_broker, new_events, sender_id)
        finally:
            _open_batch.reset(token)
        session.commit()


def apply() -> None:
    SQLEventBroker.publish = publish
    TrackerStore._stream_new_events = stream_new_events
