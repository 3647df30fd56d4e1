"""The analytics store: metric events (allow-listed fields only, see events.py) and the consumer's position.

Idempotency lives in the unique `event_key`: a redelivered event finds its key and is skipped. The position
in an SQL stream is committed in the same transaction as the events it covers, so a restart resumes exactly
where the last commit ended (and a stale position only re-reads events the keys then skip).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String

from analytics.database import Base


class MetricEvent(Base):
    __tablename__ = "metric_events"
    __table_args__ = (Index("metric_events_conversation_time", "conversation_id", "occurred_at"),)

    id = Column(Integer, primary_key=True)
    event_key = Column(String(64), nullable=False, unique=True)
    conversation_id = Column(String(255), nullable=False)
    source = Column(String(10), nullable=False)
    kind = Column(String(40), nullable=False)
    occurred_at = Column(Float, nullable=False, index=True)
    name = Column(String(200), nullable=True)
    value = Column(String(200), nullable=True)
    text = Column(String(200), nullable=True)
    channel = Column(String(50), nullable=True)
    model_id = Column(String(200), nullable=True)
    confidence = Column(Float, nullable=True)
    agent = Column(String(200), nullable=True)


class StreamPosition(Base):
    """How far the consumer has read an SQL stream (the broker table's last id)."""

    __tablename__ = "stream_positions"

    stream = Column(String(300), primary_key=True)
    last_id = Column(Integer, nullable=False, default=0)
