"""Customer tables and their API schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, EmailStr, Field, root_validator
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint

from backend.database import Base
from common.database import utcnow
from common.fields import Address, LinkToken, ShortId


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("phone", name="uq_customers_phone"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    email = Column(String(320), nullable=False, unique=True, index=True)
    # E.164 (backend/customers/phones.py) and unique: a shared number could not prove who is calling.
    phone = Column(String(40), nullable=True)
    address = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class PasswordResetRequest(Base):
    __tablename__ = "password_reset_requests"

    id = Column(Integer, primary_key=True)
    customer_id = Column(
        Integer,
        ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime, nullable=True)


class EmailChangeRequest(Base):
    """A new email address waiting for its owner to confirm it (the link goes to the new address)."""

    __tablename__ = "email_change_requests"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_email_change_requests_token_hash"),)

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)
    new_email = Column(String(320), nullable=False)
    token_hash = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    confirmed_at = Column(DateTime, nullable=True)


class ChannelLink(Base):
    """A messaging account (a Slack or Telegram user) the customer agreed to link, after verifying through it.

    Shown to agents beside the customer; never a way to verify: sensitive actions still need a code.
    """

    __tablename__ = "channel_links"
    __table_args__ = (UniqueConstraint("channel", "identity", name="uq_channel_links_channel_identity"),)

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(20), nullable=False)
    identity = Column(String(200), nullable=False)
    linked_at = Column(DateTime, nullable=False, default=utcnow)


class ChannelLinkCreate(BaseModel):
    channel: Literal["slack", "telegram"]
    identity: str = Field(..., min_length=1, max_length=200, regex=r"^[A-Za-z0-9:_-]+$")


class ChannelLinkRead(BaseModel):
    channel: str
    identity: str
    linked_at: datetime

    class Config:
        orm_mode = True


class CustomerRead(BaseModel):
    id: int
    name: str
    email: str
    phone: Optional[str]
    address: Optional[str]
    created_at: datetime

    class Config:
        orm_mode = True


class CustomerUpdate(BaseModel):
    """Changes that take effect at once (a new email needs its owner's confirmation: EmailChangeCreate)."""

    address: Address


class EmailChangeCreate(BaseModel):
    new_email: EmailStr


class EmailChangeAccepted(BaseModel):
    """The same answer whether or not the new address already has an account (nothing to enumerate)."""

    status: str = "confirmation_sent"
    sent_to: str


class EmailChangeConfirm(BaseModel):
    token: LinkToken


class CustomerSearch(BaseModel):
    """A lookup by email travels in a body, never a query string (which access logs and proxies keep)."""

    email: EmailStr


class PasswordResetCreate(BaseModel):
    # The account by email, or by id when the customer verified with a phone number.
    email: Optional[EmailStr] = None
    customer_id: Optional[int] = Field(None, ge=1, le=2_147_483_647)

    @root_validator(skip_on_failure=True)
    def _one_account(cls, values: dict) -> dict:  # noqa: N805
        if (values.get("email") is None) == (values.get("customer_id") is None):
            raise ValueError("give exactly one of email or customer_id")
        return values


class PasswordResetAccepted(BaseModel):
    status: str = "accepted"


class TicketRequestCreate(BaseModel):
    """A request the verified customer makes in the chat that the privacy team carries out from a ticket
    (deleting the account, a copy of their data)."""

    conversation_id: Optional[ShortId] = None


class TicketRequestCreated(BaseModel):
    ticket_id: int
