"""Order tables and their API schemas."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import List, Optional

from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from backend.database import Base
from backend.money import MoneyModel, from_cents
from backend.tickets.models import MessageIn
from common.database import utcnow
from common.fields import ShortId
from common.vocabulary import OrderStatus, sql_in


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (CheckConstraint(sql_in("status", OrderStatus), name="order_status"),)

    id = Column(Integer, primary_key=True, autoincrement=False)
    customer_id = Column(
        Integer,
        ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    status = Column(String(20), nullable=False, default=OrderStatus.PLACED.value)
    currency = Column(String(3), nullable=False, default="USD")
    total_cents = Column(Integer, nullable=False)
    carrier = Column(String(60), nullable=True)
    tracking_number = Column(String(60), nullable=True)
    placed_at = Column(DateTime, nullable=False, default=utcnow)
    shipped_at = Column(DateTime, nullable=True)
    delivered_at = Column(DateTime, nullable=True)
    cancelled_at = Column(DateTime, nullable=True)
    estimated_delivery = Column(DateTime, nullable=True)

    items = relationship(
        "OrderItem",
        order_by="OrderItem.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class OrderItem(Base):
    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    sku = Column(String(40), nullable=False)
    name = Column(String(200), nullable=False)
    quantity = Column(Integer, nullable=False)
    unit_price_cents = Column(Integer, nullable=False)
    # Garments and shoes: the size ordered; changeable until the order ships (policy.decide_item_change).
    size = Column(String(20), nullable=True)


class OrderItemRead(MoneyModel):
    id: int
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    size: Optional[str]

    @classmethod
    def from_row(cls, item: OrderItem) -> OrderItemRead:
        return cls(
            id=item.id,
            sku=item.sku,
            name=item.name,
            quantity=item.quantity,
            unit_price=from_cents(item.unit_price_cents),
            size=item.size,
        )


class OrderRead(MoneyModel):
    id: int
    customer_id: int
    status: str
    currency: str
    total: Decimal
    carrier: Optional[str]
    tracking_number: Optional[str]
    placed_at: datetime
    shipped_at: Optional[datetime]
    delivered_at: Optional[datetime]
    cancelled_at: Optional[datetime]
    estimated_delivery: Optional[datetime]
    items: List[OrderItemRead]

    @classmethod
    def from_row(cls, order: Order) -> OrderRead:
        return cls(
            id=order.id,
            customer_id=order.customer_id,
            status=order.status,
            currency=order.currency,
            total=from_cents(order.total_cents),
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            placed_at=order.placed_at,
            shipped_at=order.shipped_at,
            delivered_at=order.delivered_at,
            cancelled_at=order.cancelled_at,
            estimated_delivery=order.estimated_delivery,
            items=[OrderItemRead.from_row(item) for item in order.items],
        )


class OrderOwnerCheck(BaseModel):
    email: EmailStr


class MissingParcelClaimCreate(OrderOwnerCheck):
    """A customer's report that a parcel never arrived, with the conversation for the agent."""

    conversation_id: Optional[ShortId] = None
    messages: List[MessageIn] = Field(default_factory=list, max_items=500)


class MissingParcelClaimRead(BaseModel):
    ticket_id: int
    order_id: int
    reason: str
    carrier: Optional[str]
    tracking_number: Optional[str]
    delivered_at: Optional[datetime]
    estimated_delivery: Optional[datetime]
    policy_url: str
