"""The queue's last customer message, live: read from the conversation in Rasa (what the customer typed after
the handoff too), not only the transcript copied onto the ticket when it was opened.

Every agent's queue polls every few seconds, so each conversation is read at most once per `ttl` seconds
for all of them; when Rasa cannot be reached, the ticket's own copy stays.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Dict, List, Optional, Tuple

from clients.http import ServiceRefused, ServiceUnavailable
from clients.rasa import RasaClient
from console.handoffs.service import conversation_messages
from console.handoffs.shapes import QueueItem

logger = logging.getLogger(__name__)
Preview = Tuple[Optional[str], Optional[float]]  # the text and when it was sent (unix seconds)


class LiveQueueItem(QueueItem, total=False):
    last_customer_message_at: Optional[float]  # unix seconds; None when only the ticket's copy is known


class LivePreviews:
    def __init__(
        self, rasa: RasaClient, ttl: float = 3.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rasa = rasa
        self.ttl = ttl
        self.clock = clock
        self._cache: Dict[str, Tuple[float, Optional[Preview]]] = {}
        self._lock = threading.Lock()

    def _read(self, conversation_id: str) -> Optional[Preview]:
        now = self.clock()
        with self._lock:
            cached = self._cache.get(conversation_id)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        preview: Optional[Preview] = None  # unknown: Rasa did not answer (not asked again before `ttl`)
        try:
            messages = conversation_messages(self.rasa.tracker(conversation_id))
            last = next((m for m in reversed(messages) if m["author"] == "customer"), None)
            preview = (last["text"], last["timestamp"]) if last else (None, None)
        except (ServiceRefused, ServiceUnavailable) as exc:
            logger.warning("queue preview from the ticket only: %s", exc)
        with self._lock:
            self._cache[conversation_id] = (now, preview)
            if len(self._cache) > 2000:  # conversations long gone from the queue
                for key, (at, _) in list(self._cache.items()):
                    if now - at >= self.ttl:
                        del self._cache[key]
        return preview

    def apply(self, queue: List[QueueItem]) -> List[LiveQueueItem]:
        """The queue items with the latest customer message of each live conversation."""
        items: List[LiveQueueItem] = [LiveQueueItem(**item, last_customer_message_at=None) for item in queue]
        for item in items:
            conversation_id = item.get("conversation_id")
            if not conversation_id:
                continue
            preview = self._read(conversation_id)
            if preview and preview[0]:
                item["last_customer_message"], item["last_customer_message_at"] = preview
        return items
