"""Writing stream events to the analytics store once each, and reading them back as conversation facts."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Dict, Iterable, List, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.conversations import ConversationFacts, fold
from analytics.events import StreamEvent, normalize
from analytics.models import MetricEvent, StreamPosition

_COLUMNS = [each.name for each in fields(StreamEvent) if each.name != "key"]


def store(raw_events: Iterable[Dict], *, db_session: Session) -> int:
    """Add the events the metrics use and the store does not have yet; how many were new."""
    pending: Dict[str, StreamEvent] = {}
    for raw in raw_events:
        event = normalize(raw)
        if event is not None:
            pending.setdefault(event.key, event)
    if not pending:
        return 0
    known = set(
        db_session.scalars(select(MetricEvent.event_key).where(MetricEvent.event_key.in_(list(pending))))
    )
    new = [event for key, event in pending.items() if key not in known]
    for event in new:
        values = asdict(event)
        db_session.add(MetricEvent(event_key=values.pop("key"), **values))
    db_session.flush()
    return len(new)


def position(stream: str, *, db_session: Session) -> int:
    row = db_session.get(StreamPosition, stream)
    return row.last_id if row else 0


def advance(stream: str, last_id: int, *, db_session: Session) -> None:
    row = db_session.get(StreamPosition, stream)
    if row is None:
        db_session.add(StreamPosition(stream=stream, last_id=last_id))
    else:
        row.last_id = max(row.last_id, last_id)
    db_session.flush()


def events(*, db_session: Session, conversation_ids: Optional[Sequence[str]] = None) -> List[StreamEvent]:
    statement = select(MetricEvent).order_by(MetricEvent.occurred_at, MetricEvent.id)
    if conversation_ids is not None:
        statement = statement.where(MetricEvent.conversation_id.in_(list(conversation_ids)))
    return [
        StreamEvent(key=row.event_key, **{name: getattr(row, name) for name in _COLUMNS})
        for row in db_session.scalars(statement)
    ]


def conversation_facts(
    *, db_session: Session, conversation_ids: Optional[Sequence[str]] = None
) -> List[ConversationFacts]:
    return fold(events(db_session=db_session, conversation_ids=conversation_ids))


def event_count(*, db_session: Session) -> int:
    return int(db_session.scalar(select(func.count(MetricEvent.id))) or 0)
