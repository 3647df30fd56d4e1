"""Exactly-once bookkeeping for webhooks that platforms deliver more than once, shared by the replicas.

Slack retries an event it thinks we missed (X-Slack-Retry-Num) and Telegram re-delivers an update until it
gets a 2xx; behind a load balancer the second delivery may reach another replica. `claim(key)` is true for
the first caller only, atomically: Redis `SET NX` with an expiry in production, a dictionary in one process
locally. The same store keeps short-lived values (Telegram button payloads too long for callback_data).
"""

from __future__ import annotations

import time
from typing import Dict, Optional, Protocol, Tuple

KEY_PREFIX = "frontdesk:channel"
# Platforms give up re-delivering long before this (Slack after about an hour, Telegram after a day).
DEFAULT_TTL_SECONDS = 7 * 24 * 3600


class ChannelState(Protocol):
    async def claim(self, key: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> bool:
        """True the first time `key` is claimed (within its lifetime), False for every later caller."""
        ...

    async def put(self, key: str, value: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None: ...

    async def get(self, key: str) -> Optional[str]: ...


class MemoryState:
    """One process's state: right for a single Rasa server, wrong for replicas (they would not share it)."""

    def __init__(self) -> None:
        self.values: Dict[str, Tuple[str, float]] = {}

    def _live(self, key: str) -> Optional[str]:
        entry = self.values.get(key)
        if entry is None:
            return None
        if entry[1] < time.monotonic():
            del self.values[key]
            return None
        return entry[0]

    async def claim(self, key: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> bool:
        if self._live(key) is not None:
            return False
        self.values[key] = ("1", time.monotonic() + ttl_seconds)
        if len(self.values) > 100_000:
            self._forget_expired()
        return True

    async def put(self, key: str, value: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self.values[key] = (value, time.monotonic() + ttl_seconds)

    async def get(self, key: str) -> Optional[str]:
        return self._live(key)

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for key in [key for key, (_, expires) in self.values.items() if expires < now]:
            del self.values[key]


class RedisState:
    """State shared by every replica through Redis."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.redis = redis.from_url(url, decode_responses=True, socket_timeout=2, socket_connect_timeout=2)

    async def claim(self, key: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> bool:
        return bool(await self.redis.set(f"{KEY_PREFIX}:{key}", "1", nx=True, ex=ttl_seconds))

    async def put(self, key: str, value: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        await self.redis.set(f"{KEY_PREFIX}:{key}", value, ex=ttl_seconds)

    async def get(self, key: str) -> Optional[str]:
        value = await self.redis.get(f"{KEY_PREFIX}:{key}")
        return str(value) if value is not None else None


def channel_state(redis_url: Optional[str]) -> ChannelState:
    """Redis when a URL is given (production, replicas), else this process's memory."""
    return RedisState(redis_url) if redis_url else MemoryState()
