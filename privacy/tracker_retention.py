"""Retention of Rasa's SQL tracker store (TRACKER_RETENTION_DAYS): whole conversations, never half of one.

A conversation goes when its LAST event is older than the window, so a customer who comes back keeps their
history. Each batch deletes conversations of at most `batch_size` events in all (a single longer conversation
goes alone), checking again inside the delete that none got a newer event meanwhile. The conversation holding
the table's newest event always stays: SQLite would give that id to the next event, and the inbox follows
the table by id. Rasa 3.6 open source has no tracker delete, so this works on the table directly.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator, List

from sqlalchemy import delete, distinct, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from privacy.keys import ConversationKeys
from privacy.tracker_table import EVENTS


def _epoch(cutoff: datetime) -> float:
    return cutoff.replace(tzinfo=timezone.utc).timestamp()


def _expired_conversations(cutoff: datetime) -> Any:
    """sender_id, event count and last event time of every conversation whose last event is before the cutoff."""
    newest_conversation = (
        select(EVENTS.c.sender_id)
        .where(EVENTS.c.id == select(func.max(EVENTS.c.id)).scalar_subquery())
        .scalar_subquery()
    )
    last = func.max(EVENTS.c.timestamp)
    return (
        select(EVENTS.c.sender_id, func.count().label("events"), last.label("last"))
        .where(EVENTS.c.sender_id != newest_conversation)
        .group_by(EVENTS.c.sender_id)
        .having(last < _epoch(cutoff))
    )


def count_conversations_before(cutoff: datetime, *, db_session: Session) -> int:
    expired = _expired_conversations(cutoff).subquery()
    return db_session.execute(select(func.count()).select_from(expired)).scalar_one()


def delete_conversations_before(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Delete one batch of conversations last active before the cutoff; the caller commits."""
    candidates = db_session.execute(_expired_conversations(cutoff).order_by("last").limit(batch_size)).all()
    chosen: List[str] = []
    events = 0
    for sender_id, count, _last in candidates:
        if chosen and events + count > batch_size:
            break
        chosen.append(sender_id)
        events += count
    if not chosen:
        return 0
    active_since_cutoff = select(EVENTS.c.sender_id).where(EVENTS.c.timestamp >= _epoch(cutoff))
    db_session.execute(
        delete(EVENTS).where(EVENTS.c.sender_id.in_(chosen), EVENTS.c.sender_id.not_in(active_since_cutoff))
    )
    remaining = db_session.execute(
        select(func.count(distinct(EVENTS.c.sender_id))).where(EVENTS.c.sender_id.in_(chosen))
    ).scalar_one()
    return len(chosen) - remaining


def orphaned_keys(
    keys: ConversationKeys, tracker: Engine, cutoff: datetime, batch_size: int
) -> Iterator[List[str]]:
    """Batches of conversations whose key is older than the cutoff and that have no event since it (their
    events went with the conversations' purge above, or were never written): their keys go too, so no copy
    of those conversations (a backup's) stays readable."""
    after = ""
    while True:
        candidates = keys.created_before(_epoch(cutoff), after=after, limit=batch_size)
        if not candidates:
            return
        after = candidates[-1]
        active_since = select(distinct(EVENTS.c.sender_id)).where(
            EVENTS.c.sender_id.in_(candidates), EVENTS.c.timestamp >= _epoch(cutoff)
        )
        with tracker.connect() as connection:
            has_events = inspect(connection).has_table("events")
            alive = set(connection.execute(active_since).scalars().all()) if has_events else set()
        yield [sender for sender in candidates if sender not in alive]


def count_orphaned_keys(keys: ConversationKeys, tracker: Engine, cutoff: datetime, batch_size: int) -> int:
    return sum(len(batch) for batch in orphaned_keys(keys, tracker, cutoff, batch_size))


def destroy_orphaned_keys(keys: ConversationKeys, tracker: Engine, cutoff: datetime, batch_size: int) -> int:
    return sum(keys.destroy(batch) for batch in list(orphaned_keys(keys, tracker, cutoff, batch_size)))
