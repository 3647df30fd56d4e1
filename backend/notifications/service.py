"""Queue outgoing customer messages (email and SMS) in the outbox, worded by emails.yml."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Callable, Mapping, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend import sealing
from backend.notifications.models import OutboxMessage, OutboxMessageRead
from common.batches import count_rows, delete_batch
from common.database import utcnow
from common.masking import mask_identifier
from common.redaction import Redactor, known_values
from common.texts import MessageTemplates


@lru_cache(maxsize=1)
def templates() -> MessageTemplates:
    return MessageTemplates()


# Template values that are secrets: one-time codes and links carrying a token (reset, email confirmation).
SECRET_VALUES = {"code": "[CODE]", "link": "[LINK]"}
# Template values that are the customer's own: the kept body has them replaced ([NAME]). Only the known
# values are looked for: the rest of a body is our template's wording and reference numbers (a request id
# reads like a token to the full redactor), which stay readable.
PERSONAL_VALUES = ("name", "email", "new_email", "phone", "address")
_PERSONAL = Redactor([known_values])


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
        known_values=[str(values[name]) for name in PERSONAL_VALUES if values.get(name)],
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
    known_values: Sequence[str] = (),
    db_session: Session,
) -> OutboxMessage:
    """Queue a message: `kept_body` (secrets replaced) stays readable with the recipient and the customer's
    other `known_values` replaced; `body` and `recipient` go sealed to the relay."""
    key = outbox_key(db_session)
    row = OutboxMessage(
        channel=channel,
        recipient=mask_identifier(recipient),
        recipient_hash=recipient_hash(recipient, db_session=db_session),
        sealed_recipient=sealing.seal(key, recipient),
        template=template,
        subject=subject,
        body=_PERSONAL.redact(kept_body, known_values=[recipient, *known_values]),
        sealed_body=sealing.seal(key, body),
    )
    db_session.add(row)
    return row


def outbox_key(db_session: Optional[Session]) -> bytes:
    return sealing.derive(sealing.storage_secret(db_session), "outbox-body")


def recipient_hash(recipient: str, *, db_session: Optional[Session]) -> str:
    """The keyed hash an outbox row is found by: one address, however it is cased or spaced."""
    secret = sealing.storage_secret(db_session)
    return sealing.derive(secret, "outbox-recipient", recipient.strip().lower()).hex()


def clear_recipient(message: OutboxMessage, *, db_session: Session) -> str:
    """Where the message goes: the sealed address while undelivered, else only its masked form."""
    if message.sealed_recipient:
        return sealing.open_sealed(outbox_key(db_session), message.sealed_recipient)
    return str(message.recipient)


def clear_body(message: OutboxMessage, *, db_session: Session) -> str:
    """What the customer receives: the sealed clear body while undelivered, else the kept (redacted) one."""
    if message.sealed_body:
        return sealing.open_sealed(outbox_key(db_session), message.sealed_body)
    return str(message.body)


def as_read(message: OutboxMessage, *, with_clear_body: bool, db_session: Session) -> OutboxMessageRead:
    """The message for an API answer: its clear recipient while undelivered (else masked); the clear body only
    for the development reader (`with_clear_body`), else the kept one."""
    shown = OutboxMessageRead.from_orm(message)
    update = {"recipient": clear_recipient(message, db_session=db_session)}
    if with_clear_body:
        update["body"] = clear_body(message, db_session=db_session)
    return shown.copy(update=update)


def deliver_pending(
    send: Callable[[OutboxMessage, str, str], None], *, db_session: Session, limit: int = 100
) -> int:
    """The relay's step: hand each undelivered message's clear recipient and body to `send(message, recipient,
    body)`, then forget them (only the masked recipient, its keyed hash and the kept body stay). A message
    whose `send` raises stays sealed for the next round. Commits each delivery."""
    pending = db_session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.delivered_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).scalars()
    delivered = 0
    for message in list(pending):
        send(
            message,
            clear_recipient(message, db_session=db_session),
            clear_body(message, db_session=db_session),
        )
        message.sealed_body = None
        message.sealed_recipient = None
        message.delivered_at = utcnow()
        db_session.commit()
        delivered += 1
    return delivered


def list_statement(
    recipient: Optional[str] = None, template: Optional[str] = None, *, db_session: Session
) -> Select:
    """Select outbox messages, newest first."""
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if recipient is not None:
        statement = statement.where(
            OutboxMessage.recipient_hash == recipient_hash(recipient, db_session=db_session)
        )
    if template is not None:
        statement = statement.where(OutboxMessage.template == template)
    return statement


def latest(recipient: str, *, db_session: Session) -> Optional[OutboxMessage]:
    """The newest message sent to a recipient."""
    return db_session.execute(list_statement(recipient, db_session=db_session).limit(1)).scalar_one_or_none()


# Retention (privacy/retention.py): a message is sent when it is written here, so its age is created_at.
def count_sent_before(cutoff: datetime, *, db_session: Session) -> int:
    return count_rows(OutboxMessage.id, OutboxMessage.created_at < cutoff, db_session=db_session)


def delete_sent_before(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Delete one batch of messages (codes, reset links) sent before the cutoff; the caller commits."""
    return delete_batch(
        OutboxMessage.id, OutboxMessage.created_at < cutoff, batch_size=batch_size, db_session=db_session
    )
