"""What agents did (log in, claim, reply, transfer, resolve, flag), for admins to review."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, String, Text

from common.database import utcnow
from console.database import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    # The agent's username, or the username tried at a failed login (which may not exist).
    actor = Column(String(100), nullable=False, index=True)
    action = Column(String(40), nullable=False, index=True)
    ticket_id = Column(Integer, nullable=True, index=True)
    client_address = Column(String(64), nullable=True)
    details = Column(Text, nullable=True)


class AuditEventRead(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    ticket_id: Optional[int]
    client_address: Optional[str]
    details: Optional[str]

    class Config:
        orm_mode = True
