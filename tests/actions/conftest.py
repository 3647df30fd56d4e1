"""Action tests run the real action classes against the real backend process over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_queue
from actions.backend import backend, settings, support_desk
from common.channel_context import ChannelContext
from tests.support import TOKENS, BackendServer, Factory

DOMAIN: Dict[str, Any] = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())


CACHES = (settings, backend, support_desk, handoff_queue.pending_handoffs)


def clear_caches() -> None:
    for cached in CACHES:
        cached.cache_clear()


@pytest.fixture
def live_backend(
    sqlite_backend: BackendServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[BackendServer]:
    """Point the action server's clients at the test backend, with the action server's own credential."""
    monkeypatch.setenv("FRONTDESK_ENV", "development")
    monkeypatch.setenv("BACKEND_URL", sqlite_backend.base_url)
    monkeypatch.setenv("BACKEND_ACTIONS_TOKEN", TOKENS["actions"])
    monkeypatch.setenv("HANDOFF_QUEUE_DATABASE_URL", f"sqlite:///{tmp_path}/pending-handoffs.db")
    # No console unless a test starts one: port 9 (discard) refuses connections.
    monkeypatch.setenv("CONSOLE_URL", "http://127.0.0.1:9")
    clear_caches()
    yield sqlite_backend
    clear_caches()


@pytest.fixture
def bot_factory(live_backend: BackendServer) -> Factory:
    # Order numbers the bot accepts: 5 digits starting with 1.
    return Factory(live_backend, order_id_base=11_000)


def tracker(
    slots: Optional[Dict[str, Any]] = None,
    *,
    intent: str = "inform",
    text: str = "",
    entities: Optional[List[Dict[str, Any]]] = None,
    active_loop: Optional[str] = None,
    candidates: Optional[Dict[str, Any]] = None,
    history: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "test-conversation",
    intent_ranking: Optional[List[Dict[str, Any]]] = None,
    paused: bool = False,
    channel: ChannelContext = ChannelContext("rest", "203.0.113.7"),
    message_id: str = "message-0001",
) -> Tracker:
    """A tracker as the action server receives it. `candidates` are slot values extracted from this message."""
    slot_values = {name: None for name in DOMAIN["slots"]}
    slot_values.update(slots or {})
    slot_values.update(candidates or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": intent_ranking or [{"name": intent, "confidence": 0.9}],
        "metadata": channel.stamp(None),
        "message_id": message_id,
    }
    events = list(history or [])
    events.append(
        {
            "event": "user",
            "text": text,
            "parse_data": latest,
            "timestamp": 1_700_000_000,
            "message_id": message_id,
            "metadata": latest["metadata"],
        }
    )
    events += [{"event": "slot", "name": name, "value": value} for name, value in (candidates or {}).items()]
    return Tracker(
        sender_id,
        slot_values,
        latest,
        events,
        paused,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    """Names of the responses the action sent, in order."""
    return [message.get("response") for message in dispatcher.messages]


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The last value each SlotSet event gave."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def verified_slots(
    server: BackendServer, email: str, channel: ChannelContext = ChannelContext("rest", "203.0.113.7")
) -> Dict[str, Any]:
    """The slots the verification action sets after the backend confirmed a real one-time code,
    earned in `channel` (the default matches `tracker`'s)."""
    import time

    token = server.verify(email)
    customer_id = server.post("/v1/customers/search", json={"email": email}).json()["items"][0]["id"]
    return {
        "email": email,
        "verification_code": "verified",
        "verification_token": token,
        "verified_contact": email,
        "verified_customer_id": float(customer_id),
        "verified_until": time.time() + 600,
        "verified_binding": channel.binding,
    }
