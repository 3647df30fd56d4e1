"""The outbox: every email or SMS the store sends is a row here (a mail relay would drain it).

No one-time code or link persists in clear: `body` is the message with its secrets replaced ("[CODE]",
"[LINK]"); the clear body waits in `sealed_body`, sealed with the storage secret (backend/sealing.py), only
until a relay delivers it (`service.deliver_pending`), which then drops it and sets `delivered_at`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

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
    sealed_body = Column(Text, nullable=True)
    delivered_at = Column(DateTime, nullable=True, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class OutboxMessageRead(BaseModel):
    id: int
    channel: str
    recipient: str
    template: str
    subject: str
    body: str
    delivered_at: Optional[datetime] = None
    created_at: datetime

    class Config:
        orm_mode = True
