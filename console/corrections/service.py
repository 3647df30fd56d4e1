"""Store and list corrections of bot answers."""

from __future__ import annotations

from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    """Save one flagged answer with what it should have been."""
    row = Correction(
        ticket_id=ticket_id,
        conversation_id=conversation_id,
        bot_text=bot_text,
        bot_timestamp=bot_timestamp,
        customer_text=customer_text,
        correction=correction,
        agent=agent,
    )
    db_session.add(row)
    db_session.flush()
    return row


def newest(*, limit: int = 200, db_session: Session) -> List[Correction]:
    """The latest corrections first."""
    statement = select(Correction).order_by(Correction.id.desc()).limit(limit)
    return list(db_session.execute(statement).scalars())
