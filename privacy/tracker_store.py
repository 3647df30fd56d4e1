"""Rasa's SQL tracker store with every conversation encrypted under its own key.

Inside a live conversation the bot needs what the customer said (the email a form asked for, the
verification token): Rasa reads the tracker back on every message, so the events are stored whole. At rest
each event's JSON (`data`, which holds the text, entities and slot values) is sealed with the
conversation's key (privacy/keys.py); the columns Rasa queries (sender id, type, timestamp, intent and
action names) stay plain, so session handling and ordering work as in Rasa. Destroying the key
(`privacy.conversations.erase`) makes every copy unreadable; retention deletes old conversations with their
keys.

endpoints.yml:

    tracker_store:
      type: privacy.tracker_store.EncryptedSQLTrackerStore
      dialect: sqlite            # every SQLTrackerStore option, unchanged
      db: ${RASA_TRACKER_DB}
      keys_db: ${CONVERSATION_KEYS_DB}   # a SQLite path or a SQLAlchemy URL (PostgreSQL in production)

The key-encryption secret comes from `CONVERSATION_KEY_SECRET` (refused in production when unset or a
development value). Events written before encryption (plain JSON) are still read.
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from common import store_outage
from common.database import pool_rasa_sqlite_store
from common.env import secret
from common.vocabulary import VERIFIED_CUSTOMER_SLOT
from privacy.keys import ConversationKeys, UnreadableEvent, is_sealed, open_sealed, seal
from privacy.tracker_cache import Fingerprint, TrackerCache

logger = logging.getLogger(__name__)
KEY_SECRET_VARIABLE = "CONVERSATION_KEY_SECRET"
TRACKER_STORE = "tracker store"


class EncryptedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, keys_db: Optional[str] = None, **kwargs: Any) -> None:
        if not keys_db:
            raise ValueError(
                "EncryptedSQLTrackerStore needs `keys_db` (endpoints.yml: keys_db: ${CONVERSATION_KEYS_DB})"
            )
        self.conversation_keys = ConversationKeys(str(keys_db), secret(KEY_SECRET_VARIABLE))
        super().__init__(*args, **kwargs)
        pool_rasa_sqlite_store(self)
        # The trackers this process saved last: the next message's load skips the rebuild (tracker_cache.py).
        self.recent = TrackerCache()
        # Rasa answers a message without its conversation when the store fails (common/store_outage.py).
        store_outage.watch(TRACKER_STORE, self.ping)

    def ping(self) -> None:
        """One round trip to the database (raises when it does not answer)."""
        with self.session_scope() as session:
            session.execute(sa.text("SELECT 1"))

    def _fingerprint(self, session: sa.orm.Session, sender_id: str) -> Fingerprint:
        """What the database holds for the conversation: its row count, highest row id and the sum of its
        rows' timestamps (rows are never updated in place by Frontdesk, but a timestamp moved by hand, as
        the session-expiry tests do, must not leave a stale tracker in use)."""
        rows, highest, times = session.execute(
            sa.select(
                sa.func.count(self.SQLEvent.id),
                sa.func.max(self.SQLEvent.id),
                sa.func.sum(self.SQLEvent.timestamp),
            ).where(self.SQLEvent.sender_id == sender_id)
        ).one()
        return int(rows), int(highest or 0), round(float(times or 0), 3)

    @store_outage.reports_outage(TRACKER_STORE, retries=1)
    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            # The fingerprint query only when something is kept: a miss then costs nothing extra.
            if not fetch_events_from_all_sessions and sender_id in self.recent:
                kept = self.recent.take(sender_id, self._fingerprint(session, sender_id))
                if kept is not None:
                    return kept
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            stored = [row.data for row in rows]
        if not stored or not self.domain:
            return None
        key = self.conversation_keys.key(sender_id, create=False) if any(map(is_sealed, stored)) else None
        events = [event for event in (_opened(key, sender_id, data) for data in stored) if event]
        if not events:  # erased: its rows (a backup's, say) no longer open
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions and len(events) == len(stored):
            _mark_stored(self, tracker)
        return tracker

    def _unsaved_events(self, session: sa.orm.Session, tracker: DialogueStateTracker) -> List[Event]:
        """The tracker's events not in the database yet: after its stored ones, which Rasa counts with a
        query on every save. A tracker this store loaded or saved carries that count (`_mark_stored`),
        so the query runs only for a tracker built elsewhere."""
        stored = _stored_events(self, tracker)
        if stored is None:
            return list(self._additional_events(session, tracker))
        return list(itertools.islice(tracker.events, stored, None))

    @store_outage.reports_outage(TRACKER_STORE)
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save (stream the new events, then store them), with each event sealed.

        Rasa counts the stored events twice per save, once to stream and once to store; the new events
        are the same both times (the lock store keeps one message of a conversation at a time), so they
        are counted once here."""
        with self.session_scope() as session:
            events = self._unsaved_events(session, tracker)
            if not events:
                self.recent.put(tracker, self._fingerprint(session, tracker.sender_id))
                return
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, events, tracker.sender_id)
        with self.session_scope() as session:
            key = self.conversation_keys.key(tracker.sender_id, create=True)
            assert key is not None  # created when missing
            rows = []
            for event in events:
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": seal(key, tracker.sender_id, json.dumps(data)),
                    }
                )
            # One INSERT for all rows, in order: the ORM's unit of work cost a statement and a fetched id
            # per row, which nothing here reads.
            session.execute(sa.insert(self.SQLEvent.__table__), rows)
            stored = self._fingerprint(session, tracker.sender_id)  # read in the inserting transaction
            session.commit()
        _mark_stored(self, tracker)
        self.recent.put(tracker, stored)
        customer_id = _verified_customer(events)
        if customer_id:
            self.conversation_keys.link_customer(tracker.sender_id, customer_id)


# On a tracker: which store holds how many of its first events, and the last of them. Another store (a
# tracker copied between databases) or a copy of the tracker made some other way (other event objects)
# falls back to Rasa's count.
_STORED_ATTRIBUTE = "_frontdesk_stored_events"


def _mark_stored(store: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    count = len(tracker.events)
    setattr(tracker, _STORED_ATTRIBUTE, (id(store), count, tracker.events[-1] if count else None))


def _stored_events(store: SQLTrackerStore, tracker: DialogueStateTracker) -> Optional[int]:
    marked = getattr(tracker, _STORED_ATTRIBUTE, None)
    if marked is None:
        return None
    store_id, count, last = marked
    if store_id != id(store) or count > len(tracker.events):
        return None
    if count and tracker.events[count - 1] is not last:
        return None
    return int(count)


def _opened(key: Optional[bytes], sender_id: str, data: Optional[str]) -> Optional[Dict[str, Any]]:
    """One stored event as Rasa's dict; None (left out, logged) when it cannot be read."""
    try:
        text = open_sealed(key, sender_id, str(data)) if is_sealed(data) else (data or "")
        event = json.loads(text)
    except (UnreadableEvent, ValueError) as error:
        logger.warning("Skipped an unreadable event of a conversation: %s", error)
        return None
    return event if isinstance(event, dict) else None


def customer_key(value: Any) -> str:
    """The backend's customer id as the key database stores it: the slot is a float slot (1.0), ids are
    whole numbers ("1")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _verified_customer(events: List[Any]) -> Optional[str]:
    for event in reversed(events):
        if isinstance(event, SlotSet) and event.key == VERIFIED_CUSTOMER_SLOT and event.value:
            return customer_key(event.value)
    return None
