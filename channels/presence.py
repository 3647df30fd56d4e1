"""Which web chat customers have the page open: per process by default, shared through Redis for replicas.

With several Rasa replicas a customer's socket lives on one of them, but the console may ask any of them.
With WEBCHAT_REDIS_URL set, each replica records its sockets in Redis under its own node id and keeps a
short-lived heartbeat key; a socket counts only while its node's heartbeat is alive, so a crashed replica's
sockets stop counting within HEARTBEAT_TTL seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Dict, Optional, Set

logger = logging.getLogger(__name__)

KEY_PREFIX = "frontdesk:webchat"
HEARTBEAT_TTL = 30
HEARTBEAT_EVERY = 10
MEMBERSHIP_TTL = 24 * 3600


class LocalPresence:
    """Sockets held by this process."""

    def __init__(self) -> None:
        self.sockets: Dict[str, Set[str]] = {}

    async def join(self, sender_id: str, sid: str) -> None:
        self.sockets.setdefault(sender_id, set()).add(sid)

    async def leave(self, sender_id: str, sid: str) -> None:
        sockets = self.sockets.get(sender_id, set())
        sockets.discard(sid)
        if not sockets:
            self.sockets.pop(sender_id, None)

    async def connected(self, sender_id: str) -> bool:
        return bool(self.sockets.get(sender_id))


class RedisPresence:
    """Sockets of every replica, in Redis: `<prefix>:presence:<sender>` holds `<node>:<sid>` members."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.redis = redis.from_url(url, decode_responses=True)
        self.node = uuid.uuid4().hex[:12]
        self.heartbeat: Optional[asyncio.Task] = None

    def _key(self, sender_id: str) -> str:
        return f"{KEY_PREFIX}:presence:{sender_id}"

    def _node_key(self, node: str) -> str:
        return f"{KEY_PREFIX}:node:{node}"

    async def _beat(self) -> None:
        while True:
            try:
                await self.redis.set(self._node_key(self.node), "1", ex=HEARTBEAT_TTL)
            except Exception as exc:  # noqa: BLE001 - Redis down: presence degrades, chat goes on
                logger.warning("web chat presence heartbeat failed: %s", exc)
            await asyncio.sleep(HEARTBEAT_EVERY)

    async def _ensure_heartbeat(self) -> None:
        if self.heartbeat is None or self.heartbeat.done():
            await self.redis.set(self._node_key(self.node), "1", ex=HEARTBEAT_TTL)
            self.heartbeat = asyncio.get_running_loop().create_task(self._beat())

    async def join(self, sender_id: str, sid: str) -> None:
        await self._ensure_heartbeat()
        key = self._key(sender_id)
        await self.redis.sadd(key, f"{self.node}:{sid}")
        await self.redis.expire(key, MEMBERSHIP_TTL)

    async def leave(self, sender_id: str, sid: str) -> None:
        await self.redis.srem(self._key(sender_id), f"{self.node}:{sid}")

    async def connected(self, sender_id: str) -> bool:
        members = await self.redis.smembers(self._key(sender_id))
        nodes = {member.split(":", 1)[0] for member in members}
        for node in nodes:
            if await self.redis.exists(self._node_key(node)):
                return True
        return False

    async def close(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.heartbeat
