"""The most recent real customer messages, read from Rasa's tracker store, for the gate's replay."""

from __future__ import annotations

import json
from typing import List

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, select
from sqlalchemy.exc import SQLAlchemyError

from common.redaction import redact

# Rasa's SQL tracker store table, only the columns read here (never written).
_events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("type_name", String(255)),
    Column("data", Text),
)


def recent_messages(tracker_store_url: str, *, limit: int) -> List[str]:
    """The newest `limit` customer messages (oldest first); none when the store is empty or missing."""
    if limit <= 0:
        return []
    engine = create_engine(tracker_store_url)
    query = (
        select(_events.c.data).where(_events.c.type_name == "user").order_by(_events.c.id.desc()).limit(limit)
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).scalars().all()
    except SQLAlchemyError:
        return []
    finally:
        engine.dispose()
    texts = []
    for data in reversed(rows):
        text = (json.loads(data or "{}").get("text") or "").strip()
        # Buttons send payloads ("/affirm"): they are not language the model reads.
        if text and not text.startswith("/"):
            texts.append(text)
    return texts


def redact_for_display(text: str) -> str:
    """What the approver sees of a customer's message: never an email, phone, code or card."""
    return redact(text)
