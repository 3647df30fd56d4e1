"""The outbox: every email or SMS the store sends is a row here (a mail relay would drain it)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, String, Text

from backend.database import Base
from common.database import utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id = Column(Integer, primary_key=True)
    channel = Column(String(10), nullable=False, default="email")
    recipient = Column(String(320), nullable=False, index=True)
    template = Column(String(60), nullable=False)
    subject = Column(String(300), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class OutboxMessageRead(BaseModel):
    id: int
    channel: str
    recipient: str
    template: str
    subject: str
    body: str
    created_at: datetime

    class Config:
        orm_mode = True
