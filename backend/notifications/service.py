"""Queue outgoing customer messages (email and SMS) in the outbox, worded by emails.yml."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Callable, Mapping, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend import sealing
from backend.notifications.models import OutboxMessage
from common.batches import count_rows, delete_batch
from common.database import utcnow
from common.texts import MessageTemplates


@lru_cache(maxsize=1)
def templates() -> MessageTemplates:
    return MessageTemplates()


# Template values that are secrets: one-time codes and links carrying a token (reset, email confirmation).
SECRET_VALUES = {"code": "[CODE]", "link": "[LINK]"}


def send_template(
    *, channel: str, recipient: str, template: str, values: Mapping[str, object], db_session: Session
) -> OutboxMessage:
    """Add an email or SMS from a template to the outbox (the caller's transaction sends it or not)."""
    message = templates().render(template, channel, **values)
    kept = templates().render(
        template, channel, **{name: SECRET_VALUES.get(name, value) for name, value in values.items()}
    )
    return queue(
        channel=channel,
        recipient=recipient,
        template=template,
        subject=message.subject,
        body=message.body,
        kept_body=kept.body,
        db_session=db_session,
    )


def queue(
    *,
    channel: str,
    recipient: str,
    template: str,
    subject: str,
    body: str,
    kept_body: str,
    db_session: Session,
) -> OutboxMessage:
    """Queue a message: `kept_body` is what stays readable (secrets replaced), `body` goes sealed to the relay."""
    row = OutboxMessage(
        channel=channel,
        recipient=recipient,
        template=template,
        subject=subject,
        body=kept_body,
        sealed_body=sealing.seal(_outbox_key(db_session), body),
    )
    db_session.add(row)
    return row


def _outbox_key(db_session: Session) -> bytes:
    return sealing.derive(sealing.storage_secret(db_session), "outbox-body")


def clear_body(message: OutboxMessage, *, db_session: Session) -> str:
    """What the customer receives: the sealed clear body while undelivered, else the kept (redacted) one."""
    if message.sealed_body:
        return sealing.open_sealed(_outbox_key(db_session), message.sealed_body)
    return str(message.body)


def deliver_pending(
    send: Callable[[OutboxMessage, str], None], *, db_session: Session, limit: int = 100
) -> int:
    """The relay's step: hand each undelivered message's clear body to `send`, then forget it (only the kept
    body stays). A message whose `send` raises stays sealed for the next round. Commits each delivery."""
    pending = db_session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.delivered_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).scalars()
    delivered = 0
    for message in list(pending):
        send(message, clear_body(message, db_session=db_session))
        message.sealed_body = None
        message.delivered_at = utcnow()
        db_session.commit()
        delivered += 1
    return delivered


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
