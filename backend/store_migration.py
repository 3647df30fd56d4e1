"""Rows written before the stores were sealed (migrations 0007 and 0009), converted in place.

- outbox: an undelivered message's clear body is sealed and the kept copy redacted by the one redactor (the
  template values are not known any more, so the redactor finds the codes and the links' tokens);
- idempotency keys: each row is re-keyed by the keyed hash of its Idempotency-Key, its request hash keyed the
  same way (backend/idempotency/views.py `StoredKey`), its response sealed: a retry still replays;
- outbox recipients (0009): each row gets the keyed hash of its address, an undelivered one the address
  sealed, and only the masked form stays in clear.
"""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.engine import Connection

from backend import sealing
from common.masking import mask_identifier
from common.redaction import redact


def seal_existing_rows(connection: Connection) -> None:
    secret = sealing.storage_secret()
    outbox_key = sealing.derive(secret, "outbox-body")
    for row_id, body in connection.execute(
        text("SELECT id, body FROM outbox_messages WHERE sealed_body IS NULL AND delivered_at IS NULL")
    ).all():
        connection.execute(
            text("UPDATE outbox_messages SET body = :kept, sealed_body = :sealed WHERE id = :id"),
            {"kept": redact(body), "sealed": sealing.seal(outbox_key, body), "id": row_id},
        )
    # Imported here: the views module needs the ORM models, which the migration itself must not depend on.
    from backend.idempotency.views import StoredKey

    rows = connection.execute(
        text("SELECT key, request_hash, response_body FROM idempotency_keys WHERE key NOT LIKE 'h-%'")
    ).all()
    for key, request_hash, response_body in rows:
        stored = StoredKey.of(key, db_session=None)
        connection.execute(
            text(
                "UPDATE idempotency_keys SET key = :row_key, request_hash = :request_hash, "
                "response_body = :sealed WHERE key = :key"
            ),
            {
                "row_key": stored.row_key,
                "request_hash": stored.keyed(request_hash),
                "sealed": stored.seal(json.loads(response_body)) if response_body else "",
                "key": key,
            },
        )


def seal_outbox_recipients(connection: Connection) -> None:
    # Imported here, as above: the service module needs the ORM models.
    from backend.notifications.service import outbox_key, recipient_hash

    key = outbox_key(None)
    for row_id, recipient, delivered_at in connection.execute(
        text("SELECT id, recipient, delivered_at FROM outbox_messages")
    ).all():
        connection.execute(
            text(
                "UPDATE outbox_messages SET recipient = :masked, recipient_hash = :hash, "
                "sealed_recipient = :sealed WHERE id = :id"
            ),
            {
                "masked": mask_identifier(recipient),
                "hash": recipient_hash(recipient, db_session=None),
                "sealed": None if delivered_at else sealing.seal(key, recipient),
                "id": row_id,
            },
        )


def unseal_outbox_recipients(connection: Connection) -> None:
    from backend.notifications.service import outbox_key

    key = outbox_key(None)
    for row_id, sealed in connection.execute(
        text("SELECT id, sealed_recipient FROM outbox_messages WHERE sealed_recipient IS NOT NULL")
    ).all():
        connection.execute(
            text("UPDATE outbox_messages SET recipient = :clear WHERE id = :id"),
            {"clear": sealing.open_sealed(key, sealed), "id": row_id},
        )
