"""Checks every customer message before NLU sees it: per-sender rate limit, empty and over-long messages.

The refusals are responses in domain.yml, so their wording lives with every other customer-facing text.
Limits are per sender in memory by default; set RASA_RATE_LIMIT_STORAGE=redis://host:6379 so replicated
Rasa servers share them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Awaitable, Callable, Dict, Optional

import yaml
from limits import parse, storage, strategies
from rasa.core.channels.channel import UserMessage

MAX_MESSAGE_CHARACTERS = 2000
REFUSALS = ("utter_rate_limited", "utter_message_too_long", "utter_empty_message", "utter_too_many_sessions")


class MessageGuard:
    def __init__(self, domain_path: str = "domain.yml", limit: Optional[str] = None) -> None:
        responses = yaml.safe_load(Path(domain_path).read_text(encoding="utf-8"))["responses"]
        self.texts: Dict[str, str] = {name: responses[name][0]["text"] for name in REFUSALS}
        self.storage = storage.storage_from_string(os.environ.get("RASA_RATE_LIMIT_STORAGE", "memory://"))
        self.limiter = strategies.MovingWindowRateLimiter(self.storage)
        self.limit = parse(limit or os.environ.get("RASA_RATE_LIMIT", "20/minute"))

    def refusal(self, message: UserMessage) -> Optional[str]:
        """The response to send instead of handling the message, or None to let it through."""
        if not self.limiter.hit(self.limit, "sender", str(message.sender_id)):
            return self.texts["utter_rate_limited"]
        text = message.text or ""
        if not text.strip():
            return self.texts["utter_empty_message"]
        if len(text) > MAX_MESSAGE_CHARACTERS:
            return self.texts["utter_message_too_long"]
        return None

    def wrap(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Callable[[UserMessage], Awaitable[None]]:
        """on_new_message, with the checks in front of it."""

        async def guarded(message: UserMessage) -> None:
            refusal = self.refusal(message)
            if refusal is None:
                await on_new_message(message)
            else:
                await message.output_channel.send_text_message(message.sender_id, refusal)

        return guarded
