"""The REST channel (same URL as Rasa's: /webhooks/rest/webhook), with authenticated senders.

Rasa's own REST channel takes any `sender`, so anyone who learned a conversation id (shown to agents,
written in tickets, logged) could post into it and inherit its verification. Here a sender is one of:

- a session id this server signed: `POST /webhooks/rest/session` returns `{"sender": "rest-….<sig>"}`
  (new sessions are limited per customer address); or
- a server-to-server integration presenting `Authorization: Bearer $REST_CHANNEL_TOKEN`, whose own
  sender ids are kept apart in their own namespace (`api-<sender>`).

Ids of other channels (`wc-…` web chat sessions) are never accepted. Bodies over CHANNEL_MAX_BODY_BYTES,
malformed or deeply nested JSON get a JSON 4xx, never a 500. An optional `message_id` names a message so a
resend after a failure is recognised; `input_channel` cannot be chosen by the client.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import MessageGuard, client_message_id
from channels.sessions import SessionSigner
from common import store_outage
from common.channel_context import ChannelContext
from common.net import client_address
from common.settings import ChannelSettings, channel_settings, run_id

logger = logging.getLogger(__name__)

SESSION_PREFIX = "rest-"
SERVICE_PREFIX = "api-"
SERVICE_SENDER = re.compile(r"[A-Za-z0-9_.:@-]{1,100}")


def error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": {"code": code, "message": message}}, status=status)


def unavailable() -> HTTPResponse:
    """503 with Retry-After: the message was not handled, and the same message may be sent again."""
    answer = error(503, store_outage.UNAVAILABLE_CODE, store_outage.UNAVAILABLE_MESSAGE)
    answer.headers["Retry-After"] = str(store_outage.RETRY_AFTER_SECONDS)
    return answer


def parse_body(request: Request, max_bytes: int) -> Dict[str, Any]:
    """The JSON object in the body, or ValueError with what is wrong (too large, not JSON, too deep)."""
    body = request.body or b""
    if len(body) > max_bytes:
        raise ValueError(f"request_too_large:The body is larger than {max_bytes} bytes.")
    try:
        parsed = json.loads(body)
    except RecursionError:
        raise ValueError("bad_request:The JSON is nested too deeply.")
    except ValueError:
        raise ValueError("bad_request:The body is not JSON.")
    if not isinstance(parsed, dict):
        raise ValueError("bad_request:Send a JSON object.")
    return parsed


class GuardedRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> GuardedRestInput:
        return cls(channel_settings())

    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings
        self.guard = MessageGuard(settings)
        self.signer = SessionSigner(settings.session_secret, SESSION_PREFIX)
        self.run_id = run_id()

    def _context(self, request: Request, channel: str) -> ChannelContext:
        address = client_address(request.ip, request.headers, trust_proxy=self.settings.trust_proxy)
        return ChannelContext(channel, address)

    def _sender(self, request: Request, claimed: Any) -> Optional[tuple]:
        """(tracker sender id, channel name) for an authenticated sender, else None."""
        token = self.settings.rest_service_token
        header = request.headers.get("Authorization", "")
        if token and header.lower().startswith("bearer "):
            authentic = hmac.compare_digest(header[7:].strip().encode(), token.encode())
            if authentic and isinstance(claimed, str) and SERVICE_SENDER.fullmatch(claimed):
                return f"{SERVICE_PREFIX}{claimed}", "rest-api"
            return None
        sender_id = self.signer.verify(claimed)
        return (sender_id, "rest") if sender_id else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)
        handle = self.guard.wrap(on_new_message)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "run_id": self.run_id})

        @webhook.route("/session", methods=["POST"])
        async def new_session(request: Request) -> HTTPResponse:
            address = self._context(request, "rest").client_address
            if not self.guard.may_start_session("rest", address):
                return error(429, "too_many_sessions", self.guard.texts["utter_too_many_sessions"])
            return response.json({"sender": self.signer.issue()}, status=201)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = parse_body(request, self.settings.max_body_bytes)
            except ValueError as exc:
                code, message = str(exc).split(":", 1)
                return error(413 if code == "request_too_large" else 400, code, message)
            sender = self._sender(request, body.get("sender"))
            if sender is None:
                return error(
                    403,
                    "sender_not_signed",
                    "Start a conversation with POST /webhooks/rest/session and send the sender it returns "
                    "(integrations: a bearer token).",
                )
            text = body.get("message")
            if not isinstance(text, str):
                return error(400, "bad_request", "Send the customer's text as a string in `message`.")
            sender_id, channel = sender
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            message = UserMessage(
                text,
                collector,
                sender_id,
                input_channel=self.name(),
                metadata=self._context(request, channel).stamp(metadata),
                message_id=client_message_id(body.get("message_id")),
            )
            # A conversation store that does not answer: refuse the message (nothing was done, send it again)
            # rather than answer it without the conversation (common/store_outage.py).
            if not store_outage.stores_answer():
                return unavailable()
            with store_outage.watching() as failures:
                try:
                    await handle(message)
                except Exception as exc:  # noqa: BLE001 - the customer gets what was said so far, never a trace
                    if store_outage.is_store_outage(exc) and not collector.messages:
                        return unavailable()
                    logger.exception("REST message from %s failed", sender_id)
            if failures:
                return unavailable()
            return response.json(collector.messages)

        return webhook
