"""Moving-window limits with the `limits` library: in memory locally, shared through Redis in production.

Every limit in Frontdesk (backend credentials, failed lookups and codes, channel senders and new sessions,
console logins and public routes) goes through this class, so they all behave and configure alike.
"""

from __future__ import annotations

from typing import Union

from limits import RateLimitItem, parse, storage, strategies

Limit = Union[str, RateLimitItem]


class Limiter:
    def __init__(self, storage_url: str = "memory://") -> None:
        # Kept as an attribute: the strategy holds its storage by weak reference only.
        self.storage = storage.storage_from_string(storage_url)
        self.strategy = strategies.MovingWindowRateLimiter(self.storage)

    @staticmethod
    def item(limit: Limit) -> RateLimitItem:
        return parse(limit) if isinstance(limit, str) else limit

    def hit(self, limit: Limit, *key: str) -> bool:
        """Count one event; False when the limit was already reached (the event is then not counted)."""
        return self.strategy.hit(self.item(limit), *key)

    def allows(self, limit: Limit, *key: str) -> bool:
        """Whether one more event would be within the limit, without counting it."""
        return self.strategy.test(self.item(limit), *key)

    def seconds_until_reset(self, limit: Limit, *key: str) -> int:
        """Roughly when the window frees a slot again (for Retry-After)."""
        reset_at, _remaining = self.strategy.get_window_stats(self.item(limit), *key)
        import time

        return max(int(reset_at - time.time()), 1)
