"""What the Slack and Telegram webhooks share: answer the platform at once, handle the message afterwards,
and never let our own failure turn into a 500 that makes the platform deliver the message again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Dict, Optional, Set

from sanic import response
from sanic.response import HTTPResponse

from common.security_events import security_event

logger = logging.getLogger(__name__)

# The platforms' own payloads are larger than a customer's REST body: a Slack message may hold 40,000
# characters and a button click carries the whole message. The same cap as nginx's (deploy/nginx.conf).
PLATFORM_MAX_BODY_BYTES = 65_536


def error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": {"code": code, "message": message}}, status=status)


def refused(channel: str, reason: str, **fields: Any) -> HTTPResponse:
    """A request that failed authentication: logged as a security event, 401, never seen by NLU."""
    security_event("webhook_refused", channel=channel, reason=reason, **fields)
    return error(401, "unauthenticated", "The request is not signed by the platform.")


def json_object(raw: bytes) -> Optional[Dict[str, Any]]:
    """The JSON object in a body, or None when it is not one (too deep, not JSON, not an object)."""
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


def mapping(value: Any) -> Dict[str, Any]:
    """A JSON object field, or an empty one when the field is missing or of another type."""
    return value if isinstance(value, dict) else {}


class Background:
    """Runs message handling after the webhook has answered, keeping each task until it ends.

    The platform gets its 200 within milliseconds (Slack gives up after 3 s and retries); a failure while
    handling is logged here, where no platform can see it and deliver the message again.
    """

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.tasks: Set[asyncio.Task] = set()

    def start(self, work: Awaitable[Any], what: str) -> None:
        async def logged() -> None:
            try:
                await work
            except Exception:  # noqa: BLE001 - the platform already has its 200; this is the only record
                logger.exception("%s: handling %s failed", self.channel, what)

        task = asyncio.get_running_loop().create_task(logged())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
