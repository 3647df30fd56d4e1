"""Rasa's socket.io channel for the customer web chat, hardened: signed session ids, the message guard, presence.

Rasa's own SocketIOInput trusts whatever session id a browser sends, so anyone who learns or guesses another
customer's id can read that customer's replies and speak in their name. Here the server issues the ids and
signs them (channels/sessions.py); a browser can keep its id across reloads but cannot make one up, and a
REST or other channel's id is refused. Customer messages pass the same MessageGuard as the REST channel and
carry the channel's context (address), to which a verification is bound: a signed id replayed from another
address is a conversation without its verification. GET /webhooks/socketio/presence/<sender_id> (with the
Rasa API token) tells the console whether the customer still has the chat open. A page that shows a wait for a
person asks `queue_status` (answered by acknowledgement) for its place in the queue (channels/queue_status.py).

The channel keeps the name "socketio", so `output_channel=latest` on Rasa's HTTP API reaches the customer's
open page. With several Rasa replicas, set WEBCHAT_REDIS_URL: messages are then published through socket.io's
Redis manager, so a push received by any replica reaches the customer's socket on whichever replica holds it,
and presence is shared (channels/presence.py). Without it, sockets and presence are per process.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from channels.agent_signals import AgentSignalRoute
from channels.attachments import AttachmentRoute
from channels.guard import MessageGuard, client_message_id
from channels.presence import LocalPresence, RedisPresence
from channels.queue_status import NOT_WAITING, queue_status
from channels.sessions import SessionSigner
from clients.console import ConsoleClient
from common.channel_context import ChannelContext
from common.net import PROXY_HEADER, client_address
from common.settings import ChannelSettings, channel_settings, run_id
from common.texts import Texts
from common.vocabulary import AGENT_NOTICES

logger = logging.getLogger(__name__)

SENDER_PREFIX = "wc-"
CHANNEL = "socketio"


def socket_address(environ: Dict[str, Any], *, trust_proxy: bool) -> str:
    """Where a socket comes from: the peer, or the address our own proxy wrote in X-Real-IP."""
    request = environ.get("sanic.request")
    peer = str(getattr(request, "ip", "") or "") or None
    proxy_header = environ.get("HTTP_" + PROXY_HEADER.upper().replace("-", "_"))
    return client_address(peer, {PROXY_HEADER: proxy_header} if proxy_header else {}, trust_proxy=trust_proxy)


class BoundedSocketBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint, with over-long HTTP bodies refused before python-engineio reads them.

    python-engineio answers a polling POST over max_http_buffer_size by disconnecting the socket and
    leaving the request hanging; a 413 here ends it at once and keeps the connection free.
    """

    def __init__(
        self, sio: AsyncServer, socketio_path: str, max_body_bytes: int, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(sio, socketio_path, *args, **kwargs)
        self.ctx.max_body_bytes = max_body_bytes

    def register(self, app: Any, options: Dict[str, Any]) -> None:
        path, limit = self.ctx.socketio_path, self.ctx.max_body_bytes

        async def refuse_over_long_bodies(request: Request) -> Optional[HTTPResponse]:
            if request.path.startswith(path) and int(request.headers.get("content-length") or 0) > limit:
                return response.json(
                    {"error": {"code": "request_too_large", "message": "Too large."}}, status=413
                )
            return None

        app.register_middleware(refuse_over_long_bodies, "request")
        super().register(app, options)


class AgentAwareSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, plus the agent's name on messages a person sent (metadata `agent`) and
    the kind of notice when a person joins, takes over or leaves (metadata `notice`).

    The console adds an agent's message as a bot event with that metadata; Rasa passes metadata through to
    send_text_message as keyword arguments, and the page shows the name above the message.
    """

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        agent = kwargs.get("agent")
        if not isinstance(agent, str) or not agent:
            await super().send_text_message(recipient_id, text, **kwargs)
            return
        notice = kwargs.get("notice")
        extra = {"notice": notice} if notice in AGENT_NOTICES else {}
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, "agent": agent[:100], **extra})


class GuardedSocketIOInput(SocketIOInput):
    """The socket.io channel with server-signed session ids, the message guard and a presence endpoint.

    A subclass named "socketio" rather than a new channel, so Rasa finds it for `output_channel=latest` and
    builds its output channel from it (get_output_channel) exactly as for its own socket.io channel.
    """

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> GuardedSocketIOInput:
        credentials = credentials or {}
        return cls(
            channel_settings(),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(
        self,
        settings: ChannelSettings,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
    ) -> None:
        # Persistence is always on: the sender id outlives the socket, so a reload continues the conversation.
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            session_persistence=True,
            socketio_path=socketio_path,
        )
        self.settings = settings
        self.guard = MessageGuard(settings)
        self.greeting = Texts(["utter_greet"], settings.domain_path)["utter_greet"]
        self.signer = SessionSigner(settings.session_secret, SENDER_PREFIX)
        self.presence = RedisPresence(settings.redis_url) if settings.redis_url else LocalPresence()
        self.sender_of_socket: Dict[str, str] = {}
        self.address_of_socket: Dict[str, str] = {}
        self.console = ConsoleClient.connect(settings.console)
        # Rasa's Sanic app (its agent holds the tracker store), known from the first socket's request.
        self.rasa_app: Any = None

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
        settings = self.settings
        # With Redis, an emit on any replica reaches the socket wherever it is connected.
        manager = (
            AsyncRedisManager(settings.redis_url, channel="frontdesk-webchat") if settings.redis_url else None
        )
        sio = AsyncServer(
            async_mode="sanic",
            # An empty list switches python-engineio's origin check off; with a list only those pages may
            # open a socket (browsers apply no CORS to WebSocket).
            cors_allowed_origins=list(settings.allowed_origins),
            client_manager=manager,
            max_http_buffer_size=settings.max_body_bytes,
        )
        socketio_webhook = BoundedSocketBlueprint(
            sio, self.socketio_path, settings.max_body_bytes, "socketio_webhook", __name__
        )
        # get_output_channel (used for output_channel=latest) builds its output from self.sio.
        self.sio = sio
        handle = self.guard.wrap(on_new_message)
        api_token = f"Bearer {settings.rasa_api_token}".encode()
        this_run = run_id()

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "run_id": this_run})

        attachments = AttachmentRoute(self, sio, handle)

        @socketio_webhook.route("/attachments", methods=["POST"])
        async def attachment(request: Request) -> HTTPResponse:
            return await attachments.receive(request)

        signals = AgentSignalRoute(sio, settings.rasa_api_token)

        @socketio_webhook.route("/signals/<sender_id>", methods=["POST"])
        async def agent_signal(request: Request, sender_id: str) -> HTTPResponse:
            return await signals.receive(request, sender_id)

        @socketio_webhook.route("/presence/<sender_id>", methods=["GET"])
        async def presence(request: Request, sender_id: str) -> HTTPResponse:
            if not hmac.compare_digest(request.headers.get("Authorization", "").encode("utf-8"), api_token):
                return response.json({"error": "a valid bearer token is required"}, status=403)
            try:
                connected = await self.presence.connected(sender_id)
            except Exception as exc:  # noqa: BLE001 - unknown is an answer: the console falls back to email
                logger.warning("web chat presence unavailable: %s", exc)
                return response.json({"error": "presence unavailable"}, status=503)
            return response.json({"connected": connected})

        @sio.on("connect")
        async def connect(sid: str, environ: Dict[str, Any], auth: Any = None) -> bool:
            self.address_of_socket[sid] = socket_address(environ, trust_proxy=settings.trust_proxy)
            request = environ.get("sanic.request")
            if self.rasa_app is None and request is not None:
                self.rasa_app = request.app
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str, reason: Any = None) -> None:
            self.address_of_socket.pop(sid, None)
            sender_id = await self._leave(sid)
            logger.debug("Socket %s of %s disconnected (%s).", sid, sender_id, reason)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            presented = data.get("session_id") if isinstance(data, dict) else None
            greet = False
            if isinstance(presented, str) and self.signer.verify(presented):
                wire_id = presented
            elif self.guard.may_start_session(CHANNEL, self.address_of_socket.get(sid, "unknown")):
                wire_id = self.signer.issue()
                greet = True
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
            if greet:
                # A new chat opens with the greeting and what the bot can do, not an empty window. (A reload
                # keeps its session and transcript, so it is not greeted again.)
                await sio.emit(self.bot_message_evt, {"text": self.greeting}, room=sid)
            if presented is not None and presented != wire_id:
                logger.info("Socket %s presented an unknown session id; issued %s.", sid, sender_id)

        @sio.on("queue_status")
        async def queue_status_request(sid: str, data: Any = None, *_: Any) -> Dict[str, Any]:
            """The socket's own conversation only: the answer goes back as the event's acknowledgement."""
            sender_id = self.signer.verify(data.get("session_id") if isinstance(data, dict) else None)
            agent = getattr(getattr(self.rasa_app, "ctx", None), "agent", None)
            if sender_id is None or self.sender_of_socket.get(sid) != sender_id or agent is None:
                return NOT_WAITING
            try:
                return await queue_status(agent.tracker_store, self.console, sender_id)
            except Exception as exc:  # noqa: BLE001 - a hint for the header; the chat goes on without it
                logger.warning("queue status of %s unavailable: %s", sender_id, exc)
                return NOT_WAITING

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any = None, *_: Any) -> Dict[str, bool]:
            """The acknowledgement (for a page that asks for one) says whether the server took the message:
            the page marks a message to an agent "Delivered" on it."""
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.debug("Ignored a malformed %s from socket %s.", self.user_message_evt, sid)
                return {"delivered": False}
            sender_id = self.signer.verify(data.get("session_id"))
            # Only on a socket that asked for this very session: an id copied into another socket's
            # messages would otherwise speak in the conversation without receiving its replies.
            if sender_id is None or self.sender_of_socket.get(sid) != sender_id:
                logger.warning("Ignored a message from socket %s without its own valid session id.", sid)
                return {"delivered": False}
            metadata = data.get("metadata")
            if isinstance(metadata, dict):
                # Only the attachment route names a stored file; a page must not point agents at one.
                metadata = {key: value for key, value in metadata.items() if key != "attachment"}
            context = ChannelContext(CHANNEL, self.address_of_socket.get(sid, "unknown"))
            message = UserMessage(
                data["message"],
                AgentAwareSocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=context.stamp(metadata if isinstance(metadata, dict) else None),
                message_id=client_message_id(data.get("message_id")),
            )
            return {"delivered": await handle(message)}

        return socketio_webhook
