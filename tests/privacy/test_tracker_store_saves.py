"""A save stores each new event exactly once, counting the stored events with a query only for a tracker
this store did not load or save itself (privacy.tracker_store._unsaved_events)."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from common.paths import DOMAIN_PATH
from privacy.tracker_store import EncryptedSQLTrackerStore

DOMAIN = Domain.load(str(DOMAIN_PATH))


def _store(tmp_path: Path, name: str = "tracker") -> EncryptedSQLTrackerStore:
    return EncryptedSQLTrackerStore(
        domain=DOMAIN,
        dialect="sqlite",
        db=str(tmp_path / f"{name}.db"),
        keys_db=str(tmp_path / f"{name}-keys.db"),
    )


def _turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 0.9}))
    tracker.update(BotUttered(f"answer to {text}"))
    tracker.update(ActionExecuted("action_listen"))


def _texts(tmp_path: Path, sender: str, name: str = "tracker") -> List[str]:
    """Every stored user and bot text, from the rows themselves (a new store: nothing kept in memory)."""
    tracker = asyncio.run(_store(tmp_path, name).retrieve_full_tracker(sender))
    assert tracker is not None
    return [event.text for event in tracker.events if isinstance(event, UserUttered | BotUttered)]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """The senders whose save ran Rasa's count of stored events."""
    calls: List[str] = []
    rasa_count = EncryptedSQLTrackerStore._additional_events

    def spy(self: EncryptedSQLTrackerStore, session: Any, tracker: DialogueStateTracker) -> Any:
        calls.append(tracker.sender_id)
        return rasa_count(self, session, tracker)

    monkeypatch.setattr(EncryptedSQLTrackerStore, "_additional_events", spy)
    return calls


def _new_conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "one")
    return tracker


def test_messages_of_a_conversation_store_each_event_once_without_counting(
    tmp_path: Path, counted: List[str]
) -> None:
    store = _store(tmp_path)
    tracker = _new_conversation("c1")
    asyncio.run(store.save(tracker))
    assert counted == ["c1"]  # built outside the store: counted
    for text in ("two", "three"):
        loaded = asyncio.run(store.retrieve("c1"))
        assert loaded is not None
        _turn(loaded, text)
        asyncio.run(store.save(loaded))
        asyncio.run(store.save(loaded))  # saved again with nothing new: nothing stored twice
    store.recent.forget("c1")  # the next load comes from the rows, not from memory
    loaded = asyncio.run(store.retrieve("c1"))
    assert loaded is not None
    _turn(loaded, "four")
    asyncio.run(store.save(loaded))
    assert counted == ["c1"]
    words = ("one", "two", "three", "four")
    assert _texts(tmp_path, "c1") == [text for word in words for text in (word, f"answer to {word}")]


def test_a_tracker_saved_to_another_store_or_copied_is_counted(tmp_path: Path, counted: List[str]) -> None:
    first, second = _store(tmp_path, "first"), _store(tmp_path, "second")
    tracker = _new_conversation("c2")
    asyncio.run(first.save(tracker))
    loaded = asyncio.run(first.retrieve("c2"))
    assert loaded is not None
    _turn(loaded, "two")
    asyncio.run(second.save(loaded))  # another database holds none of its events
    assert _texts(tmp_path, "c2", "second") == ["one", "answer to one", "two", "answer to two"]

    copied = copy.deepcopy(loaded)  # other event objects: the store cannot know they are its own rows
    _turn(copied, "three")
    asyncio.run(first.save(copied))
    assert _texts(tmp_path, "c2", "first") == [
        "one",
        "answer to one",
        "two",
        "answer to two",
        "three",
        "answer to three",
    ]
    assert counted == ["c2", "c2", "c2"]


def test_a_new_session_in_a_loaded_tracker_is_stored_after_the_old_one(tmp_path: Path) -> None:
    store = _store(tmp_path)
    asyncio.run(store.save(_new_conversation("c3")))
    loaded = asyncio.run(store.retrieve("c3"))
    assert loaded is not None
    loaded.update(ActionExecuted("action_session_start"))
    loaded.update(SessionStarted())
    loaded.update(ActionExecuted("action_listen"))
    _turn(loaded, "back again")
    asyncio.run(store.save(loaded))
    store.recent.forget("c3")
    current = asyncio.run(store.retrieve("c3"))
    assert current is not None
    assert [e.text for e in current.events if isinstance(e, UserUttered)] == ["back again"]
    assert _texts(tmp_path, "c3") == ["one", "answer to one", "back again", "answer to back again"]
