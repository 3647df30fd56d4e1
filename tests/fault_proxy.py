"""A reverse proxy in front of a real service that can slow it down, fail it, or hold its answers.

mode applies to every request: "pass", "slow" (sleep `delay` seconds, then forward), "error" (answer 500
without forwarding). Per-path rules apply to requests whose path contains the given text:
- fail_paths: answer 502 without forwarding;
- delay_paths: {text: seconds} sleep, then forward;
- hold_paths: forward, so the service does the work, then keep the answer until `release` is set (the
  caller can kill the client meanwhile: "the process died after the write, before it heard back").
"""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterable, Optional, Set

import requests


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.mode = "pass"
        self.delay = 0.0
        self.fail_paths: Set[str] = set()
        self.delay_paths: Dict[str, float] = {}
        self.hold_paths: Set[str] = set()
        self.held = threading.Event()  # set once a held request reached the service
        self.release = threading.Event()
        self.requests_seen = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def _matches(self, texts: Iterable[str]) -> bool:
                return any(text in self.path for text in texts)

            def _handle(self) -> None:
                with proxy._lock:
                    proxy.requests_seen += 1
                if proxy.mode == "error":
                    self._reply(500, b'{"error": {"code": "internal_error", "message": "injected"}}')
                    return
                if self._matches(proxy.fail_paths):
                    self._reply(502, b'{"error": {"code": "bad_gateway", "message": "injected"}}')
                    return
                if proxy.mode == "slow":
                    time.sleep(proxy.delay)
                for text, seconds in proxy.delay_paths.items():
                    if text in self.path:
                        time.sleep(seconds)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                try:
                    upstream = requests.request(
                        self.command, proxy.upstream + self.path, data=body, headers=headers, timeout=30
                    )
                except requests.RequestException:
                    return
                if self._matches(proxy.hold_paths):
                    proxy.held.set()
                    proxy.release.wait(120)
                self._reply(upstream.status_code, upstream.content, upstream.headers.get("Content-Type"))

            def _reply(
                self, status: int, body: bytes, content_type: Optional[str] = "application/json"
            ) -> None:
                # The client may have given up or died: that is the point of the slow and hold modes.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    self.send_header("Content-Type", content_type or "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
