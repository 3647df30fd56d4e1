"""The backend publishes ticket openings and ratings to the stream; replays and repeats count once."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, select

from analytics import service
from analytics.consumer import SqlStreamConsumer, open_store
from common.database import make_engine
from common.event_stream import broker_events
from tests.support import start_backend, stop_backend


def test_ticket_events_reach_the_store_once(tmp_path: Path) -> None:
    stream_url = f"sqlite:///{tmp_path}/events.db"
    server = start_backend(
        f"sqlite:///{tmp_path}/backend.db", tmp_path / "backend.log", "sqlite", EVENT_STREAM_URL=stream_url
    )
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    ticket = {
        "subject": "Conversation handed to a person (user requested)",
        "category": "handoff",
        "priority": "normal",
        "conversation_id": conversation,
        "details": {"escalation_reason": "user_requested"},
        "messages": [{"author": "customer", "body": "a person please"}],
    }
    try:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        first = server.post("/v1/tickets", json=ticket, headers=key)
        replay = server.post("/v1/tickets", json=ticket, headers=key)  # a retry after a lost answer
        assert first.status_code == 201 and replay.json()["id"] == first.json()["id"], replay.text
        ticket_id = first.json()["id"]
        for _ in range(2):  # the same rating twice
            assert server.put(f"/v1/tickets/{ticket_id}/csat", json={"rating": 4}).status_code == 200
    finally:
        stop_backend(server)

    stream = make_engine(stream_url)
    with stream.connect() as connection:
        published = connection.execute(select(func.count(broker_events.c.id))).scalar()
    assert published == 4  # every request published; the store tells them apart
    sessions = open_store(f"sqlite:///{tmp_path}/analytics.db")
    SqlStreamConsumer(stream_url, sessions).drain()
    with sessions() as db_session:
        stored = service.events(db_session=db_session, conversation_ids=[conversation])
    assert sorted((event.source, event.kind, event.name, event.value) for event in stored) == [
        ("backend", "ticket_created", "user_requested", "handoff"),
        ("backend", "ticket_rated", None, "4"),
    ]
    with sessions() as db_session:
        (facts,) = service.conversation_facts(db_session=db_session, conversation_ids=[conversation])
    assert facts.csat == 4 and not facts.is_bot_conversation  # no Rasa events: no bot conversation
