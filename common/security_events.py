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
    logger.warning("security_event %s", json.dumps({"event": kind, **fields}, sort_keys=True, default=str))
