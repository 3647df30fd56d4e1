"""A local stand-in for Telegram: the Bot API our bot calls, and the webhook updates it receives.

    python -m tests.peers.telegram --port 9200 --bot-token 123456789:AA...

Bot API (https://core.telegram.org/bots/api), answered like Telegram: {"ok": true, "result": ...}, or
{"ok": false, "error_code", "description"} with that HTTP status.
- POST /bot<token>/<method> (JSON, URL-encoded or multipart): a wrong token is 401 Unauthorized, an unknown
  method 404 Not Found. getMe; setWebhook (url, secret_token of 1-256 characters A-Z a-z 0-9 _ -,
  allowed_updates; https only, except 127.0.0.1 and localhost: a local peer's one deviation);
  getWebhookInfo; sendMessage (a chat the peer knows; text of 1-4096 characters after entity parsing;
  MarkdownV2 parsed as Telegram does, refusing unescaped reserved characters; inline keyboards whose
  callback_data holds 1-64 bytes: BUTTON_DATA_INVALID); answerCallbackQuery (a query id the peer issued).
Updates are the documented examples in tests/fixtures/telegram/ with ids and text filled in, POSTed to the
URL setWebhook registered, with its secret in X-Telegram-Bot-Api-Secret-Token.
Control routes for tests, under /_peer/: send, redeliver, fail, messages, state.
"""

from __future__ import annotations

import argparse
import hmac
import itertools
import json
import re
import time
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlparse

from aiohttp import web

from tests.peers.common import Calls, arguments, deliver, fixture, json_field, serve

RESERVED = set("_*[]()~`>#+-=|{}.!")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
ENTITY_MARKERS = ("__", "||", "*", "_", "~")


