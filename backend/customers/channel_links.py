"""Messaging accounts linked to a customer, with their consent, after they verified through that account.

A link tells agents "this Slack or Telegram user said, after proving they own this account, that it is
them"; it never verifies anybody. One messaging account belongs to one customer: linking it again moves it
to whoever verified through it last.
"""

from __future__ import annotations

from typing import List

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.customers.models import ChannelLink
from common.database import utcnow


def link(customer_id: int, channel: str, identity: str, *, db_session: Session) -> ChannelLink:
    """Link (or re-link) the account to this customer; repeating it changes nothing (PUT semantics)."""
    existing = db_session.execute(
        select(ChannelLink).where(ChannelLink.channel == channel, ChannelLink.identity == identity)
    ).scalar_one_or_none()
    if existing is not None:
        if existing.customer_id != customer_id:
            existing.customer_id, existing.linked_at = customer_id, utcnow()
        return existing
    created = ChannelLink(customer_id=customer_id, channel=channel, identity=identity, linked_at=utcnow())
    db_session.add(created)
    db_session.flush()
    return created


def links_of(customer_id: int, *, db_session: Session) -> List[ChannelLink]:
    statement = select(ChannelLink).where(ChannelLink.customer_id == customer_id).order_by(ChannelLink.id)
    return list(db_session.execute(statement).scalars())
