"""What the local platform peers share: fixtures, request arguments, webhook delivery, the control routes'
record of calls, and the process entry point. Nothing here imports Frontdesk code: a peer must check our
bot against the platform's contract, not against our own understanding of it."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp
from aiohttp import web

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture(platform: str, name: str) -> Dict[str, Any]:
    """A documented payload example (tests/fixtures/<platform>/<name>.json), deep-copied for editing."""
    document = json.loads((FIXTURES / platform / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(document["payload"])


async def arguments(request: web.Request) -> Dict[str, Any]:
    """Method arguments as the platforms accept them: JSON, URL-encoded or multipart form fields."""
    if request.content_type == "application/json":
        body = await request.json()
        return body if isinstance(body, dict) else {}
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def json_field(value: Any) -> Any:
    """A field that form encodings carry as a JSON string (blocks, reply_markup) and JSON carries as is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


class Calls:
    """Every API call our bot made, with the peer's verdict, for tests to assert that none was refused."""

    def __init__(self) -> None:
        self.items: List[Dict[str, Any]] = []

    def record(self, method: str, ok: bool, error: Optional[str] = None, **details: Any) -> None:
        self.items.append({"method": method, "ok": ok, "error": error, **details})


async def deliver(url: str, body: bytes, headers: Dict[str, str]) -> Dict[str, Any]:
    """POST a webhook as the platform does; the status, headers and body our server answered, and how long."""
    started = time.monotonic()
    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(url, data=body, headers=headers) as answer,
    ):
        text = await answer.text()
        return {
            "status": answer.status,
            "body": text,
            "headers": dict(answer.headers),
            "seconds": round(time.monotonic() - started, 3),
        }


def serve(app: web.Application, port: int) -> None:
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
