"""Queue outgoing customer messages (email and SMS) in the outbox, worded by emails.yml."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Mapping, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend.notifications.models import OutboxMessage
from common.batches import count_rows, delete_batch
from common.texts import MessageTemplates


@lru_cache(maxsize=1)
def templates() -> MessageTemplates:
    return MessageTemplates()


def send_template(
    *, channel: str, recipient: str, template: str, values: Mapping[str, object], db_session: Session
) -> OutboxMessage:
    """Add an email or SMS from a template to the outbox (the caller's transaction sends it or not)."""
    message = templates().render(template, channel, **values)
    row = OutboxMessage(
        channel=channel, recipient=recipient, template=template, subject=message.subject, body=message.body
    )
    db_session.add(row)
    return row


def list_statement(recipient: Optional[str] = None, template: Optional[str] = None) -> Select:
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

# Retention (privacy/retention.py): a message is sent when it is written here, so its age is created_at.
def count_sent_before(cutoff: datetime, *, db_session: Session) -> int:
    return count_rows(OutboxMessage.id, OutboxMessage.created_at < cutoff, db_session=db_session)


def delete_sent_before(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Delete one batch of messages (codes, reset links) sent before the cutoff; the caller commits."""
    return delete_batch(
        OutboxMessage.id, OutboxMessage.created_at < cutoff, batch_size=batch_size, db_session=db_session
    )
