"""Idempotency keys for state-changing backend calls.

A key is derived from the conversation, the action, its target and the amount (or the customer message
that asked for it), so a retry by Rasa, by the client or after a crash reuses it, and the backend
replays the first result instead of acting twice.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rasa_sdk import Tracker


def idempotency_key(tracker: Tracker, action: str, target: Any, amount: Any = "") -> str:
    """The same inputs always give the same key; any difference gives another."""
    material = "\x1f".join(str(part) for part in (tracker.sender_id, action, target, amount))
    return f"fd-{action}-{hashlib.sha256(material.encode()).hexdigest()[:40]}"
