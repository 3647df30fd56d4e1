"""POST /webhooks/socketio/attachments: a web chat customer sends a picture or a PDF to the person helping them.

Only in a conversation a person has or is about to take (paused by a handoff): the assistant reads no files.
A multipart form: `session_id` (the page's signed session id) and `file` (a "simple" cross-origin request, so
browsers send no preflight).
The file is checked by content and size and kept outside any web root (common/attachments.py); the
conversation gets a customer message naming it, with the console address agents open it at after logging in.
Called from the chat page's origin, so it answers CORS for the origins the socket accepts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from common.attachments import AttachmentRefused
from common.channel_context import ChannelContext
from common.texts import Texts
from privacy.attachments import attachment_store

if TYPE_CHECKING:
    from channels.socketio import GuardedSocketIOInput

logger = logging.getLogger(__name__)

FORM_OVERHEAD = 16_384
TEXTS = (
    "utter_webchat_attachment_too_large",
    "utter_webchat_attachment_unsupported",
    "utter_webchat_attachment_needs_person",
    "utter_webchat_attachment_note",
)


class AttachmentRoute:
    def __init__(
        self, channel: GuardedSocketIOInput, sio: Any, handle: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        self.channel = channel
        self.sio = sio
        self.handle = handle
        self.store = attachment_store()  # sealed with the conversation's key
        self.texts = Texts(TEXTS, channel.settings.domain_path)

    def cors(self, request: Request) -> Dict[str, str]:
        origin = request.headers.get("Origin", "")
        allowed = self.channel.settings.allowed_origins
        if not origin or (allowed and origin not in allowed):
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "POST",
            "Vary": "Origin",
        }

    def too_large(self) -> str:
        megabytes = round(self.store.max_bytes / 1_048_576, 1)
        return self.texts.render("utter_webchat_attachment_too_large", megabytes=megabytes)

    def refuse(self, status: int, code: str, text: str, headers: Dict[str, str]) -> HTTPResponse:
        return response.json({"error": {"code": code, "message": text}}, status=status, headers=headers)

    async def receive(self, request: Request) -> HTTPResponse:
        headers = self.cors(request)
        # The form's own parts (boundaries, the session id) on top of the file.
        if int(request.headers.get("content-length") or 0) > self.store.max_bytes + FORM_OVERHEAD:
            return self.refuse(413, "too_large", self.too_large(), headers)
        form = request.form if "multipart/form-data" in request.content_type else {}
        upload = request.files.get("file") if "multipart/form-data" in request.content_type else None
        sender_id = self.channel.signer.verify(form.get("session_id") if form else None)
        if sender_id is None:
            return self.refuse(403, "bad_session", "A valid session id is required.", headers)
        agent = getattr(getattr(self.channel.rasa_app, "ctx", None), "agent", None)
        tracker = await agent.tracker_store.retrieve(sender_id) if agent is not None else None
        if tracker is None or not tracker.is_paused():
            text = self.texts["utter_webchat_attachment_needs_person"]
            return self.refuse(409, "no_person", text, headers)
        data, name = (upload.body, upload.name) if upload is not None else (b"", "")
        try:
            attachment = await asyncio.to_thread(self.store.save, data, name, sender_id)
        except AttachmentRefused as refused:
            if refused.reason == "too_large":
                return self.refuse(413, "too_large", self.too_large(), headers)
            text = self.texts["utter_webchat_attachment_unsupported"]
            return self.refuse(415, refused.reason, text, headers)
        from channels.socketio import AgentAwareSocketIOOutput

        address = request.headers.get("X-Real-IP") if self.channel.settings.trust_proxy else None
        context = ChannelContext("socketio", address or request.ip or "unknown")
        note = self.texts.render(
            "utter_webchat_attachment_note", name=attachment.name, link=f"/api/attachments/{attachment.id}"
        )
        metadata = {
            "attachment": {
                "id": attachment.id,
                "name": attachment.name,
                "type": attachment.content_type,
                "size": attachment.size,
            }
        }
        await self.handle(
            UserMessage(
                note,
                AgentAwareSocketIOOutput(self.sio, self.channel.bot_message_evt),
                sender_id,
                input_channel="socketio",
                metadata=context.stamp(metadata),
            )
        )
        logger.info(
            "attachment %s (%s, %d bytes) from %s",
            attachment.id,
            attachment.content_type,
            attachment.size,
            sender_id,
        )
        return response.json(
            {"id": attachment.id, "name": attachment.name, "type": attachment.content_type},
            status=201,
            headers=headers,
        )
