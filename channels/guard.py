"""Checks every customer message before NLU sees it: per-sender rate limit, empty and over-long messages,
and the limit on new sessions per customer address that every channel shares.

The refusals are responses in domain.yml, so their wording lives with every other customer-facing text.
Limits are in memory by default; RASA_RATE_LIMIT_STORAGE=redis://host:6379 shares them between replicas.
"""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage

from common.ratelimit import Limiter
from common.settings import ChannelSettings
from common.texts import Texts

MAX_MESSAGE_CHARACTERS = 2000
REFUSALS = ("utter_rate_limited", "utter_message_too_long", "utter_empty_message", "utter_too_many_sessions")
# A client may name its message so a resend after a failure is recognised as the same message.
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def client_message_id(value: Any) -> Optional[str]:
    """A message id the client chose, if it is one we accept."""
    return value if isinstance(value, str) and MESSAGE_ID.fullmatch(value) else None


class MessageGuard:
    def __init__(self, settings: ChannelSettings) -> None:
        self.texts = Texts(REFUSALS, settings.domain_path)
        self.limiter = Limiter(settings.rate_limit_storage)
        self.limit = settings.rate_limit
        self.new_sessions_limit = settings.new_sessions_per_address

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

    def may_start_session(self, channel: str, address: str) -> bool:
        """Whether this address may open one more conversation (a fresh sender dodges the sender limit)."""
        return self.limiter.hit(self.new_sessions_limit, "new-session", channel, address)

    def wrap(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Callable[[UserMessage], Awaitable[bool]]:
        """on_new_message, with the checks in front of it; True when the message was taken, False refused."""

        async def guarded(message: UserMessage) -> bool:
            refusal = self.refusal(message)
            if refusal is None:
                await on_new_message(message)
                return True
            await message.output_channel.send_text_message(message.sender_id, refusal)
            return False

        return guarded