def parse_markdown_v2(text: str) -> Tuple[Optional[str], Optional[str]]:
    """(the text a customer sees, None) or (None, Telegram's error) for a MarkdownV2 message.

    https://core.telegram.org/bots/api#markdownv2-style: any character may be escaped with a backslash;
    _*[]()~`>#+-=|{}.! outside entities must be; entities must be closed; in a link's URL only ) and \\
    need escaping."""
    out: List[str] = []
    open_entities: List[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 >= len(text):
                return None, "Can't parse entities: can't find end of escape sequence"
            out.append(text[index + 1])
            index += 2
            continue
        marker = next((m for m in ENTITY_MARKERS if text.startswith(m, index)), None)
        if marker:
            if open_entities and open_entities[-1] == marker:
                open_entities.pop()
            else:
                open_entities.append(marker)
            index += len(marker)
            continue
        if char == "[":
            end = text.find("](", index)
            close = text.find(")", end + 2) if end != -1 else -1
            while close != -1 and text[close - 1] == "\\":
                close = text.find(")", close + 1)
            if end == -1 or close == -1:
                return (
                    None,
                    f"Can't parse entities: character '[' is reserved and must be escaped with the preceding '\\' (byte offset {index})",
                )
            title, problem = parse_markdown_v2(text[index + 1 : end])
            if problem:
                return None, problem
            out.append(title or "")
            index = close + 1
            continue
        if char in RESERVED:
            return (
                None,
                f"Can't parse entities: Character '{char}' is reserved and must be escaped with the preceding '\\'",
            )
        out.append(char)
        index += 1
    if open_entities:
        return None, f"Can't parse entities: can't find end of the entity starting with '{open_entities[-1]}'"
    return "".join(out), None


def keyboard_problem(markup: Any) -> Optional[str]:
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        return "Bad Request: can't parse reply keyboard markup JSON object"
    for row in markup["inline_keyboard"]:
        for button in row if isinstance(row, list) else [None]:
            if not isinstance(button, dict) or not button.get("text"):
                return "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                return "Bad Request: BUTTON_DATA_INVALID"
            if data is None and not button.get("url"):
                return 'Bad Request: can\'t parse inline keyboard button: Field "callback_data" or "url" must be set'
    return None


class TelegramPeer:
    def __init__(self, bot_token: str) -> None:
        self.bot_token = bot_token
        self.bot_id = int(bot_token.split(":", 1)[0])
        self.calls = Calls()
        self.webhook: Dict[str, Any] = {}
        self.chats: Dict[int, Dict[str, Any]] = {}
        self.messages: List[Dict[str, Any]] = []
        self.updates: Dict[int, Dict[str, Any]] = {}
        self.queries: Dict[str, bool] = {}
        self.update_ids = itertools.count(700_000_000)
        self.message_ids = itertools.count(1)
        self.failures: Dict[str, int] = {}

    def _fail(self, method: str, status: int, description: str) -> web.Response:
        self.calls.record(method, False, description)
        return web.json_response(
            {"ok": False, "error_code": status, "description": description}, status=status
        )

    def _ok(self, method: str, result: Any) -> web.Response:
        self.calls.record(method, True)
        return web.json_response({"ok": True, "result": result})

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if not hmac.compare_digest(request.match_info["token"], self.bot_token):
            return self._fail(method, 401, "Unauthorized")
        args = await arguments(request)
        if self.failures.get(method.lower(), 0) > 0:  # a fault the test asked for: flood control
            self.failures[method.lower()] -= 1
            self.calls.record(method, False, "Too Many Requests: retry after 1", injected=True)
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status=429,
            )
        handler = {
            "getme": self._get_me,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._webhook_info,
            "sendmessage": self._send_message,
            "answercallbackquery": self._answer_callback,
        }.get(method.lower())
        if handler is None:
            return self._fail(method, 404, "Not Found")
        return handler(method, args)

    def _bot(self) -> Dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Frontdesk",
            "username": "frontdesk_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _get_me(self, method: str, args: Dict[str, Any]) -> web.Response:
        return self._ok(method, self._bot())

    def _set_webhook(self, method: str, args: Dict[str, Any]) -> web.Response:
        url = str(args.get("url") or "")
        parsed = urlparse(url)
        local = parsed.hostname in ("127.0.0.1", "localhost")
        if not url or not (parsed.scheme == "https" or (local and parsed.scheme == "http")):
            return self._fail(
                method, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = args.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
            return self._fail(method, 400, "Bad Request: secret token contains unallowed characters")
        allowed = json_field(args.get("allowed_updates")) if "allowed_updates" in args else None
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": allowed}
        return self._ok(method, True)

    def _webhook_info(self, method: str, args: Dict[str, Any]) -> web.Response:
        return self._ok(
            method,
            {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
                "allowed_updates": self.webhook.get("allowed_updates"),
            },
        )

    def _send_message(self, method: str, args: Dict[str, Any]) -> web.Response:
        if args.get("chat_id") in (None, ""):
            return self._fail(method, 400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(args["chat_id"])
        except (TypeError, ValueError):
            return self._fail(method, 400, "Bad Request: chat not found")
        if chat_id not in self.chats:
            return self._fail(method, 400, "Bad Request: chat not found")
        raw = str(args.get("text") or "")
        mode = args.get("parse_mode")
        if mode not in (None, "", "MarkdownV2"):
            return self._fail(method, 400, f"Bad Request: unsupported parse_mode {mode}")
        text, problem = parse_markdown_v2(raw) if mode == "MarkdownV2" else (raw, None)
        if problem:
            return self._fail(method, 400, "Bad Request: " + problem)
        if not text or not text.strip():
            return self._fail(method, 400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return self._fail(method, 400, "Bad Request: message is too long")
        markup = json_field(args["reply_markup"]) if "reply_markup" in args else None
        if markup is not None:
            problem = keyboard_problem(markup)
            if problem:
                return self._fail(method, 400, problem)
        message = {
            "message_id": next(self.message_ids),
            "from": self._bot(),
            "chat": self.chats[chat_id],
            "date": int(time.time()),
            "text": text,
            "raw_text": raw,
            "parse_mode": mode,
        }
        if markup is not None:
            message["reply_markup"] = markup
        self.messages.append(message)
        return self._ok(method, {k: v for k, v in message.items() if k not in ("raw_text", "parse_mode")})

    def _answer_callback(self, method: str, args: Dict[str, Any]) -> web.Response:
        query_id = str(args.get("callback_query_id") or "")
        if query_id not in self.queries or len(str(args.get("text") or "")) > 200:
            return self._fail(
                method,
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.queries[query_id] = True
        return self._ok(method, True)

    # --- updates, delivered as Telegram delivers them ----------------------------------------------------

    def _people(self, spec: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        chat_id = int(spec["chat_id"])
        user = {
            "id": int(spec.get("user_id", chat_id)),
            "is_bot": False,
            "first_name": "Test",
            "username": f"customer{chat_id}",
            "language_code": "en",
        }
        chat = {"id": chat_id, "first_name": "Test", "username": f"customer{chat_id}", "type": "private"}
        self.chats[chat_id] = chat
        return user, chat

    def _update(self, spec: Dict[str, Any]) -> Dict[str, Any]:
        kind = spec.get("kind", "message")
        user, chat = self._people(spec)
        update = fixture("telegram", kind)
        if kind == "callback_query":
            query = update["callback_query"]
            message = next(
                m
                for m in reversed(self.messages)
                if m["chat"]["id"] == chat["id"] and self._data(m, spec["button"]) is not None
            )
            query.update(
                id=f"{int(time.time() * 1000)}{next(self.message_ids)}",
                data=self._data(message, spec["button"]),
            )
            query["from"], query["message"] = (
                user,
                {k: v for k, v in message.items() if k not in ("raw_text", "parse_mode")},
            )
            self.queries[query["id"]] = False
        else:
            message = update[kind]
            message.update({"from": user, "chat": chat, "date": int(time.time()), "text": spec["text"]})
            message["message_id"] = (
                int(spec["message_id"]) if kind == "edited_message" else next(self.message_ids)
            )
            if kind == "edited_message":
                message["edit_date"] = int(time.time())
        update["update_id"] = next(self.update_ids)
        return update

    @staticmethod
    def _data(message: Dict[str, Any], title: str) -> Optional[str]:
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == title:
                    return button.get("callback_data")
        return None

    async def _post(self, update: Dict[str, Any], secret: str) -> Dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        registered = self.webhook.get("secret_token")
        if secret == "registered" and registered:
            headers["X-Telegram-Bot-Api-Secret-Token"] = registered
        elif secret == "wrong":
            headers["X-Telegram-Bot-Api-Secret-Token"] = "not-the-secret-" + (registered or "x")
        return await deliver(self.webhook["url"], json.dumps(update).encode(), headers)

    async def send(self, request: web.Request) -> web.Response:
        spec = await request.json()
        if not self.webhook.get("url"):
            return web.json_response({"error": "no webhook registered (setWebhook)"}, status=409)
        update = self._update(spec)
        self.updates[update["update_id"]] = update
        result = await self._post(update, spec.get("secret", "registered"))
        kind = spec.get("kind", "message")
        details = update[kind]
        return web.json_response(
            {
                **result,
                "update_id": update["update_id"],
                "message_id": details.get("message_id"),
                "callback_query_id": details.get("id"),
            }
        )

    async def redeliver(self, request: web.Request) -> web.Response:
        """Telegram's re-delivery of an update it thinks failed: the same update_id, the same body."""
        spec = await request.json()
        return web.json_response(await self._post(self.updates[int(spec["update_id"])], "registered"))

    async def fail(self, request: web.Request) -> web.Response:
        """Make the next `times` calls of `method` fail as Telegram's flood control does (HTTP 429)."""
        spec = await request.json()
        self.failures[str(spec["method"]).lower()] = int(spec.get("times", 1))
        return web.json_response({"ok": True})

    async def sent(self, request: web.Request) -> web.Response:
        chat = request.query.get("chat_id")
        return web.json_response([m for m in self.messages if chat is None or str(m["chat"]["id"]) == chat])

    async def state(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"calls": self.calls.items, "webhook": self.webhook, "callbacks": self.queries}
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.api)
        app.router.add_post("/_peer/send", self.send)
        app.router.add_post("/_peer/redeliver", self.redeliver)
        app.router.add_post("/_peer/fail", self.fail)
        app.router.add_get("/_peer/messages", self.sent)
        app.router.add_get("/_peer/state", self.state)
        app.router.add_get("/health", lambda _: web.json_response({"status": "ok"}))
        return app


def main() -> None:
    parser = argparse.ArgumentParser(description="A local Telegram Bot API for tests")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bot-token", required=True)
    options = parser.parse_args()
    serve(TelegramPeer(options.bot_token).app(), options.port)


if __name__ == "__main__":
    main()
