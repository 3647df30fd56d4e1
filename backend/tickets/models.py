"""Ticket tables and their API schemas."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List, Literal, Optional

from pydantic import BaseModel, EmailStr, Field, conlist, constr
from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from backend.database import Base, utcnow
from backend.ids import MAX_ID

TicketStatus = Literal["open", "pending", "solved", "closed"]
TicketPriority = Literal["low", "normal", "high", "urgent"]
TicketCategory = Literal[
    "general",
    "handoff",
    "complaint",
    "payment",
    "account_deletion",
    "order",
    "refund",
    "account",
]
MessageAuthor = Literal["customer", "bot", "agent", "system"]


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("status IN ('open','pending','solved','closed')", name="ticket_status"),
        CheckConstraint("priority IN ('low','normal','high','urgent')", name="ticket_priority"),
    )

    id = Column(Integer, primary_key=True)
    customer_id = Column(
        Integer,
        ForeignKey("customers.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    )
    customer_email = Column(String(320), nullable=True)
    conversation_id = Column(String(200), nullable=True, index=True)
    subject = Column(String(300), nullable=False)
    category = Column(String(30), nullable=False, default="general")
    status = Column(String(10), nullable=False, default="open")
    priority = Column(String(10), nullable=False, default="normal")
    details_json = Column(Text, nullable=False, default="{}")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    messages = relationship(
        "TicketMessage",
        order_by="TicketMessage.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class TicketMessage(Base):
    __tablename__ = "ticket_messages"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(
        Integer,
        ForeignKey("tickets.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    author = Column(String(10), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class MessageIn(BaseModel):
    author: MessageAuthor
    body: constr(min_length=1, max_length=20_000)  # type: ignore[valid-type]
    sent_at: Optional[datetime] = None


class MessageRead(BaseModel):
    id: int
    author: str
    body: str
    created_at: datetime

    class Config:
        orm_mode = True


class TicketCreate(BaseModel):
    subject: constr(strip_whitespace=True, min_length=1, max_length=300)  # type: ignore[valid-type]
    category: TicketCategory = "general"
    priority: TicketPriority = "normal"
    customer_id: Optional[int] = Field(None, ge=1, le=MAX_ID)
    customer_email: Optional[EmailStr] = None
    conversation_id: Optional[constr(max_length=200)] = None  # type: ignore[valid-type]
    details: Dict[str, Any] = {}
    messages: conlist(MessageIn, max_items=500) = []  # type: ignore[valid-type]


class TicketUpdate(BaseModel):
    status: Optional[TicketStatus] = None
    priority: Optional[TicketPriority] = None


class TicketRead(BaseModel):
    id: int
    customer_id: Optional[int]
    customer_email: Optional[str]
    conversation_id: Optional[str]
    subject: str
    category: str
    status: str
    priority: str
    details: Dict[str, Any]
    created_at: datetime
    updated_at: datetime
    messages: List[MessageRead]

    @classmethod
    def from_row(cls, row: Ticket) -> TicketRead:
        return cls(
            id=row.id,
            customer_id=row.customer_id,
            customer_email=row.customer_email,
            conversation_id=row.conversation_id,
            subject=row.subject,
            category=row.category,
            status=row.status,
            priority=row.priority,
            details=json.loads(row.details_json or "{}"),
            created_at=row.created_at,
            updated_at=row.updated_at,
            messages=[MessageRead.from_orm(message) for message in row.messages],
        )
