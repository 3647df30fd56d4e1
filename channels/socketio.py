"""Rasa's socket.io channel for the customer web chat, hardened: signed session ids, the message guard, presence.

Rasa's own SocketIOInput trusts whatever session id a browser sends, so anyone who learns or guesses another
customer's id can read that customer's replies and speak in their name. Here the server issues the ids and
signs them (HMAC-SHA256 with WEBCHAT_SESSION_SECRET); a browser can keep its id across reloads but cannot
make one up. Customer messages pass the same MessageGuard as the REST channel (channels/guard.py), and
GET /webhooks/socketio/presence/<sender_id> tells agents' tools whether the customer still has the chat open.

The channel keeps the name "socketio", so `output_channel=latest` on Rasa's HTTP API reaches the customer's
open page. With several Rasa replicas, set WEBCHAT_REDIS_URL: messages are then published through socket.io's
Redis manager, so a push received by any replica reaches the customer's socket on whichever replica holds it,
and presence is shared (channels/presence.py). Without it, sockets and presence are per process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

from limits import parse
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from channels.guard import MessageGuard
from channels.presence import LocalPresence, RedisPresence

logger = logging.getLogger(__name__)

SECRET_ENV = "WEBCHAT_SESSION_SECRET"
ORIGINS_ENV = "WEBCHAT_ALLOWED_ORIGINS"
API_TOKEN_ENV = "RASA_API_TOKEN"
REDIS_ENV = "WEBCHAT_REDIS_URL"
NEW_SESSIONS_ENV = "WEBCHAT_NEW_SESSIONS_PER_ADDRESS"
TRUST_PROXY_ENV = "WEBCHAT_TRUST_PROXY"
SENDER_PREFIX = "wc-"
SIGNATURE_CHARACTERS = 22  # 132 bits of the HMAC: far beyond guessing, and keeps the id short
_WIRE_ID = re.compile(r"wc-[0-9a-f]{32}\.[A-Za-z0-9_-]{%d}" % SIGNATURE_CHARACTERS)


class SessionSigner:
    """Issues and checks the session ids browsers keep: `wc-<32 hex>.<signature>`.

    The part before the dot is the Rasa sender id (the tracker's and the socket.io room's name); the
    signature proves this server issued it.
    """

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def signature(self, sender_id: str) -> str:
        digest = hmac.new(self.secret, sender_id.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:SIGNATURE_CHARACTERS]

    def issue(self) -> str:
        sender_id = f"{SENDER_PREFIX}{uuid.uuid4().hex}"
        return f"{sender_id}.{self.signature(sender_id)}"

    def verify(self, wire_id: Any) -> Optional[str]:
        """The sender id inside a wire id this server signed, or None for anything else."""
        if not isinstance(wire_id, str) or not _WIRE_ID.fullmatch(wire_id):
            return None
        sender_id, signature = wire_id.split(".", 1)
        if not hmac.compare_digest(self.signature(sender_id), signature):
            return None
        return sender_id


def session_secret() -> bytes:
    secret = os.environ.get(SECRET_ENV, "")
    if secret:
        if len(secret) < 32:
            logger.warning("%s is shorter than 32 characters; use a long random value.", SECRET_ENV)
        return secret.encode("utf-8")
    logger.warning(
        "%s is not set: using a random secret, so web chat sessions will not survive a restart of Rasa "
        "(customers then start a new conversation). Set it to a long random value in production.",
        SECRET_ENV,
    )
    return secrets.token_bytes(32)


def client_address(environ: Dict[str, Any]) -> str:
    """Where a socket comes from: the first X-Forwarded-For hop behind our own proxy, else the peer address."""
    if os.environ.get(TRUST_PROXY_ENV, "").lower() == "true":
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[0].strip()
    request = environ.get("sanic.request")
    return str(getattr(request, "ip", "") or "unknown")


def allowed_origins() -> list:
    # An empty list switches python-engineio's origin check off (Rasa's default); with a list, only those
    # pages may open a socket, which matters for WebSocket because browsers apply no CORS to it.
    return [origin.strip() for origin in os.environ.get(ORIGINS_ENV, "").split(",") if origin.strip()]


class AgentAwareSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, plus the agent's name on messages a person sent (metadata `agent`).

    The console adds an agent's message as a bot event with that metadata; Rasa passes metadata through to
    send_text_message as keyword arguments, and the page shows the name above the message.
    """

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        agent = kwargs.get("agent")
        if not isinstance(agent, str) or not agent:
            await super().send_text_message(recipient_id, text, **kwargs)
            return
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, "agent": agent[:100]})


