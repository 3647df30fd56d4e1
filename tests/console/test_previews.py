"""The queue's live last customer message (console/handoffs/previews.py): read from the conversation, shared
between polls for a few seconds, and the ticket's copy kept when Rasa cannot answer."""

from __future__ import annotations

from typing import Any, Dict, List

from clients.http import ServiceUnavailable
from console.handoffs.previews import LivePreviews
from console.handoffs.shapes import QueueItem


class FakeRasa:
    def __init__(self) -> None:
        self.events: Dict[str, List[Dict[str, Any]]] = {}
        self.reads = 0
        self.down = False

    def tracker(self, conversation_id: str) -> Dict[str, Any]:
        self.reads += 1
        if self.down:
            raise ServiceUnavailable("rasa", "down")
        return {"events": self.events.get(conversation_id, [])}


def item(conversation_id: str | None, last: str | None) -> QueueItem:
    return QueueItem(  # type: ignore[typeddict-item]
        id=1, conversation_id=conversation_id, last_customer_message=last, subject="s", status="open"
    )


def test_the_latest_customer_message_comes_from_the_conversation() -> None:
    rasa, now = FakeRasa(), [100.0]
    previews = LivePreviews(rasa, ttl=3.0, clock=lambda: now[0])  # type: ignore[arg-type]
    rasa.events["c1"] = [
        {"event": "user", "text": "I need a person", "timestamp": 10.0},
        {"event": "bot", "text": "Handing you over", "timestamp": 11.0},
        {"event": "user", "text": "Still there? It's about order 10044", "timestamp": 50.0},
        {"event": "bot", "text": "Alice joined", "timestamp": 60.0, "metadata": {"agent": "Alice"}},
    ]
    [live] = previews.apply([item("c1", "I need a person")])
    assert live["last_customer_message"] == "Still there? It's about order 10044"
    assert live["last_customer_message_at"] == 50.0

    rasa.events["c1"].append({"event": "user", "text": "Hello?", "timestamp": 70.0})
    assert previews.apply([item("c1", "I need a person")])[0]["last_customer_message"].startswith(
        "Still there"
    )
    assert rasa.reads == 1  # within the ttl every poll shares one read
    now[0] += 3.0
    assert previews.apply([item("c1", "I need a person")])[0]["last_customer_message"] == "Hello?"
    assert rasa.reads == 2


def test_without_rasa_or_a_conversation_the_tickets_copy_stays() -> None:
    rasa = FakeRasa()
    rasa.down = True
    previews = LivePreviews(rasa, ttl=3.0, clock=lambda: 0.0)  # type: ignore[arg-type]
    [kept] = previews.apply([item("c2", "from the ticket")])
    assert kept["last_customer_message"] == "from the ticket" and kept["last_customer_message_at"] is None
    [no_conversation] = previews.apply([item(None, "typed in an email")])
    assert no_conversation["last_customer_message"] == "typed in an email"
    assert rasa.reads == 1
