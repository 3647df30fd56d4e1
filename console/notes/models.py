"""Private notes and labels on tickets: kept in the console's own database, never sent to the customer
(nothing here reaches Rasa, the ticket's messages in the backend, or an email)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, List, TypeAlias

from pydantic import BaseModel, Field, constr
from sqlalchemy import Column, DateTime, Integer, String, Text, UniqueConstraint

from common.database import utcnow
from common.fields import Note
from console.database import Base

if TYPE_CHECKING:
    Label: TypeAlias = str
else:
    # Short, lower-case tags agents can filter by: "vip", "size-swap", "carrier-issue".
    Label = constr(strip_whitespace=True, to_lower=True, regex=r"^[a-z0-9][a-z0-9-]{0,29}$")


class TicketNote(Base):
    __tablename__ = "ticket_notes"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, nullable=False, index=True)
    author = Column(String(100), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class TicketLabel(Base):
    __tablename__ = "ticket_labels"
    __table_args__ = (UniqueConstraint("ticket_id", "label", name="uq_ticket_labels_ticket_label"),)

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, nullable=False, index=True)
    label = Column(String(30), nullable=False, index=True)


class NoteIn(BaseModel):
    body: Note


class LabelsIn(BaseModel):
    labels: List[Label] = Field(..., max_items=10)


class NoteRead(BaseModel):
    id: int
    ticket_id: int
    author: str
    body: str
    created_at: datetime

    class Config:
        orm_mode = True
