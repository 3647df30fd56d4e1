"""Rasa's HTTP API as the console needs it: read a conversation, add to it, pause/resume, run an action.

Messages added with `output_channel=latest` reach the customer through the channel they last wrote on.
The routes and parameters used here are listed in clients/specs/rasa-http-api.yml, which the contract
test checks every call against (Rasa 3.6 ships no OpenAPI file in its wheel).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from urllib.parse import quote

from clients.http import HttpTransport, ServiceClient, ServiceRefused, ServiceUnavailable
from common.settings import ServiceEndpoint


class RasaClient(ServiceClient):
    api_name = "rasa"

    @classmethod
    def connect(cls, endpoint: ServiceEndpoint) -> RasaClient:
        # Rasa's --auth-token is read from the query string; the presence route takes the bearer header.
        return cls(HttpTransport(endpoint, service="assistant", auth_in_query=True))

    @staticmethod
    def _path(conversation_id: str, rest: str) -> str:
        return f"/conversations/{quote(conversation_id, safe='')}/{rest}"

    def status(self, *, read_timeout: Optional[float] = None) -> Dict[str, Any]:
        """What the server runs: `model_id` and `model_file` of the model loaded now. Loading a model blocks
        Rasa's server, so a page that only shows this asks with a short timeout."""
        return self._call("GET", "/status", read_timeout=read_timeout)

    def tracker(self, conversation_id: str) -> Dict[str, Any]:
        """The whole conversation, every session."""
        return self._call("GET", self._path(conversation_id, "tracker"), params={"include_events": "ALL"})

    def append(self, conversation_id: str, events: List[Dict[str, Any]], *, deliver: bool = False) -> None:
        """Add events; with deliver, bot messages among them are also sent to the customer's channel."""
        params = {"output_channel": "latest", "execute_side_effects": "true"} if deliver else None
        self._call("POST", self._path(conversation_id, "tracker/events"), json=events, params=params)

    def run_action(self, conversation_id: str, action: str) -> None:
        """Run one action now (its messages go to the customer's channel)."""
        self._call(
            "POST",
            self._path(conversation_id, "execute"),
            json={"name": action},
            params={"output_channel": "latest"},
        )

    def connected(self, conversation_id: str) -> Optional[bool]:
        """Whether the customer has the web chat open now; None when it can't be told."""
        try:
            body = self._call("GET", f"/webhooks/socketio/presence/{quote(conversation_id, safe='')}")
        except (ServiceRefused, ServiceUnavailable):
            return None
        return bool(body.get("connected")) if isinstance(body, dict) else None
