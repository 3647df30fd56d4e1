"""Customer operations: lookup, profile changes, email changes, password resets, deletion and data-copy
requests."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend.customers.models import Customer, EmailChangeRequest, PasswordResetRequest
from backend.notifications import service as notifications
from backend.tickets import service as tickets
from common.batches import count_rows, delete_batch
from common.database import utcnow
from common.errors import ApiError, conflict, not_found
from common.masking import mask_email
from common.vocabulary import TicketCategory, TicketPriority

PASSWORD_RESET_LIFETIME = timedelta(hours=1)
EMAIL_CHANGE_LIFETIME = timedelta(hours=24)


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get(customer_id: int, *, db_session: Session) -> Customer:
    """Return a customer or raise 404."""
    customer = db_session.get(Customer, customer_id)
    if customer is None:
        raise not_found("customer_not_found", "No customer with that id.")
    return customer


def get_by_email(email: str, *, db_session: Session) -> Optional[Customer]:
    """The one customer with this email, if exactly one has it (case-insensitively)."""
    matches = db_session.execute(
        select(Customer).where(func.lower(Customer.email) == normalise_email(email)).limit(2)
    ).scalars()
    found = list(matches)
    return found[0] if len(found) == 1 else None


def list_statement(email: Optional[str] = None, customer_id: Optional[int] = None) -> Select:
    """Select customers, optionally by email or id."""
    statement = select(Customer).order_by(Customer.id)
    if email:
        statement = statement.where(func.lower(Customer.email) == normalise_email(email))
    if customer_id is not None:
        statement = statement.where(Customer.id == customer_id)
    return statement


def update_address(customer_id: int, address: str, *, db_session: Session) -> Customer:
    """Change the postal address on file."""
    customer = get(customer_id, db_session=db_session)
    customer.address = address
    db_session.flush()
    return customer


def request_email_change(customer_id: int, new_email: str, *, store_url: str, db_session: Session) -> str:
    """Ask the owner of the new address to confirm it; return that address, masked.

    What the caller sees is the same whether or not another account already uses the address: only the
    mailbox's owner learns that (by the email it receives), so a verified customer cannot probe for accounts.
    """
    customer = get(customer_id, db_session=db_session)
    new_email = normalise_email(new_email)
    owner = get_by_email(new_email, db_session=db_session)
    if owner is None:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        db_session.add(
            EmailChangeRequest(
                customer_id=customer.id,
                new_email=new_email,
                token_hash=_token_hash(token),
                created_at=now,
                expires_at=now + EMAIL_CHANGE_LIFETIME,
            )
        )
        link = f"{store_url}/account/confirm-email?token={token}"
        notifications.send_template(
            channel="email",
            recipient=new_email,
            template="email_change_confirm",
            values={"name": customer.name, "link": link},
            db_session=db_session,
        )
    elif owner.id != customer.id:
        notifications.send_template(
            channel="email",
            recipient=new_email,
            template="email_change_in_use",
            values={},
            db_session=db_session,
        )
    # The current address always hears about it: a change it did not ask for is how a takeover shows.
    notifications.send_template(
        channel="email",
        recipient=customer.email,
        template="email_change_requested",
        values={"name": customer.name, "masked_new_email": mask_email(new_email)},
        db_session=db_session,
    )
    db_session.flush()
    return mask_email(new_email)


def confirm_email_change(token: str, *, db_session: Session) -> Customer:
    """The owner of the new address clicked the link: the account now uses it."""
    request = db_session.execute(
        select(EmailChangeRequest)
        .where(EmailChangeRequest.token_hash == _token_hash(token))
        .with_for_update()
    ).scalar_one_or_none()
    if request is None or request.confirmed_at is not None or request.expires_at < utcnow():
        raise ApiError(410, "link_expired", "This confirmation link is no longer valid; ask again.")
    owner = get_by_email(request.new_email, db_session=db_session)
    if owner is not None and owner.id != request.customer_id:
        raise conflict("email_in_use", "That address now belongs to another account.")
    customer = get(request.customer_id, db_session=db_session)
    customer.email = request.new_email
    request.confirmed_at = utcnow()
    db_session.flush()
    return customer


def request_password_reset(customer: Customer, *, store_url: str, db_session: Session) -> None:
    """Email a reset link to the customer's address on file."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db_session.add(
        PasswordResetRequest(
            customer_id=customer.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + PASSWORD_RESET_LIFETIME,
        )
    )
    notifications.send_template(
        channel="email",
        recipient=customer.email,
        template="password_reset",
        values={"name": customer.name, "link": f"{store_url}/account/reset-password?token={token}"},
        db_session=db_session,
    )
    db_session.flush()


def _open_privacy_ticket(
    customer_id: int,
    *,
    subject: str,
    category: TicketCategory,
    priority: TicketPriority,
    details: Dict[str, Any],
    conversation_id: Optional[str],
    db_session: Session,
) -> int:
    """A ticket naming the verified customer (id and address on file) for the privacy team; its id."""
    customer = get(customer_id, db_session=db_session)
    ticket = tickets.create(
        subject=f"{subject} from customer {customer.id}",
        category=category.value,
        priority=priority.value,
        customer_id=customer.id,
        customer_email=customer.email,
        conversation_id=conversation_id,
        details={"requested_via": "assistant", **details},
        messages=[],
        db_session=db_session,
    )
    return ticket.id


def request_deletion(customer_id: int, *, conversation_id: Optional[str], db_session: Session) -> int:
    """Open an account-deletion ticket for the privacy team and return its id."""
    return _open_privacy_ticket(
        customer_id,
        subject="Account deletion request",
        category=TicketCategory.ACCOUNT_DELETION,
        priority=TicketPriority.HIGH,
        details={"customer_confirmed": True},
        conversation_id=conversation_id,
        db_session=db_session,
    )


def request_data_copy(customer_id: int, *, conversation_id: Optional[str], db_session: Session) -> int:
    """Open a ticket asking for a copy of the customer's data (privacy/customer_requests.py emails the download
    link to the address on file) and return its id."""
    return _open_privacy_ticket(
        customer_id,
        subject="Data copy request",
        category=TicketCategory.DATA_COPY,
        priority=TicketPriority.NORMAL,
        details={},
        conversation_id=conversation_id,
        db_session=db_session,
    )


# Retention (privacy/retention.py): reset links and email changes (a new address) go once expired before the
# cutoff, used or not.
def _expired_requests(cutoff: datetime) -> List[Tuple[Any, Any]]:
    return [
        (PasswordResetRequest.id, PasswordResetRequest.expires_at < cutoff),
        (EmailChangeRequest.id, EmailChangeRequest.expires_at < cutoff),
    ]


def count_expired_requests(cutoff: datetime, *, db_session: Session) -> int:
    return sum(
        count_rows(key, condition, db_session=db_session) for key, condition in _expired_requests(cutoff)
    )


def delete_expired_requests(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Delete one batch of expired password resets, then email changes; the caller commits."""
    for key, condition in _expired_requests(cutoff):
        deleted = delete_batch(key, condition, batch_size=batch_size, db_session=db_session)
        if deleted:
            return deleted
    return 0
