"""Retention of stored results (privacy/retention.py): a replay body can hold a customer record or a ticket's
transcript, and a client retries within minutes, so keys go after IDEMPOTENCY_RETENTION_HOURS (24 h, as
Stripe does). A retry after that runs again as a new request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backend.idempotency.models import IdempotencyKey
from common.batches import count_rows, delete_batch


def count_keys_before(cutoff: datetime, *, db_session: Session) -> int:
    return count_rows(IdempotencyKey.key, IdempotencyKey.created_at < cutoff, db_session=db_session)


def delete_keys_before(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Delete one batch of keys stored before the cutoff; the caller commits."""
    return delete_batch(
        IdempotencyKey.key, IdempotencyKey.created_at < cutoff, batch_size=batch_size, db_session=db_session
    )
