"""The backend's side of the event stream (common/event_stream.py): tickets opened and rated.

Event ids are derived from the ticket, so a replayed request (an Idempotency-Key retry) or a repeated rating
publishes an event the analytics consumer already has, and it is counted once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from common.event_stream import TICKET_CREATED, TICKET_RATED, Publisher
from common.settings import analytics_settings


@lru_cache(maxsize=1)
def publisher() -> Publisher:
    settings = analytics_settings()
    return Publisher("backend", settings.stream_url, settings.queue)


def ticket_created(
    ticket_id: int, conversation_id: Optional[str], category: str, reason: Optional[str]
) -> None:
    publisher().emit(
        TICKET_CREATED, conversation_id, event_id=f"ticket-{ticket_id}-created", value=category, reason=reason
    )


def ticket_rated(ticket_id: int, conversation_id: Optional[str], rating: int) -> None:
    publisher().emit(
        TICKET_RATED, conversation_id, event_id=f"ticket-{ticket_id}-rated-{rating}", value=rating
    )
