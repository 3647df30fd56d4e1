"""The encrypted tracker store (privacy/tracker_store.py) is Rasa's SQL tracker store at rest sealed per
conversation: Rasa reads back what it saved, the file holds no clear text, erasure makes it unreadable."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine

from common.paths import DOMAIN_PATH
from privacy import conversations
from privacy.keys import ConversationKeys, UnreadableEvent, open_sealed
from privacy.tracker_store import EncryptedSQLTrackerStore
from tests.support import postgres_schema

EMAIL = "maria.lopez+returns@example.org"
TOKEN = "vt_9f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.fixture(params=["sqlite", "postgresql"])
def keys_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "keys.db")
    else:
        with postgres_schema("conversation_keys") as url:
            yield url


def _store(tmp_path: Path, keys_db: str) -> EncryptedSQLTrackerStore:
    return EncryptedSQLTrackerStore(
        domain=Domain.load(str(DOMAIN_PATH)),
        dialect="sqlite",
        db=str(tmp_path / "tracker.db"),
        keys_db=keys_db,
    )


def _conversation(sender: str, domain: Domain) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, domain.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(f"my email is {EMAIL}", {"name": "check_order_status", "confidence": 0.9}))
    tracker.update(SlotSet("email", EMAIL))
    tracker.update(SlotSet("verification_token", TOKEN))
    tracker.update(SlotSet("verified_customer_id", 42.0))  # a float slot, as the domain declares it
    return tracker


def _raw_rows(tmp_path: Path) -> list:
    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        return connection.execute("SELECT sender_id, type_name, intent_name, data FROM events").fetchall()


def test_rasa_reads_back_what_it_saved_and_the_file_holds_no_clear_text(tmp_path: Path, keys_db: str) -> None:
    store = _store(tmp_path, keys_db)
    asyncio.run(store.save(_conversation("web-1", store.domain)))

    tracker = asyncio.run(store.retrieve("web-1"))
    assert tracker is not None
    assert tracker.get_slot("email") == EMAIL and tracker.get_slot("verification_token") == TOKEN
    assert tracker.latest_message.text == f"my email is {EMAIL}"

    rows = _raw_rows(tmp_path)
    assert len(rows) == 7
    # Rasa's query columns stay plain (sessions, ordering, intents); the event itself is sealed.
    assert ("web-1", "user", "check_order_status") in [row[:3] for row in rows]
    stored = (tmp_path / "tracker.db").read_bytes() + b"".join(row[3].encode() for row in rows)
    for secret in (EMAIL, TOKEN, "maria.lopez", "9f8e7d6c5b4a"):
        assert secret.encode() not in stored
    # The conversation is linked to the customer it verified as, for export and erasure.
    assert store.conversation_keys.conversations_of("42") == ["web-1"]


def test_later_turns_append_and_plain_rows_written_before_encryption_still_read(
    tmp_path: Path, keys_db: str
) -> None:
    store = _store(tmp_path, keys_db)
    tracker = _conversation("web-2", store.domain)
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("and one more thing", {"name": "affirm", "confidence": 0.8}))
    asyncio.run(store.save(tracker))
    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
            (
                "old-conversation",
                "user",
                1.0,
                json.dumps(UserUttered("from before", timestamp=1.0).as_dict()),
            ),
        )
    assert [
        event.text for event in asyncio.run(store.retrieve("web-2")).events if isinstance(event, UserUttered)
    ] == [
        f"my email is {EMAIL}",
        "and one more thing",
    ]
    old = asyncio.run(store.retrieve("old-conversation"))
    assert old is not None and old.latest_message.text == "from before"


def test_a_row_moved_to_another_conversation_or_read_with_the_wrong_secret_does_not_open(
    tmp_path: Path, keys_db: str
) -> None:
    store = _store(tmp_path, keys_db)
    asyncio.run(store.save(_conversation("web-3", store.domain)))
    sealed = _raw_rows(tmp_path)[3][3]
    key = store.conversation_keys.key("web-3", create=False)
    assert EMAIL in open_sealed(key, "web-3", sealed)
    with pytest.raises(UnreadableEvent):
        open_sealed(key, "web-4", sealed)
    with pytest.raises(UnreadableEvent):
        ConversationKeys(keys_db, "another-secret").key("web-3", create=False)


def test_erasure_destroys_the_key_and_the_rows_and_a_copy_of_the_file_stays_unreadable(
    tmp_path: Path, keys_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path, keys_db)
    asyncio.run(store.save(_conversation("web-5", store.domain)))
    asyncio.run(store.save(_conversation("web-6", store.domain)))
    # A backup as an operator takes one of a live database (SQLite's online backup: the store runs in WAL
    # mode, so recent commits may still be in tracker.db-wal rather than in the main file).
    with sqlite3.connect(tmp_path / "tracker.db") as live, sqlite3.connect(tmp_path / "restored.db") as copy:
        live.backup(copy)

    tracker_engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    erased = conversations.erase(tracker_engine, ["web-5"], keys=store.conversation_keys)
    assert (erased.keys_destroyed, erased.events_deleted) == (1, 7)
    assert asyncio.run(store.retrieve("web-5")) is None
    assert asyncio.run(store.retrieve("web-6")) is not None  # another conversation is untouched

    # The backup taken before the erasure still has web-5's rows, and they no longer open.
    restored = EncryptedSQLTrackerStore(
        domain=store.domain, dialect="sqlite", db=str(tmp_path / "restored.db"), keys_db=keys_db
    )
    assert asyncio.run(restored.retrieve("web-5")) is None
    assert asyncio.run(restored.retrieve("web-6")).get_slot("email") == EMAIL


def test_retention_destroys_the_keys_of_conversations_whose_events_are_gone(
    tmp_path: Path, keys_db: str
) -> None:
    from datetime import datetime, timedelta

    from sqlalchemy import update

    from privacy.keys import CONVERSATION_KEYS
    from privacy.tracker_retention import count_orphaned_keys, destroy_orphaned_keys

    store = _store(tmp_path, keys_db)
    for sender in ("purged-1", "purged-2", "kept"):
        asyncio.run(store.save(_conversation(sender, store.domain)))
    keys = store.conversation_keys
    with keys.engine.begin() as connection:  # every key is 40 days old
        connection.execute(
            update(CONVERSATION_KEYS).values(created_at=CONVERSATION_KEYS.c.created_at - 40 * 86400)
        )
    with sqlite3.connect(tmp_path / "tracker.db") as connection:  # the purge took two conversations' events
        connection.execute("DELETE FROM events WHERE sender_id LIKE 'purged-%'")
    tracker = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    cutoff = datetime.utcnow() - timedelta(days=30)

    assert count_orphaned_keys(keys, tracker, cutoff, batch_size=1) == 2
    assert count_orphaned_keys(keys, tracker, datetime.utcnow() - timedelta(days=50), batch_size=1) == 0
    assert destroy_orphaned_keys(keys, tracker, cutoff, batch_size=1) == 2
    assert keys.key("purged-1", create=False) is None and keys.key("kept", create=False) is not None
    assert asyncio.run(store.retrieve("kept")).get_slot("email") == EMAIL


class _CollectingBroker(EventBroker):
    """What Rasa streams to an event broker, in order."""

    def __init__(self) -> None:
        self.published: list = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


def test_each_new_event_is_streamed_once_in_order_as_rasa_streams_it(tmp_path: Path) -> None:
    store = _store(tmp_path, str(tmp_path / "keys.db"))
    broker = _CollectingBroker()
    store.event_broker = broker
    first_turn = _conversation("web-7", store.domain)
    asyncio.run(store.save(first_turn))
    # The next message, as Rasa's processor handles it: the tracker read back, new events, saved.
    tracker = asyncio.run(store.retrieve("web-7"))
    assert tracker is not None
    asyncio.run(store.save(tracker))  # nothing new: nothing streamed
    tracker.update(ActionExecuted("utter_ask_email"))
    tracker.update(UserUttered("thanks", {"name": "thank", "confidence": 0.9}))
    asyncio.run(store.save(tracker))
    streamed = list(first_turn.events) + list(tracker.events)[-2:]
    assert broker.published == [{**event.as_dict(), "sender_id": "web-7"} for event in streamed]
    stored = asyncio.run(store.retrieve("web-7"))
    assert stored is not None and len(stored.events) == len(tracker.events)
