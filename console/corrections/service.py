"""Store and list corrections of bot answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.batches import below_newest, count_rows, delete_batch
from common.redaction import STORE_IDENTIFIERS, redact
from console.corrections.models import Correction


def record(
    *,
    ticket_id: int,
    conversation_id: Optional[str],
    bot_text: str,
    bot_timestamp: Optional[float],
    customer_text: Optional[str],
    correction: str,
    agent: str,
    db_session: Session,
) -> Correction:
    """Save one flagged answer with what it should have been.

    The texts are stored redacted: agents quote the customer and repeat their details while correcting,
    and these rows are kept longer than the conversation (the learning inbox reads them). Order and invoice
    numbers stay readable: trainers work with them (the inbox replaces them in what it learns from)."""
    row = Correction(
        ticket_id=ticket_id,
        conversation_id=conversation_id,
        bot_text=redact(bot_text, keep=STORE_IDENTIFIERS),
        bot_timestamp=bot_timestamp,
        customer_text=redact(customer_text, keep=STORE_IDENTIFIERS) if customer_text is not None else None,
        correction=redact(correction, keep=STORE_IDENTIFIERS),
        agent=agent,
    )
    db_session.add(row)
    db_session.flush()
    return row


def newest(*, limit: int = 200, db_session: Session) -> List[Correction]:
    """The latest corrections first."""
    statement = select(Correction).order_by(Correction.id.desc()).limit(limit)
    return list(db_session.execute(statement).scalars())


# Retention (privacy/retention.py). The newest row stays: the inbox follows this table by id.
def _recorded_before(cutoff: datetime) -> Any:
    return (Correction.created_at < cutoff) & below_newest(Correction.id)


def count_recorded_before(cutoff: datetime, *, db_session: Session) -> int:
    return count_rows(Correction.id, _recorded_before(cutoff), db_session=db_session)


def delete_recorded_before(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
    """Delete one batch of corrections recorded before the cutoff; the caller commits."""
    return delete_batch(Correction.id, _recorded_before(cutoff), batch_size=batch_size, db_session=db_session)
