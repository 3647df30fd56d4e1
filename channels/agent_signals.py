"""POST /webhooks/socketio/signals/<sender_id>: what the agent is doing, pushed to the customer's open web chat.

Called by the console (with the Rasa API token, like the presence route) for the conversation's assignee:
- {"kind": "typing", "agent": "Alice"}: the page shows that Alice is typing (socket.io `agent_typing`);
- {"kind": "read", "message_ids": [...]}: the agent has seen these customer messages (`agent_read`); the page
  marks them "Read".
Neither is a message of the conversation, so neither goes through Rasa's tracker (its events API with
`output_channel=latest` carries only bot messages): they are emitted straight to the customer's room, which
with WEBCHAT_REDIS_URL reaches the socket on whichever replica holds it.
"""

from __future__ import annotations

import hmac
from typing import Any, Dict, List

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import client_message_id

AGENT_NAME_MAX = 100
READ_IDS_MAX = 100
TYPING_EVENT = "agent_typing"
READ_EVENT = "agent_read"


def read_ids(value: Any) -> List[str]:
    """The well-formed message ids among what was sent, at most READ_IDS_MAX (the newest are last)."""
    if not isinstance(value, list):
        return []
    return [found for found in (client_message_id(item) for item in value) if found][-READ_IDS_MAX:]


class AgentSignalRoute:
    def __init__(self, sio: Any, rasa_api_token: str) -> None:
        self.sio = sio
        self.expected = f"Bearer {rasa_api_token}".encode()

    async def receive(self, request: Request, sender_id: str) -> HTTPResponse:
        presented = request.headers.get("Authorization", "").encode("utf-8")
        if not hmac.compare_digest(presented, self.expected):
            return response.json({"error": "a valid bearer token is required"}, status=403)
        body = request.json if "application/json" in (request.content_type or "") else None
        if not isinstance(body, dict):
            return response.json({"error": "a JSON object is required"}, status=400)
        payload: Dict[str, Any]
        if body.get("kind") == "typing" and isinstance(body.get("agent"), str) and body["agent"].strip():
            event, payload = TYPING_EVENT, {"agent": body["agent"].strip()[:AGENT_NAME_MAX]}
        elif body.get("kind") == "read" and read_ids(body.get("message_ids")):
            event, payload = READ_EVENT, {"message_ids": read_ids(body["message_ids"])}
        else:
            return response.json(
                {"error": "kind must be typing (with agent) or read (with message_ids)"}, status=400
            )
        await self.sio.emit(event, payload, room=sender_id)
        return response.json({"sent": True}, status=202)
