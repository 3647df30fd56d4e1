"""One transaction per tracker save for Rasa's SQL event broker: the same rows in the same order, every
event still through publish() (subclasses count them), and other brokers untouched."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List

import sqlalchemy
from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import nlu_components  # noqa: F401  (importing our components applies the patches, as in `rasa run`)
from rasa_patches import sql_event_batches

TURN: List[Event] = [
    UserUttered("where is my order 10042?", {"name": "check_order_status", "confidence": 0.9}),
    ActionExecuted("order_status_form"),
    SlotSet("order_id", "10042"),
    BotUttered("What's the email address on your account?"),
    ActionExecuted("action_listen"),
]


class CountingBroker(SQLEventBroker):
    """Like analytics.rasa_broker.MeteredSQLEventBroker: looks at each event, then lets Rasa publish it."""

    def __init__(self, db: str) -> None:
        super().__init__(db=db)
        self.seen: List[str] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.seen.append(event["event"])
        super().publish(event)


class ListBroker(EventBroker):
    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


DOMAIN = Domain.from_dict({"slots": {"order_id": {"type": "text", "mappings": [{"type": "custom"}]}}})


def save_turns(broker: EventBroker, turns: int = 2) -> None:
    """A conversation saved after each turn, as the processor does."""
    store = InMemoryTrackerStore(DOMAIN, event_broker=broker)
    tracker = DialogueStateTracker("batch-test", DOMAIN.slots)

    async def conversation() -> None:
        for _ in range(turns):
            for event in TURN:
                tracker.update(event)
            await store.save(tracker)

    asyncio.run(conversation())


def commits_of(broker: SQLEventBroker) -> List[int]:
    counter: List[int] = []
    sqlalchemy.event.listen(broker.engine, "commit", lambda _connection: counter.append(1))
    return counter


def stored(broker: SQLEventBroker) -> List[Dict[str, Any]]:
    with broker.engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT sender_id, data FROM events ORDER BY id"))
        return [{"sender_id": sender, **json.loads(data)} for sender, data in rows]


def test_the_patch_is_active() -> None:
    assert TrackerStore._stream_new_events is sql_event_batches.stream_new_events
    assert SQLEventBroker.publish is sql_event_batches.publish


def test_one_commit_per_save_with_every_event_stored_in_order(tmp_path: Path) -> None:
    broker = CountingBroker(str(tmp_path / "events.db"))
    commits = commits_of(broker)
    save_turns(broker, turns=2)
    assert len(commits) == 2  # Rasa alone: one per event, 10
    rows = stored(broker)
    assert [row["event"] for row in rows] == [event.type_name for event in TURN] * 2
    assert {row["sender_id"] for row in rows} == {"batch-test"}
    assert rows[2]["name"] == "order_id" and rows[2]["value"] == "10042"
    assert broker.seen == [row["event"] for row in rows]  # the subclass still saw each event


def test_same_rows_as_rasas_own_publishing(tmp_path: Path, monkeypatch: Any) -> None:
    patched = SQLEventBroker(db=str(tmp_path / "patched.db"))
    save_turns(patched)
    monkeypatch.setattr(TrackerStore, "_stream_new_events", sql_event_batches.RASA_STREAM_NEW_EVENTS)
    monkeypatch.setattr(SQLEventBroker, "publish", sql_event_batches.RASA_PUBLISH)
    rasa_only = SQLEventBroker(db=str(tmp_path / "rasa.db"))
    commits = commits_of(rasa_only)
    save_turns(rasa_only)
    assert len(commits) == 2 * len(TURN)

    def without_timestamps(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [{key: value for key, value in row.items() if key != "timestamp"} for row in rows]

    assert without_timestamps(stored(patched)) == without_timestamps(stored(rasa_only))


def test_a_publish_outside_a_save_commits_at_once(tmp_path: Path) -> None:
    broker = SQLEventBroker(db=str(tmp_path / "events.db"))
    broker.publish({"sender_id": "console", "event": "bot", "text": "Alice has joined"})
    assert [row["text"] for row in stored(broker)] == ["Alice has joined"]


def test_other_brokers_get_rasas_publishing_unchanged() -> None:
    broker = ListBroker()
    save_turns(broker, turns=1)
    assert [event["event"] for event in broker.published] == [event.type_name for event in TURN]
