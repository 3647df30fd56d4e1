"""Where a waiting web chat customer stands: asked by the page (socket.io `queue_status`) while it shows the wait.

A conversation waits for a person when it is paused with a handoff ticket that nobody has claimed yet; its
place and the estimated wait come from the console's availability route (the same numbers the bot told the
customer at handoff, now current). The page only ever gets numbers; its sentences are domain.yml's.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional

from clients.console import ConsoleClient
from clients.http import ServiceRefused, ServiceUnavailable
from common.vocabulary import HANDOFF_TICKET_SLOT

logger = logging.getLogger(__name__)

NOT_WAITING: Dict[str, Any] = {"waiting": False}


def waiting_ticket(tracker: Any) -> Optional[int]:
    """The handoff ticket a paused conversation waits on (None when it is not paused or has none)."""
    if tracker is None or not tracker.is_paused():
        return None
    ticket = tracker.get_slot(HANDOFF_TICKET_SLOT)
    return int(ticket) if isinstance(ticket, str) and ticket.isdigit() else None


async def queue_status(tracker_store: Any, console: ConsoleClient, sender_id: str) -> Dict[str, Any]:
    """{"waiting": False}, or {"waiting": True, "position": n, "minutes": m} (no numbers when the console
    cannot be asked: the page then keeps its plain waiting line)."""
    ticket_id = waiting_ticket(await tracker_store.retrieve(sender_id))
    if ticket_id is None:
        return NOT_WAITING
    try:
        availability = await asyncio.to_thread(console.availability, ticket_id)
    except (ServiceUnavailable, ServiceRefused) as exc:
        logger.warning("queue position of ticket %s unknown: %s", ticket_id, exc)
        return {"waiting": True}
    if availability.position is None:
        return NOT_WAITING  # a person has it now
    return {
        "waiting": True,
        "position": availability.position,
        "minutes": availability.estimated_wait_minutes,
    }
