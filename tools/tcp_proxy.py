"""A TCP proxy that can cut a service off and restore it, for outage tests against shared system services.

PostgreSQL and Redis run as this machine's services: a test may not restart or firewall them. Pointing the
processes under test at this proxy instead (its own port on 127.0.0.1) gives the test a cable to pull:

- `cut("refuse")`: every open connection is reset and new ones are reset at once, as when the server
  restarts or its host is gone (clients fail fast);
- `cut("blackhole")`: connections stay open but nothing flows, and new ones are accepted and held, as in a
  network partition (clients wait for their own timeouts);
- `restore()`: new connections pass again (and, after a blackhole, held bytes flow on).

The proxy runs its own event loop in a daemon thread, so a busy caller (a load generator) never delays it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from typing import Any, Coroutine, Optional, Set

CHUNK = 65536
MODES = ("refuse", "blackhole")


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a vanished server's host would answer."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class TcpProxy:
    def __init__(
        self, upstream_host: str, upstream_port: int, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host, self.port = host, port
        self.connections_reset = 0
        self._mode: Optional[str] = None  # None: passing
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._server: Optional[asyncio.AbstractServer] = None
        self._flowing: Optional[asyncio.Event] = None
        self._open: Set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def cut_mode(self) -> Optional[str]:
        return self._mode

    def start(self) -> TcpProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def cut(self, mode: str = "refuse") -> None:
        """Cut the service off (see the module docstring for the modes); returns once it is cut."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self._call(self._cut(mode))

    def restore(self) -> None:
        self._call(self._restore())

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _listen(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _cut(self, mode: str) -> None:
        assert self._flowing is not None
        self._mode = mode
        self._flowing.clear()
        if mode == "refuse":
            for writer in list(self._open):
                _reset(writer)
                self.connections_reset += 1
            self._open.clear()

    async def _restore(self) -> None:
        assert self._flowing is not None
        self._mode = None
        self._flowing.set()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        if self._mode == "refuse":
            _reset(client_writer)
            self.connections_reset += 1
            return
        await self._flowing.wait()  # a blackhole holds new connections here
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _reset(client_writer)
            return
        self._open.update((client_writer, upstream_writer))
        try:
            await asyncio.gather(
                self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer)
            )
        finally:
            for writer in (client_writer, upstream_writer):
                self._open.discard(writer)
                writer.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy bytes one way until either side closes; while blackholed, hold them."""
        assert self._flowing is not None
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                await self._flowing.wait()
                if writer.transport.is_closing():
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()
