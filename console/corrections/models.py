"""Bot answers an agent flagged as wrong, with the correction, for trainers."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from pydantic import BaseModel, Field
from sqlalchemy import Column, DateTime, Float, Integer, String, Text

from common.database import utcnow
from common.fields import Note, Quote
from console.database import Base


class Correction(Base):
    __tablename__ = "corrections"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, nullable=False, index=True)
    conversation_id = Column(String(200), nullable=True, index=True)
    bot_text = Column(Text, nullable=False)
    bot_timestamp = Column(Float, nullable=True)
    customer_text = Column(Text, nullable=True)
    correction = Column(Text, nullable=False)
    agent = Column(String(100), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class CorrectionIn(BaseModel):
    ticket_id: int = Field(..., ge=1, le=2_147_483_647)
    bot_text: Quote = Field(..., min_length=1)
    bot_timestamp: Optional[float] = Field(None, ge=0)
    customer_text: Optional[Quote] = None
    correction: Note


class CorrectionRead(BaseModel):
    id: int
    ticket_id: int
    conversation_id: Optional[str]
    bot_text: str
    bot_timestamp: Optional[float]
    customer_text: Optional[str]
    correction: str
    agent: str
    created_at: datetime

    class Config:
        orm_mode = True
