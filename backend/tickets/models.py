"""Ticket tables and their API schemas."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, List, Literal, Optional

from pydantic import BaseModel, EmailStr, Field
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

from backend.database import Base
from common.api import MAX_ID
from common.database import utcnow
from common.fields import EmailSubject, LongText, Name, ShortId, Subject
from common.vocabulary import TicketCategory, TicketPriority, TicketStatus, sql_in

MessageAuthor = Literal["customer", "bot", "agent", "system"]


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(sql_in("status", TicketStatus), name="ticket_status"),
        CheckConstraint(sql_in("priority", TicketPriority), name="ticket_priority"),
        CheckConstraint("csat_rating IS NULL OR csat_rating BETWEEN 1 AND 5", name="ticket_csat_rating"),
    )

    id = Column(Integer, primary_key=True)
    customer_id = Column(
        Integer,
        ForeignKey("customers.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    )
    # The contact address an agent replies to, in clear only on a verified ticket (customer_id set); an
    # unverified ticket keeps its masked form for display ("j***@example.org", common/masking.py):
    # what someone typed is not known to be theirs, and an agent never emails it (tickets.service.email_customer).
    customer_email = Column(String(320), nullable=True)
    conversation_id = Column(String(200), nullable=True, index=True)
    subject = Column(String(300), nullable=False)
    category = Column(String(30), nullable=False, default=TicketCategory.GENERAL.value)
    status = Column(String(10), nullable=False, default=TicketStatus.OPEN.value)
    priority = Column(String(10), nullable=False, default=TicketPriority.NORMAL.value)
    details_json = Column(Text, nullable=False, default="{}")
    # A handed-off conversation: the agent working on it (a console username) and the customer's rating.
    assignee = Column(String(100), nullable=True, index=True)
    claimed_at = Column(DateTime, nullable=True)
    resolved_at = Column(DateTime, nullable=True)
    csat_rating = Column(Integer, nullable=True)
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
    body: LongText
    sent_at: Optional[datetime] = None


class MessageRead(BaseModel):
    id: int
    author: str
    body: str
    created_at: datetime

    class Config:
        orm_mode = True


class TicketCreate(BaseModel):
    subject: Subject
    category: TicketCategory = TicketCategory.GENERAL
    priority: TicketPriority = TicketPriority.NORMAL
    customer_id: Optional[int] = Field(None, ge=1, le=MAX_ID)
    customer_email: Optional[EmailStr] = None
    conversation_id: Optional[ShortId] = None
    details: Dict[str, Any] = {}
    messages: List[MessageIn] = Field(default_factory=list, max_items=500)

    class Config:
        use_enum_values = True  # the database stores the text


class TicketUpdate(BaseModel):
    status: Optional[TicketStatus] = None
    priority: Optional[TicketPriority] = None

    class Config:
        use_enum_values = True


class TicketClaim(BaseModel):
    agent: Name


class TicketAssignment(BaseModel):
    """Hand a claimed ticket to another agent (`assignee`) or back to the queue (null)."""

    expected_assignee: Name
    assignee: Optional[Name] = None


class TicketResolution(BaseModel):
    agent: Name


class CsatIn(BaseModel):
    rating: int = Field(..., ge=1, le=5)


class CustomerEmailIn(BaseModel):
    subject: EmailSubject
    body: LongText


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
    assignee: Optional[str]
    claimed_at: Optional[datetime]
    resolved_at: Optional[datetime]
    csat_rating: Optional[int]
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
            assignee=row.assignee,
            claimed_at=row.claimed_at,
            resolved_at=row.resolved_at,
            csat_rating=row.csat_rating,
            created_at=row.created_at,
            updated_at=row.updated_at,
            messages=[MessageRead.from_orm(message) for message in row.messages],
        )
