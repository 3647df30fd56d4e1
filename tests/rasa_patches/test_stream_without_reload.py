"""The SQL tracker store streams the same new events without reloading the tracker on every save."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import nlu_components  # noqa: F401  (importing our components applies the patches, as in `rasa run`)
from rasa_patches import stream_without_reload

DOMAIN = Domain.from_dict({"slots": {"order_id": {"type": "text", "mappings": [{"type": "custom"}]}}})


def turn(start: float, text: str) -> List[Event]:
    return [
        UserUttered(text, {"name": "check_order_status", "confidence": 0.9}, timestamp=start),
        ActionExecuted("order_status_form", timestamp=start + 0.1),
        SlotSet("order_id", "10042", timestamp=start + 0.2),
        BotUttered("What's the email address on your account?", timestamp=start + 0.3),
        ActionExecuted("action_listen", timestamp=start + 0.4),
    ]


# Three saves: two turns in a session, then a new session (after the customer was away) with one turn.
# A session's first events share SessionStarted's timestamp: Rasa counts a session from that timestamp on.
SAVES: List[List[Event]] = [
    [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.0)] + turn(2, "hi"),
    turn(10, "where is my order"),
    [ActionExecuted("action_session_start", timestamp=5000.0), SessionStarted(timestamp=5000.0)]
    + turn(5001, "back again"),
]


class ListBroker(EventBroker):
    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


def published_by_a_conversation(db: Path) -> tuple[List[Dict[str, Any]], int]:
    """What the broker received over SAVES, and how many times the store reloaded a tracker."""
    broker = ListBroker()
    store = SQLTrackerStore(DOMAIN, db=str(db), event_broker=broker)
    reloads: List[str] = []
    rasa_retrieve = store._retrieve

    async def counted(sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        reloads.append(sender_id)
        return await rasa_retrieve(sender_id, fetch_events_from_all_sessions)

    store._retrieve = counted  # type: ignore[method-assign]

    async def conversation() -> None:
        tracker = DialogueStateTracker("reload-test", DOMAIN.slots)
        for events in SAVES:
            for event in events:
                tracker.update(event)
            await store.save(tracker)

    asyncio.run(conversation())
    return broker.published, len(reloads)


def test_the_patch_is_active() -> None:
    assert SQLTrackerStore.stream_events is stream_without_reload.stream_events


def test_same_events_streamed_as_rasa_without_reloading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patched, patched_reloads = published_by_a_conversation(tmp_path / "patched.db")
    monkeypatch.setattr(SQLTrackerStore, "stream_events", stream_without_reload.RASA_STREAM_EVENTS)
    rasa_only, rasa_reloads = published_by_a_conversation(tmp_path / "rasa.db")

    assert patched == rasa_only
    assert [event["event"] for event in patched] == [event.type_name for save in SAVES for event in save]
    assert (patched_reloads, rasa_reloads) == (0, len(SAVES))
