"""Rasa's HTTP API as the console needs it: read a conversation, add to it, pause/resume, run an action.

Messages added with `output_channel=latest` reach the customer through the channel they last wrote on.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from urllib.parse import quote

from console.clients.http import JsonClient, UpstreamError
from console.errors import ConsoleError


class RasaClient(JsonClient):
    service = "assistant"

    def __init__(self, base_url: str, token: str) -> None:
        # Rasa's --auth-token is passed as a query parameter; the socket.io presence route takes a header.
        super().__init__(
            base_url,
            params={"token": token} if token else None,
            headers={"Authorization": f"Bearer {token}"} if token else None,
            timeout=(2.0, 30.0),
        )

    @staticmethod
    def _path(conversation_id: str, rest: str) -> str:
        return f"/conversations/{quote(conversation_id, safe='')}/{rest}"

    def tracker(self, conversation_id: str) -> Dict[str, Any]:
        """The whole conversation, every session."""
        return self.call("GET", self._path(conversation_id, "tracker"), params={"include_events": "ALL"})

    def append(self, conversation_id: str, events: List[Dict[str, Any]], *, deliver: bool = False) -> None:
        """Add events; with deliver, bot messages among them are also sent to the customer's channel."""
        params = {"output_channel": "latest", "execute_side_effects": "true"} if deliver else None
        self.call("POST", self._path(conversation_id, "tracker/events"), json=events, params=params)

    def run_action(self, conversation_id: str, action: str) -> None:
        """Run one action now (its messages go to the customer's channel)."""
        self.call(
            "POST",
            self._path(conversation_id, "execute"),
            json={"name": action},
            params={"output_channel": "latest"},
        )

    def connected(self, conversation_id: str) -> Optional[bool]:
        """Whether the customer has the web chat open now; None when it can't be told."""
        try:
            body = self.call("GET", f"/webhooks/socketio/presence/{quote(conversation_id, safe='')}")
        except (UpstreamError, ConsoleError):
            return None
        return bool(body.get("connected")) if isinstance(body, dict) else None
