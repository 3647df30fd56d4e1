"""The most recent real customer messages, read from Rasa's tracker store, for the gate's replay."""

from __future__ import annotations

from typing import List

from sqlalchemy.exc import SQLAlchemyError

from common.redaction import redact
from console.inbox import sources


def recent_messages(tracker_store_url: str, *, limit: int) -> List[str]:
    """The newest `limit` customer messages (oldest first); none when the store is empty or missing."""
    engine = sources.open_tracker(tracker_store_url)
    if engine is None or limit <= 0:
        return []
    try:
        with engine.connect() as connection:
            if not sources.has_events(connection):
                return []
            events = sources.newest_user_messages(connection, limit)
    except SQLAlchemyError:
        return []
    finally:
        engine.dispose()
    # Buttons send payloads ("/affirm"): they are not language the model reads.
    return [str(event.data.get("text")).strip() for event in events if sources.learnable(event)]


def redact_for_display(text: str) -> str:
    """What the approver sees of a customer's message: never an email, phone, code or card."""
    return redact(text)
