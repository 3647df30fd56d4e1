"""The encrypted tracker store hands back the tracker it saved last (privacy/tracker_cache.py) only while the
database holds exactly what was saved: what Rasa gets is always what a fresh load would give."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from common.paths import DOMAIN_PATH
from privacy import conversations
from privacy.tracker_cache import TrackerCache
from privacy.tracker_store import EncryptedSQLTrackerStore

DOMAIN = Domain.load(str(DOMAIN_PATH))


def _store(tmp_path: Path) -> EncryptedSQLTrackerStore:
    return EncryptedSQLTrackerStore(
        domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"), keys_db=str(tmp_path / "keys.db")
    )


def _turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "check_order_status", "confidence": 0.9}))
    tracker.update(SlotSet("email", "jane@example.com"))
    tracker.update(BotUttered("Order 10042 was delivered.", metadata={"utter_action": "utter_order_status"}))
    tracker.update(ActionExecuted("action_listen"))


def _dicts(tracker: DialogueStateTracker) -> List[Dict[str, Any]]:
    return [event.as_dict() for event in tracker.events]


def _started(store: EncryptedSQLTrackerStore, sender: str) -> DialogueStateTracker:
    """A conversation as Rasa has it from its second message on: loaded from the store."""
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "where is my order 10042?")
    asyncio.run(store.save(tracker))
    assert len(store.recent) == 0  # a new conversation starts before its session: not kept
    loaded = asyncio.run(store.retrieve(sender))
    assert loaded is not None
    return loaded


def _fresh(tmp_path: Path, sender: str) -> DialogueStateTracker:
    """What a load from the database alone gives (a store with nothing kept)."""
    tracker = asyncio.run(_store(tmp_path).retrieve(sender))
    assert tracker is not None
    return tracker


def test_the_next_load_gets_the_saved_tracker_equal_to_a_fresh_load(tmp_path: Path) -> None:
    store = _store(tmp_path)
    tracker = _started(store, "web-1")
    _turn(tracker, "and order 10043?")
    asyncio.run(store.save(tracker))
    kept = asyncio.run(store.retrieve("web-1"))
    assert kept is tracker
    assert _dicts(kept) == _dicts(_fresh(tmp_path, "web-1"))
    # Handed out once: a second load while the first holder works on it rebuilds from the database.
    second = asyncio.run(store.retrieve("web-1"))
    assert second is not None and second is not tracker
    assert _dicts(second) == _dicts(kept)


def test_a_write_by_another_replica_is_never_hidden(tmp_path: Path) -> None:
    store, other_replica = _store(tmp_path), _store(tmp_path)
    tracker = _started(store, "web-2")
    asyncio.run(store.save(tracker))  # kept by the first replica
    elsewhere = asyncio.run(other_replica.retrieve("web-2"))
    assert elsewhere is not None
    _turn(elsewhere, "the other replica took this message")
    asyncio.run(other_replica.save(elsewhere))
    loaded = asyncio.run(store.retrieve("web-2"))
    assert loaded is not None and loaded is not tracker
    assert loaded.latest_message.text == "the other replica took this message"


def test_an_erased_conversation_is_not_served_from_memory(tmp_path: Path) -> None:
    store = _store(tmp_path)
    tracker = _started(store, "web-3")
    asyncio.run(store.save(tracker))
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    conversations.erase(engine, ["web-3"], keys=store.conversation_keys)
    assert asyncio.run(store.retrieve("web-3")) is None


def test_a_tracker_changed_after_its_save_is_not_served(tmp_path: Path) -> None:
    store = _store(tmp_path)
    tracker = _started(store, "web-4")
    asyncio.run(store.save(tracker))
    _turn(tracker, "never saved: the message failed")  # the processor's copy, past the save
    loaded = asyncio.run(store.retrieve("web-4"))
    assert loaded is not None and loaded is not tracker
    assert loaded.latest_message.text == "where is my order 10042?"


def test_a_session_restarted_during_the_message_is_loaded_again(tmp_path: Path) -> None:
    store = _store(tmp_path)
    tracker = _started(store, "web-5")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "back after a day")
    asyncio.run(store.save(tracker))
    loaded = asyncio.run(store.retrieve("web-5"))
    assert loaded is not None and loaded is not tracker
    assert _dicts(loaded) == _dicts(_fresh(tmp_path, "web-5"))
    assert isinstance(loaded.events[0], SessionStarted)


def test_the_cache_is_bounded_in_size_and_time(monkeypatch: pytest.MonkeyPatch) -> None:
    def loaded(sender: str) -> DialogueStateTracker:
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        tracker.update(SessionStarted())
        return tracker

    cache = TrackerCache(size=2, seconds=60)
    for sender in ("a", "b", "c"):
        cache.put(loaded(sender), (1, 1, 1.0))
    assert cache.take("a", (1, 1, 1.0)) is None  # the oldest made room
    assert cache.take("c", (1, 1, 1.0)) is not None
    switched_off = TrackerCache(size=0)
    switched_off.put(loaded("d"), (1, 1, 1.0))
    assert len(switched_off) == 0 and switched_off.take("d", (1, 1, 1.0)) is None

    clock = [1000.0]
    monkeypatch.setattr("privacy.tracker_cache.time.monotonic", lambda: clock[0])
    cache = TrackerCache(size=10, seconds=60)
    cache.put(loaded("e"), (1, 1, 1.0))
    clock[0] += 61
    assert cache.take("e", (1, 1, 1.0)) is None and len(cache) == 0


def test_rows_moved_in_time_are_loaded_again(tmp_path: Path) -> None:
    """The session-expiry tests move a conversation's rows back in time: the kept tracker must not hide it."""
    store = _store(tmp_path)
    tracker = _started(store, "web-6")
    asyncio.run(store.save(tracker))
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    with engine.begin() as connection:
        connection.execute(text("UPDATE events SET timestamp = timestamp - 7200 WHERE sender_id = 'web-6'"))
    loaded = asyncio.run(store.retrieve("web-6"))
    assert loaded is not None and loaded is not tracker