class GuardedSocketIOInput(SocketIOInput):
    """The socket.io channel with server-signed session ids, the message guard and a presence endpoint.

    A subclass named "socketio" rather than a new channel, so Rasa finds it for `output_channel=latest` and
    builds its output channel from it (get_output_channel) exactly as for its own socket.io channel.
    """

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> GuardedSocketIOInput:
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            domain_path=credentials.get("domain", "domain.yml"),
            rate_limit=credentials.get("rate_limit"),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        domain_path: str = "domain.yml",
        rate_limit: Optional[str] = None,
        secret: Optional[bytes] = None,
    ) -> None:
        # Persistence is always on: the sender id outlives the socket, so a reload continues the conversation.
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            session_persistence=True,
            socketio_path=socketio_path,
        )
        self.guard = MessageGuard(domain_path, rate_limit)
        self.signer = SessionSigner(secret if secret is not None else session_secret())
        self.redis_url = os.environ.get(REDIS_ENV) or None
        self.presence = RedisPresence(self.redis_url) if self.redis_url else LocalPresence()
        self.sender_of_socket: Dict[str, str] = {}
        self.address_of_socket: Dict[str, str] = {}
        # The per-sender limit alone could be dodged by asking for a fresh session for every few messages.
        self.new_sessions_limit = parse(os.environ.get(NEW_SESSIONS_ENV, "30/hour"))

    def get_output_channel(self) -> Optional[AgentAwareSocketIOOutput]:
        """The output for messages pushed through Rasa's HTTP API (`output_channel=latest`)."""
        if self.sio is None:
            return None
        return AgentAwareSocketIOOutput(self.sio, self.bot_message_evt)

    async def _join(self, sid: str, sender_id: str) -> None:
        self.sender_of_socket[sid] = sender_id
        try:
            await self.presence.join(sender_id, sid)
        except Exception as exc:  # noqa: BLE001 - presence is a hint; the chat must work without it
            logger.warning("web chat presence not recorded: %s", exc)

    async def _leave(self, sid: str) -> Optional[str]:
        sender_id = self.sender_of_socket.pop(sid, None)
        if sender_id is not None:
            try:
                await self.presence.leave(sender_id, sid)
            except Exception as exc:  # noqa: BLE001 - see _join
                logger.warning("web chat presence not cleared: %s", exc)
        return sender_id

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # With Redis, an emit on any replica reaches the socket wherever it is connected.
        manager = AsyncRedisManager(self.redis_url, channel="frontdesk-webchat") if self.redis_url else None
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=allowed_origins(), client_manager=manager)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        # get_output_channel (used for output_channel=latest) builds its output from self.sio.
        self.sio = sio
        handle = self.guard.wrap(on_new_message)
        api_token = os.environ.get(API_TOKEN_ENV) or None

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @socketio_webhook.route("/presence/<sender_id>", methods=["GET"])
        async def presence(request: Request, sender_id: str) -> HTTPResponse:
            if api_token is not None:
                presented = request.headers.get("Authorization", "")
                if not hmac.compare_digest(presented.encode("utf-8"), f"Bearer {api_token}".encode()):
                    return response.json({"error": "a valid bearer token is required"}, status=403)
            try:
                connected = await self.presence.connected(sender_id)
            except Exception as exc:  # noqa: BLE001 - unknown is an answer: the console falls back to email
                logger.warning("web chat presence unavailable: %s", exc)
                return response.json({"error": "presence unavailable"}, status=503)
            return response.json({"connected": connected})

        @sio.on("connect")
        async def connect(sid: str, environ: Dict[str, Any], auth: Any = None) -> bool:
            self.address_of_socket[sid] = client_address(environ)
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str, reason: Any = None) -> None:
            self.address_of_socket.pop(sid, None)
            sender_id = await self._leave(sid)
            logger.debug("Socket %s of %s disconnected (%s).", sid, sender_id, reason)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            presented = data.get("session_id") if isinstance(data, dict) else None
            if self.signer.verify(presented):
                wire_id = presented
            elif self.guard.limiter.hit(
                self.new_sessions_limit, "webchat-new-session", self.address_of_socket.get(sid, "unknown")
            ):
                wire_id = self.signer.issue()
            else:
                await sio.emit(
                    "session_refused", {"text": self.guard.texts["utter_too_many_sessions"]}, room=sid
                )
                return
            sender_id = wire_id.split(".", 1)[0]
            previous = await self._leave(sid)
            # "New conversation" asks again on the same socket: it must stop receiving the old replies.
            if previous is not None and previous != sender_id:
                await sio.leave_room(sid, previous)
            # Awaited: python-socketio 5.x made enter_room a coroutine (Rasa 3.6's own channel does not await
            # it, so its sockets never join the room and replies are lost).
            await sio.enter_room(sid, sender_id)
            await self._join(sid, sender_id)
            await sio.emit("session_confirm", wire_id, room=sid)
            if presented is not None and presented != wire_id:
                logger.info("Socket %s presented an unknown session id; issued %s.", sid, sender_id)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any = None, *_: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.debug("Ignored a malformed %s from socket %s.", self.user_message_evt, sid)
                return
            sender_id = self.signer.verify(data.get("session_id"))
            if sender_id is None:
                logger.warning("Ignored a message from socket %s without a valid session id.", sid)
                return
            metadata = data.get("metadata")
            message = UserMessage(
                data["message"],
                AgentAwareSocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else None,
            )
            await handle(message)

        return socketio_webhook
