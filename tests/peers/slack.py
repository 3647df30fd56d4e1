"""A local stand-in for Slack: the Web API our bot calls, and the Events API and interactivity webhooks it
receives, signed the way Slack signs them.

    python -m tests.peers.slack --port 9100 --webhook-url http://127.0.0.1:5005/webhooks/slack/webhook \
        --bot-token xoxb-... --signing-secret ...   (or POST /_peer/configure {"webhook_url": ...} later)

Web API (https://api.slack.com/web), answered like Slack: HTTP 200 with {"ok": false, "error": ...} on refusal.
- POST /api/auth.test, /api/chat.postMessage: `Authorization: Bearer <bot token>` (not_authed, invalid_auth);
  chat.postMessage needs a channel the peer knows (channel_not_found), text or blocks (no_text), text up to
  40,000 characters (msg_too_long) and valid Block Kit (invalid_blocks: at most 50 blocks, sections up to
  3,000 characters, actions blocks with 1-25 elements, buttons with plain_text titles up to 75 characters,
  values up to 2,000, unique action_ids up to 255).
Webhooks (https://api.slack.com/authentication/verifying-requests-from-slack): the bodies are the documented
examples in tests/fixtures/slack/ with ids and text filled in, signed `v0=HMAC-SHA256(v0:<ts>:<body>)`.
User text is formatted as Slack clients send it: &, < and > escaped, emails as <mailto:...|...>, links as <...>.
Control routes for tests, under /_peer/: configure, send, retry, replay, click, fail, messages, calls.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import re
import time
import uuid
from typing import Any, Dict, List, Optional
from urllib.parse import urlencode

from aiohttp import web

from tests.peers.common import Calls, arguments, deliver, fixture, json_field, serve

TEAM = "T0FRONTDSK"
BOT_USER = "U0FRONTBOT"
BOT_ID = "B0FRONTBOT"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"https?://[^\s<>]+")
BLOCK_TYPES = {"section", "actions", "divider", "context", "header", "image"}


def slack_formatted(text: str) -> str:
    """Text as a Slack client sends it (https://api.slack.com/reference/surfaces/formatting)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = EMAIL.sub(lambda m: f"<mailto:{m.group(0)}|{m.group(0)}>", text)
    return URL.sub(lambda m: f"<{m.group(0)}>", text)


def blocks_problem(blocks: Any) -> Optional[str]:
    """Why Slack would refuse these blocks (invalid_blocks), or None."""
    if not isinstance(blocks, list) or not 0 < len(blocks) <= 50:
        return "blocks must be a list of 1 to 50 blocks"
    action_ids: List[str] = []
    for block in blocks:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in BLOCK_TYPES:
            return f"unknown block type {kind!r}"
        if kind == "section":
            text = block.get("text") or {}
            if (
                text.get("type") not in ("mrkdwn", "plain_text")
                or not 0 < len(text.get("text") or "") <= 3000
            ):
                return "section text must be mrkdwn or plain_text, 1 to 3000 characters"
        if kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 0 < len(elements) <= 25:
                return "actions blocks hold 1 to 25 elements"
            for element in elements:
                title = element.get("text") or {}
                if element.get("type") != "button" or title.get("type") != "plain_text":
                    return "buttons need a plain_text title"
                if not 0 < len(title.get("text") or "") <= 75 or len(str(element.get("value", ""))) > 2000:
                    return "button titles hold 1 to 75 characters and values up to 2000"
                action_id = str(element.get("action_id") or "")
                if len(action_id) > 255 or (action_id and action_id in action_ids):
                    return "action_ids must be unique and up to 255 characters"
                action_ids.append(action_id)
    return None


class SlackPeer:
    def __init__(self, webhook_url: Optional[str], bot_token: str, signing_secret: str) -> None:
        self.webhook_url = webhook_url
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.calls = Calls()
        self.messages: List[Dict[str, Any]] = []
        self.channels = set()
        self.deliveries: Dict[str, Dict[str, Any]] = {}
        self.clock = itertools.count(1)
        self.failures: Dict[str, int] = {}

    def _ts(self) -> str:
        return f"{int(time.time())}.{next(self.clock):06d}"

    # --- the Web API ---------------------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await arguments(request)
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return self._refuse(method, "not_authed")
        if not hmac.compare_digest(header[7:], self.bot_token):
            return self._refuse(method, "invalid_auth")
        if self.failures.get(method, 0) > 0:  # a fault the test asked for: Slack's rate limit
            self.failures[method] -= 1
            self.calls.record(method, False, "ratelimited", injected=True)
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        if method == "auth.test":
            self.calls.record(method, True)
            return web.json_response(
                {
                    "ok": True,
                    "url": "https://frontdesk-test.slack.com/",
                    "team": "Frontdesk test",
                    "user": "frontdesk",
                    "team_id": TEAM,
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                }
            )
        if method == "chat.postMessage":
            return self._post_message(args)
        return self._refuse(method, "unknown_method")

    def _refuse(self, method: str, error: str, **details: Any) -> web.Response:
        self.calls.record(method, False, error, **details)
        return web.json_response({"ok": False, "error": error})

    def _post_message(self, args: Dict[str, Any]) -> web.Response:
        channel, text = args.get("channel"), args.get("text")
        blocks = json_field(args["blocks"]) if "blocks" in args else None
        if not isinstance(channel, str) or channel not in self.channels:
            return self._refuse("chat.postMessage", "channel_not_found", channel=channel)
        if not text and not blocks and not args.get("attachments"):
            return self._refuse("chat.postMessage", "no_text")
        if isinstance(text, str) and len(text) > 40000:
            return self._refuse("chat.postMessage", "msg_too_long")
        if blocks is not None:
            problem = blocks_problem(blocks)
            if problem:
                return self._refuse("chat.postMessage", "invalid_blocks", detail=problem)
        message = {
            "channel": channel,
            "text": text or "",
            "blocks": blocks or [],
            "ts": self._ts(),
            "bot_id": BOT_ID,
            "user": BOT_USER,
        }
        self.messages.append(message)
        self.calls.record("chat.postMessage", True, channel=channel)
        return web.json_response({"ok": True, "channel": channel, "ts": message["ts"], "message": message})

    # --- webhooks, signed as Slack signs them ---------------------------------------------------------------

    def _headers(self, body: bytes, signature: str, age_seconds: int, content_type: str) -> Dict[str, str]:
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        if signature == "none":
            return headers
        stamp = str(int(time.time()) - age_seconds)
        secret = self.signing_secret if signature == "valid" else "not-the-" + self.signing_secret
        digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        headers.update({"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"})
        return headers

    async def _deliver(self, body: bytes, headers: Dict[str, str]) -> Dict[str, Any]:
        delivery = uuid.uuid4().hex
        self.deliveries[delivery] = {"body": body, "headers": headers}
        return {"delivery": delivery, **await deliver(self.webhook_url, body, headers)}

    def _event(self, spec: Dict[str, Any]) -> Dict[str, Any]:
        user = spec["user"]
        kind = spec.get("kind", "message.im")
        channel = spec.get("channel") or ("D" + user[1:])
        self.channels.add(channel)
        ts = self._ts()
        if kind == "app_mention":
            payload = fixture("slack", "app_mention")
            payload["event"].update(text=f"<@{BOT_USER}> {slack_formatted(spec['text'])}", channel=channel)
        elif kind == "message_changed":
            payload = fixture("slack", "message_changed")
            payload["event"].update(channel=channel, ts=ts, event_ts=ts)
            payload["event"]["message"].update(
                user=user, text=slack_formatted(spec["text"]), ts=spec["original_ts"]
            )
            payload["event"]["message"]["edited"] = {"user": user, "ts": ts}
            payload["event"]["previous_message"].update(user=user, ts=spec["original_ts"])
        else:
            payload = fixture("slack", "message_im")
            payload["event"].update(
                text=slack_formatted(spec["text"]), channel=channel, client_msg_id=str(uuid.uuid4())
            )
        if kind != "message_changed":
            payload["event"].update(user=user, ts=ts, event_ts=ts)
        payload.update(
            team_id=TEAM, event_id="Ev" + uuid.uuid4().hex[:10].upper(), event_time=int(time.time())
        )
        return payload

    async def send(self, request: web.Request) -> web.Response:
        spec = await request.json()
        payload = self._event(spec)
        body = json.dumps(payload).encode()
        headers = self._headers(
            body, spec.get("signature", "valid"), int(spec.get("age_seconds", 0)), "application/json"
        )
        result = await self._deliver(body, headers)
        return web.json_response(
            {
                **result,
                "event_id": payload["event_id"],
                "ts": payload["event"]["ts"],
                "channel": payload["event"]["channel"],
            }
        )

    async def retry(self, request: web.Request) -> web.Response:
        """Slack's retry: the same body (same event_id), signed afresh, with X-Slack-Retry-Num/-Reason."""
        spec = await request.json()
        body = self.deliveries[spec["delivery"]]["body"]
        headers = self._headers(body, "valid", 0, "application/json")
        headers.update(
            {
                "X-Slack-Retry-Num": str(spec.get("retry_num", 1)),
                "X-Slack-Retry-Reason": spec.get("reason", "http_timeout"),
            }
        )
        return web.json_response(await self._deliver(body, headers))

    async def replay(self, request: web.Request) -> web.Response:
        """An attacker's replay: the captured request, byte for byte, headers and signature included."""
        spec = await request.json()
        captured = self.deliveries[spec["delivery"]]
        return web.json_response(await deliver(self.webhook_url, captured["body"], captured["headers"]))

    async def click(self, request: web.Request) -> web.Response:
        """The customer presses the button titled `title` on the bot's latest message that has it."""
        spec = await request.json()
        for message in reversed(self.messages):
            if message["channel"] != spec["channel"]:
                continue
            for block in message["blocks"]:
                for element in block.get("elements", []) if block.get("type") == "actions" else []:
                    if element["text"]["text"] == spec["title"]:
                        return web.json_response(await self._click(spec, message, block, element))
        return web.json_response({"error": "no such button"}, status=404)

    async def _click(self, spec: Dict[str, Any], message: Dict[str, Any], block: Dict, element: Dict) -> Dict:
        payload = fixture("slack", "block_actions")
        user, channel = spec["user"], spec["channel"]
        payload["team"] = {"id": TEAM, "domain": "frontdesk-test"}
        payload["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}
        payload["container"].update(message_ts=message["ts"], channel_id=channel)
        payload["channel"] = {"id": channel, "name": "directmessage"}
        payload["message"] = {
            "type": "message",
            "bot_id": BOT_ID,
            "user": BOT_USER,
            "ts": message["ts"],
            "text": message["text"],
            "blocks": message["blocks"],
            "team": TEAM,
        }
        payload["actions"] = [
            {
                "action_id": element.get("action_id"),
                "block_id": block.get("block_id"),
                "text": element["text"],
                "value": element.get("value"),
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ]
        body = urlencode({"payload": json.dumps(payload)}).encode()
        headers = self._headers(body, spec.get("signature", "valid"), 0, "application/x-www-form-urlencoded")
        return await self._deliver(body, headers)

    async def configure(self, request: web.Request) -> web.Response:
        """The app's Request URL is set: Slack checks it with a signed url_verification challenge first."""
        spec = await request.json()
        payload = fixture("slack", "url_verification")
        body = json.dumps(payload).encode()
        answer = await deliver(spec["webhook_url"], body, self._headers(body, "valid", 0, "application/json"))
        try:
            echoed = json.loads(answer["body"]).get("challenge")
        except (ValueError, AttributeError):
            echoed = None
        if answer["status"] != 200 or echoed != payload["challenge"]:
            return web.json_response({"error": "url_verification failed", "answer": answer}, status=409)
        self.webhook_url = spec["webhook_url"]
        return web.json_response({"ok": True})

    async def fail(self, request: web.Request) -> web.Response:
        """Make the next `times` calls of `method` fail as Slack does under rate limiting (HTTP 429)."""
        spec = await request.json()
        self.failures[spec["method"]] = int(spec.get("times", 1))
        return web.json_response({"ok": True})

    async def posted(self, request: web.Request) -> web.Response:
        channel = request.query.get("channel")
        return web.json_response([m for m in self.messages if channel is None or m["channel"] == channel])

    async def api_calls(self, _: web.Request) -> web.Response:
        return web.json_response(self.calls.items)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/{method}", self.api)
        app.router.add_post("/_peer/configure", self.configure)
        app.router.add_post("/_peer/send", self.send)
        app.router.add_post("/_peer/retry", self.retry)
        app.router.add_post("/_peer/replay", self.replay)
        app.router.add_post("/_peer/click", self.click)
        app.router.add_post("/_peer/fail", self.fail)
        app.router.add_get("/_peer/messages", self.posted)
        app.router.add_get("/_peer/calls", self.api_calls)
        app.router.add_get("/health", lambda _: web.json_response({"status": "ok"}))
        return app


def main() -> None:
    parser = argparse.ArgumentParser(description="A local Slack for tests")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--webhook-url", help="the app's Request URL (or set later: POST /_peer/configure)")
    parser.add_argument("--bot-token", required=True)
    parser.add_argument("--signing-secret", required=True)
    options = parser.parse_args()
    serve(SlackPeer(options.webhook_url, options.bot_token, options.signing_secret).app(), options.port)


if __name__ == "__main__":
    main()
