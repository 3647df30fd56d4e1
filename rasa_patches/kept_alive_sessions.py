"""Reuse one HTTP client session (and its kept-alive connections) per endpoint instead of one per request.

Rasa 3.6 `EndpointConfig.request` opens `async with self.session() as session:` for every call: a new
aiohttp `ClientSession`, a new TCP connection to the action server, and both closed again after one
request. A message that runs a form calls the action server two to four times, so every message paid for
several sessions and connections on the Rasa side and as many accepted connections on the action server.

Here `EndpointConfig.session()` returns the endpoint's one session for the running event loop, wrapped so
that Rasa's `async with` leaves it open. The session is built exactly as Rasa builds it (the endpoint's
headers, basic auth and total timeout); only the connector differs: it closes a connection it has kept
idle for `IDLE_SECONDS`, shorter than the keep-alive of the servers Rasa calls (Sanic's 5 s for the
action server, nginx's 75 s), so it never sends on a connection the server is closing. A failed request
surfaces exactly as before (Rasa's `ClientResponseError` handling is unchanged).
"""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType
from typing import Any, Optional, Type

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

# Rasa's own method, kept for the tests' comparison.
RASA_SESSION = EndpointConfig.session
IDLE_SECONDS = 2.0
_SESSIONS_ATTRIBUTE = "_frontdesk_sessions"


class KeptOpen:
    """`async with` hands out the shared session and does not close it on exit."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        return None

    def __getattr__(self, name: str) -> Any:  # a caller using the session without `async with`
        return getattr(self.session, name)


def _new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session (the endpoint's headers, basic auth, total timeout) on a connector that keeps alive."""
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS),
    )


def session(self: EndpointConfig) -> KeptOpen:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop (a synchronous caller): Rasa's own one-off session
        return RASA_SESSION(self)
    per_loop = self.__dict__.setdefault(_SESSIONS_ATTRIBUTE, weakref.WeakKeyDictionary())
    shared = per_loop.get(loop)
    if shared is None or shared.closed:
        shared = per_loop[loop] = _new_session(self)
    return KeptOpen(shared)


async def close(endpoint: EndpointConfig) -> None:
    """Close the endpoint's session of the running loop (before the loop itself ends)."""
    shared = endpoint.__dict__.get(_SESSIONS_ATTRIBUTE, {}).pop(asyncio.get_running_loop(), None)
    if shared is not None:
        await shared.close()


def apply() -> None:
    EndpointConfig.session = session
