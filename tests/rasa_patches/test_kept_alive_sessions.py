"""Rasa's endpoint requests reuse one kept-alive connection, send what they sent before, and survive the
server closing idle connections or going away."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict, List

import aiohttp
import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import nlu_components  # noqa: F401  (importing our components applies the patches, as in `rasa run`)
from rasa_patches import kept_alive_sessions


class Recorder:
    """A small action-server stand-in: the client port and the request of every call."""

    def __init__(self) -> None:
        self.ports: List[int] = []
        self.transports: List[asyncio.BaseTransport] = []
        self.requests: List[Dict[str, Any]] = []

    async def webhook(self, request: web.Request) -> web.Response:
        assert request.transport is not None
        self.ports.append(request.transport.get_extra_info("peername")[1])
        self.transports.append(request.transport)
        self.requests.append(
            {
                "token": request.query.get("token"),
                "auth": request.headers.get("X-Custom"),
                **await request.json(),
            }
        )
        return web.json_response({"events": [], "responses": []})


async def serve(recorder: Recorder, keepalive_seconds: float) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/webhook", recorder.webhook)
    runner = web.AppRunner(app, keepalive_timeout=keepalive_seconds)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/webhook"


def with_server(check: Callable[[Recorder, str], Awaitable[None]]) -> None:
    async def run() -> None:
        seen = Recorder()
        runner, url = await serve(seen, keepalive_seconds=75)
        try:
            await check(seen, url)
        finally:
            await runner.cleanup()

    asyncio.run(run())


def test_calls_share_one_connection_and_send_what_rasa_sent() -> None:
    with_server(calls_share_one_connection)


async def calls_share_one_connection(seen: Recorder, url: str) -> None:
    endpoint = EndpointConfig(url, token="secret", headers={"X-Custom": "yes"})
    for turn in range(3):
        assert await endpoint.request(json={"turn": turn}, method="post") == {"events": [], "responses": []}
    assert [r["turn"] for r in seen.requests] == [0, 1, 2]
    assert {(r["token"], r["auth"]) for r in seen.requests} == {("secret", "yes")}
    assert len(set(seen.ports)) == 1  # Rasa alone opened a connection (and a session) per call

    # Rasa's own session, for comparison: a new connection every time.
    kept_alive_sessions_off = [kept_alive_sessions.RASA_SESSION(endpoint) for _ in range(2)]
    for session in kept_alive_sessions_off:
        async with session, session.post(url, json={"turn": 9}, params={"token": "secret"}):
            pass
    assert len(set(seen.ports[-2:])) == 2
    await kept_alive_sessions.close(endpoint)


def test_an_error_status_still_raises_and_the_session_stays_usable() -> None:
    with_server(error_status_raises)


async def error_status_raises(_: Recorder, url: str) -> None:
    endpoint = EndpointConfig(url.replace("/webhook", "/missing"))
    with pytest.raises(ClientResponseError, match="404"):
        await endpoint.request(json={}, method="post")
    endpoint.url = url
    assert await endpoint.request(json={"turn": 1}, method="post") is not None
    await kept_alive_sessions.close(endpoint)


def test_a_server_that_closes_idle_connections_or_restarts_is_called_again() -> None:
    asyncio.run(server_closes_or_restarts())


async def server_closes_or_restarts() -> None:
    seen = Recorder()
    runner, url = await serve(seen, keepalive_seconds=75)
    endpoint = EndpointConfig(url)
    await endpoint.request(json={"turn": 0}, method="post")
    # The server closes the idle connection (as Sanic does after its keep-alive): the next call opens another.
    seen.transports[0].close()
    await asyncio.sleep(0.2)
    await endpoint.request(json={"turn": 1}, method="post")
    assert len(set(seen.ports)) == 2

    await runner.cleanup()  # the action server goes away: the call fails as it did before
    with pytest.raises(aiohttp.ClientError):
        await endpoint.request(json={"turn": 2}, method="post")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    app = web.Application()
    app.router.add_post("/webhook", seen.webhook)
    restarted = web.AppRunner(app)
    await restarted.setup()
    await web.TCPSite(restarted, "127.0.0.1", port).start()
    try:
        await endpoint.request(json={"turn": 3}, method="post")  # and works again once it is back
    finally:
        await kept_alive_sessions.close(endpoint)
        await restarted.cleanup()
    assert [r["turn"] for r in seen.requests] == [0, 1, 3]
