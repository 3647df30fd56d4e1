"""Stored results of state-changing requests, keyed by the client's Idempotency-Key."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Text

from backend.database import Base
from common.database import utcnow


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    # The primary key is the lock: of two concurrent requests with one key, the database lets one insert.
    key = Column(String(200), primary_key=True)
    request_hash = Column(String(64), nullable=False)
    status_code = Column(Integer, nullable=False)
    response_body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
