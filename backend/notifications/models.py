"""The outbox: every email or SMS the store sends is a row here (a mail relay would drain it).

No one-time code or link persists in clear: `body` is the message with its secrets replaced ("[CODE]",
"[LINK]"); the clear body waits in `sealed_body`, sealed with the storage secret (backend/sealing.py), only
until a relay delivers it (`service.deliver_pending`), which then drops it and sets `delivered_at`.

Nor does the address it goes to: `recipient` is its masked form for display ("j***@example.org", "*******4567"),
`sealed_recipient` the clear address sealed like the body and dropped with it on delivery, `recipient_hash` a
keyed hash of the normalised address (backend/sealing.py) so the development reader, the CLI and a privacy
request still find a person's messages by address. The kept body has the customer's name replaced too.
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
    recipient = Column(String(320), nullable=False)  # masked
    recipient_hash = Column(String(64), nullable=False, index=True)
    sealed_recipient = Column(Text, nullable=True)
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
