"""The rights of access and erasure (issue 14): the erasure ledger and the API schemas.

The ledger keeps one row per erasure request: its request id, the customer's id, when, and the receipt. It
holds no personal data (ids, table names and counts), so it stays as the proof that the erasure happened, and
a repeated request answers with the same receipt instead of erasing again.
"""

from __future__ import annotations

from datetime import datetime
from typing import List, Literal, Optional

from pydantic import BaseModel, EmailStr, Field, root_validator
from sqlalchemy import Column, DateTime, Integer, String, Text, UniqueConstraint

from backend.billing.models import InvoiceRead, PaymentRead, RefundRead
from backend.customers.models import ChannelLinkRead, CustomerRead
from backend.database import Base
from backend.money import MoneyModel
from backend.notifications.models import OutboxMessageRead
from backend.orders.models import OrderRead
from backend.tickets.models import TicketRead
from common.database import utcnow
from common.fields import PhoneText

EXPORT_FORMAT = "frontdesk.backend.customer-export/1"
StoreActionName = Literal["anonymised", "redacted", "deleted", "retained"]


class Erasure(Base):
    __tablename__ = "privacy_erasures"
    # One erasure per customer: a second request id for the same customer is refused (409), not re-run.
    __table_args__ = (UniqueConstraint("customer_id", name="uq_privacy_erasures_customer_id"),)

    # The primary key is the lock: of two concurrent requests with one id, the database lets one insert.
    request_id = Column(String(100), primary_key=True)
    # No foreign key: the ledger is the proof of an erasure and outlives whatever happens to the row.
    customer_id = Column(Integer, nullable=False)
    erased_at = Column(DateTime, nullable=False, default=utcnow)
    receipt_json = Column(Text, nullable=False, default="{}")


class CustomerLookup(BaseModel):
    """Who a privacy request is about, by email or phone, in a body (never a query string)."""

    email: Optional[EmailStr] = None
    phone: Optional[PhoneText] = None

    @root_validator(skip_on_failure=True)
    def _one_identifier(cls, values: dict) -> dict:  # noqa: N805
        if (values.get("email") is None) == (values.get("phone") is None):
            raise ValueError("give exactly one of email or phone")
        return values


class CustomerFound(BaseModel):
    customer_id: int


class ErasureCreate(BaseModel):
    # The caller's id for this request (the console's approved request): repeating it is safe.
    request_id: str = Field(..., min_length=1, max_length=100, regex=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


class StoreAction(BaseModel):
    """What one erasure did to one table: `rows` is how many of the customer's rows it touched."""

    store: str
    action: StoreActionName
    rows: int


class ErasureReceipt(BaseModel):
    request_id: str
    customer_id: int
    erased_at: datetime
    stores: List[StoreAction]


class ChallengeRecord(BaseModel):
    """A verification challenge without its secret (the code is stored hashed and is not exported)."""

    id: str
    channel: str
    status: str
    attempts: int
    created_at: datetime
    expires_at: datetime
    used_at: Optional[datetime]

    class Config:
        orm_mode = True


class TokenRecord(BaseModel):
    """A verification token the customer earned, without the token (stored hashed)."""

    challenge_id: str
    created_at: datetime
    expires_at: datetime

    class Config:
        orm_mode = True


class RequestRecord(BaseModel):
    """A password reset or an email change the customer asked for (links are stored hashed: not exported)."""

    kind: Literal["password_reset", "email_change"]
    new_email: Optional[str]
    created_at: datetime
    expires_at: datetime
    completed_at: Optional[datetime]


class VerificationRecords(BaseModel):
    challenges: List[ChallengeRecord]
    tokens: List[TokenRecord]
    authenticator_enrolled_at: Optional[datetime]
    locked_until: Optional[datetime]


class CustomerExport(MoneyModel):
    """Everything the backend stores about one customer (see backend/privacy/service.py:export); amounts are
    exact strings ("59.90") as everywhere in the API."""

    format: str = EXPORT_FORMAT
    generated_at: datetime
    customer: CustomerRead
    orders: List[OrderRead]
    payments: List[PaymentRead]
    invoices: List[InvoiceRead]
    refunds: List[RefundRead]
    store_credit_cents: Optional[int]
    tickets: List[TicketRead]
    outbox_messages: List[OutboxMessageRead]
    verification: VerificationRecords
    account_requests: List[RequestRecord]
    channel_links: List[ChannelLinkRead]
    erasure: Optional[ErasureReceipt]
