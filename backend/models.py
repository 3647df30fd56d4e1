"""Import every domain's tables so Base.metadata knows the whole schema (used by Alembic)."""

from backend.billing.models import Balance, Invoice, Payment, Refund
from backend.customers.models import Customer, EmailChangeRequest, PasswordResetRequest
from backend.idempotency.models import IdempotencyKey
from backend.identity.models import (
    Authenticator,
    VerificationChallenge,
    VerificationLockout,
    VerificationToken,
)
from backend.notifications.models import OutboxMessage
from backend.orders.models import Order, OrderItem
from backend.privacy.models import Erasure
from backend.tickets.models import Ticket, TicketMessage

__all__ = [
    "Authenticator",
    "IdempotencyKey",
    "VerificationChallenge",
    "VerificationToken",
    "VerificationLockout",
    "Balance",
    "Customer",
    "EmailChangeRequest",
    "Erasure",
    "Invoice",
    "Order",
    "OrderItem",
    "OutboxMessage",
    "PasswordResetRequest",
    "Payment",
    "Refund",
    "Ticket",
    "TicketMessage",
]
