"""The public availability answer, from a queue snapshot read at most once per cache period.

Every call would otherwise read the whole handoff queue from the backend. The snapshot is cached for
CONSOLE_AVAILABILITY_CACHE_SECONDS (2 s by default): the wait the bot promises is at most that stale, and a
flood of requests, whatever ticket ids it names, costs the backend one read per period.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional, Tuple

from sqlalchemy.orm import Session

from clients.backend import BackendApi
from common.settings import ConsoleSettings
from console.handoffs import service
from console.handoffs.shapes import Availability


class AvailabilityCache:
    def __init__(
        self, *, settings: ConsoleSettings, backend: BackendApi, session_factory: Callable[[], Session]
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.session_factory = session_factory
        self._lock = threading.Lock()
        self._snapshot: Optional[Tuple[float, service.QueueSnapshot]] = None

    def snapshot(self) -> service.QueueSnapshot:
        with self._lock:
            now = time.monotonic()
            if self._snapshot is None or now - self._snapshot[0] >= self.settings.availability_cache_seconds:
                # Read under the lock: concurrent misses wait for one backend read instead of each doing one.
                with self.session_factory() as session:
                    fresh = service.queue_snapshot(
                        db_session=session, backend=self.backend, settings=self.settings
                    )
                self._snapshot = (time.monotonic(), fresh)
            return self._snapshot[1]

    def get(self, ticket_id: Optional[int]) -> Availability:
        return service.availability(self.snapshot(), settings=self.settings, ticket_id=ticket_id)
