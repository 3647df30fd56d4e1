"""Customer operations: lookup, identity check, profile changes, password resets, deletion requests."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.customers.models import Customer, PasswordResetRequest
from backend.database import utcnow
from backend.errors import conflict, not_found
from backend.notifications import service as notifications
from backend.orders.models import Order
from backend.tickets import service as tickets

PASSWORD_RESET_LIFETIME = timedelta(hours=1)


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


def get(customer_id: int, *, db_session: Session) -> Customer:
    """Return a customer or raise 404."""
    customer = db_session.get(Customer, customer_id)
    if customer is None:
        raise not_found("customer_not_found", "No customer with that id.")
    return customer


def get_by_email(email: str, *, db_session: Session) -> Optional[Customer]:
    """Return the customer with this email, if any."""
    return db_session.execute(
        select(Customer).where(func.lower(Customer.email) == normalise_email(email))
    ).scalar_one_or_none()


def list_statement(email: Optional[str] = None):
    """Select customers, optionally filtered by email."""
    statement = select(Customer).order_by(Customer.id)
    if email:
        statement = statement.where(func.lower(Customer.email) == normalise_email(email))
    return statement


def identify(email: str, order_id: int, *, db_session: Session) -> Customer:
    """Return the customer only when the email owns the order; one error for every mismatch."""
    customer = get_by_email(email, db_session=db_session)
    order = db_session.get(Order, order_id)
    if customer is None or order is None or order.customer_id != customer.id:
        raise not_found(
            "identity_not_confirmed",
            "The email and order number do not match an account.",
        )
    return customer


def update(
    customer_id: int,
    *,
    email: Optional[str],
    address: Optional[str],
    db_session: Session,
) -> Customer:
    """Change a customer's email and/or address."""
    customer = get(customer_id, db_session=db_session)
    if email is not None:
        new_email = normalise_email(email)
        owner = get_by_email(new_email, db_session=db_session)
        if owner is not None and owner.id != customer.id:
            raise conflict("email_in_use", "That email address belongs to another account.")
        customer.email = new_email
    if address is not None:
        customer.address = address
    db_session.flush()
    return customer


def request_password_reset(email: str, *, store_url: str, db_session: Session) -> None:
    """Email a reset link when the account exists; say nothing either way."""
    customer = get_by_email(email, db_session=db_session)
    if customer is None:
        return
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db_session.add(
        PasswordResetRequest(
            customer_id=customer.id,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            created_at=now,
            expires_at=now + PASSWORD_RESET_LIFETIME,
        )
    )
    notifications.enqueue_email(
        recipient=customer.email,
        template="password_reset",
        subject="Reset your password",
        body=(
            f"Hi {customer.name},\n\nUse this link within one hour to choose a new password:\n"
            f"{store_url}/account/reset-password?token={token}\n\n"
            "If you did not ask for this, you can ignore this email."
        ),
        db_session=db_session,
    )
    db_session.flush()


def count_password_resets(customer_id: int, *, db_session: Session) -> int:
    """How many reset requests a customer has."""
    return db_session.execute(
        select(func.count())
        .select_from(PasswordResetRequest)
        .where(PasswordResetRequest.customer_id == customer_id)
    ).scalar_one()


def request_deletion(customer_id: int, *, conversation_id: Optional[str], db_session: Session) -> int:
    """Open an account-deletion ticket for the privacy team and return its id."""
    customer = get(customer_id, db_session=db_session)
    ticket = tickets.create(
        subject=f"Account deletion request from customer {customer.id}",
        category="account_deletion",
        priority="high",
        customer_id=customer.id,
        customer_email=customer.email,
        conversation_id=conversation_id,
        details={"requested_via": "assistant", "customer_confirmed": True},
        messages=[],
        db_session=db_session,
    )
    return ticket.id
