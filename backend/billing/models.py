"""Billing tables (invoices, payments, balances, refunds) and their API schemas."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, String

from backend.database import Base
from backend.money import MoneyModel, from_cents
from common.database import utcnow
from common.fields import Money, Reason
from common.vocabulary import RefundStatus, sql_in


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (CheckConstraint("status IN ('open','paid','void')", name="invoice_status"),)

    id = Column(String(20), primary_key=True)
    customer_id = Column(
        Integer,
        ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="SET NULL"), nullable=True, index=True)
    amount_cents = Column(Integer, nullable=False)
    currency = Column(String(3), nullable=False, default="USD")
    status = Column(String(10), nullable=False, default="paid")
    issued_at = Column(DateTime, nullable=False, default=utcnow)
    due_at = Column(DateTime, nullable=True)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("status IN ('succeeded','declined','refunded')", name="payment_status"),
    )

    id = Column(Integer, primary_key=True)
    customer_id = Column(
        Integer,
        ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="SET NULL"), nullable=True, index=True)
    amount_cents = Column(Integer, nullable=False)
    currency = Column(String(3), nullable=False, default="USD")
    method = Column(String(20), nullable=False)
    card_last4 = Column(String(4), nullable=True)
    status = Column(String(12), nullable=False)
    decline_reason = Column(String(60), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Balance(Base):
    __tablename__ = "balances"

    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    store_credit_cents = Column(Integer, nullable=False, default=0)
    currency = Column(String(3), nullable=False, default="USD")
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint(sql_in("status", RefundStatus), name="refund_status"),
        CheckConstraint("amount_cents > 0", name="refund_positive"),
    )

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    customer_id = Column(
        Integer,
        ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    amount_cents = Column(Integer, nullable=False)
    currency = Column(String(3), nullable=False, default="USD")
    reason = Column(String(500), nullable=True)
    status = Column(String(12), nullable=False, default=RefundStatus.PENDING.value)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    processed_at = Column(DateTime, nullable=True)


class InvoiceRead(MoneyModel):
    id: str
    customer_id: int
    order_id: Optional[int]
    amount: Decimal
    currency: str
    status: str
    issued_at: datetime
    due_at: Optional[datetime]

    @classmethod
    def from_row(cls, row: Invoice) -> InvoiceRead:
        return cls(
            id=row.id,
            customer_id=row.customer_id,
            order_id=row.order_id,
            amount=from_cents(row.amount_cents),
            currency=row.currency,
            status=row.status,
            issued_at=row.issued_at,
            due_at=row.due_at,
        )


class PaymentRead(MoneyModel):
    id: int
    customer_id: int
    order_id: Optional[int]
    amount: Decimal
    currency: str
    method: str
    card_last4: Optional[str]
    status: str
    decline_reason: Optional[str]
    created_at: datetime

    @classmethod
    def from_row(cls, row: Payment) -> PaymentRead:
        return cls(
            id=row.id,
            customer_id=row.customer_id,
            order_id=row.order_id,
            amount=from_cents(row.amount_cents),
            currency=row.currency,
            method=row.method,
            card_last4=row.card_last4,
            status=row.status,
            decline_reason=row.decline_reason,
            created_at=row.created_at,
        )


class BalanceRead(MoneyModel):
    customer_id: int
    store_credit: Decimal
    amount_due: Decimal
    currency: str


class RefundRead(MoneyModel):
    id: int
    order_id: int
    customer_id: int
    amount: Decimal
    currency: str
    reason: Optional[str]
    status: str
    created_at: datetime
    processed_at: Optional[datetime]

    @classmethod
    def from_row(cls, row: Refund) -> RefundRead:
        return cls(
            id=row.id,
            order_id=row.order_id,
            customer_id=row.customer_id,
            amount=from_cents(row.amount_cents),
            currency=row.currency,
            reason=row.reason,
            status=row.status,
            created_at=row.created_at,
            processed_at=row.processed_at,
        )


class RefundCreate(BaseModel):
    order_id: int = Field(..., ge=1, le=2_147_483_647)
    email: EmailStr
    # None asks for everything that is still refundable on the order.
    amount: Optional[Money] = None
    reason: Optional[Reason] = None


class InvoiceCopyRequest(BaseModel):
    customer_id: int = Field(..., ge=1, le=2_147_483_647)


class InvoiceCopySent(BaseModel):
    invoice_id: str
    sent_to: str


class RefundQuote(MoneyModel):
    """What a refund of an order could be, before asking for one: the total, what is left, and the verdict."""

    order_id: int
    order_total: Decimal
    already_refunded: Decimal
    refundable: Decimal
    currency: str
    eligible: bool
    # The refund policy's reason when not eligible (the same codes as a refused refund), else "eligible".
    code: str
    policy_url: str
