"""Queue outgoing customer messages (email and SMS) in the outbox, worded by emails.yml."""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend.notifications.models import OutboxMessage
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
