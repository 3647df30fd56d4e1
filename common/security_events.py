"""Security events: one structured log line each, on the `frontdesk.security` logger.

Operators alert on these lines (`security_event` followed by JSON); nothing secret goes into them.
"""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger("frontdesk.security")


def security_event(kind: str, **fields: Any) -> None:
    """Log one event, e.g. security_event("lookup_budget_exhausted", key="address", address="...")."""
    event = json.loads(json.dumps({"event": kind, **fields}, sort_keys=True, default=str))
    # The JSON log formatter (common/logs.py) also writes the event as a field of its own, so alerting reads
    # it as JSON rather than out of the message text.
    logger.warning("security_event %s", json.dumps(event, sort_keys=True), extra={"security_event": event})
