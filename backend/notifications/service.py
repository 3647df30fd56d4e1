"""Queue outgoing customer messages (email and SMS) in the outbox."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.notifications.models import OutboxMessage


def enqueue(
    *, channel: str, recipient: str, template: str, subject: str, body: str, db_session: Session
) -> OutboxMessage:
    """Add an email or SMS to the outbox (the caller commits with its own change)."""
    message = OutboxMessage(
        channel=channel, recipient=recipient, template=template, subject=subject, body=body
    )
    db_session.add(message)
    return message


def enqueue_email(
    *, recipient: str, template: str, subject: str, body: str, db_session: Session
) -> OutboxMessage:
    """Add an email to the outbox (the caller commits with its own change)."""
    return enqueue(
        channel="email",
        recipient=recipient,
        template=template,
        subject=subject,
        body=body,
        db_session=db_session,
    )


def list_statement(recipient: Optional[str] = None, template: Optional[str] = None):
    """Select outbox messages, newest first."""
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if recipient is not None:
        statement = statement.where(func.lower(OutboxMessage.recipient) == recipient.strip().lower())
    if template is not None:
        statement = statement.where(OutboxMessage.template == template)
    return statement


def latest(recipient: str, *, db_session: Session) -> Optional[OutboxMessage]:
    """The newest message sent to a recipient."""
    return db_session.execute(list_statement(recipient).limit(1)).scalar_one_or_none()
