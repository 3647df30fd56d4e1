"""Rasa's HTTP API as the console needs it: read a conversation, add to it, pause/resume, run an action, and
tell the customer's web chat that the agent is typing or has read their messages; and as triage needs it:
what the served model makes of a text (`parse`, no conversation involved).

Messages added with `output_channel=latest` reach the customer through the channel they last wrote on.
The routes and parameters used here are listed in clients/specs/rasa-http-api.yml, which the contract
test checks every call against (Rasa 3.6 ships no OpenAPI file in its wheel).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from urllib.parse import quote

from clients.breaker import CircuitBreaker
from clients.http import HttpTransport, ServiceClient, ServiceRefused, ServiceUnavailable
from common.settings import ServiceEndpoint


class RasaClient(ServiceClient):
    api_name = "rasa"
    _status_breaker: Optional[CircuitBreaker] = None

    @classmethod
    def connect(cls, endpoint: ServiceEndpoint) -> RasaClient:
        # Rasa's --auth-token is read from the query string; the presence route takes the bearer header.
        return cls(HttpTransport(endpoint, service="assistant", auth_in_query=True))

    @staticmethod
    def _path(conversation_id: str, rest: str) -> str:
        return f"/conversations/{quote(conversation_id, safe='')}/{rest}"

    def status(self, *, read_timeout: Optional[float] = None) -> Dict[str, Any]:
        """What the server runs: `model_id` and `model_file` of the model loaded now. Loading a model blocks
        Rasa's server, so a page that only shows this asks with a short timeout, through a breaker of its
        own: timeouts during a model switch must not open the breaker the handoff calls depend on."""
        if self._status_breaker is None:
            self._status_breaker = self.transport.new_breaker(f"{self.api_name}-status")
        return self.transport.request(
            "GET", "/status", breaker=self._status_breaker, read_timeout=read_timeout
        )

    def parse(self, text: str) -> Dict[str, Any]:
        """The served model's reading of a text: intent, intent_ranking and entities (nothing is stored)."""
        return self._call("POST", "/model/parse", json={"text": text})

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

    def agent_typing(self, conversation_id: str, agent_name: str) -> None:
        """Show the customer's open web chat that this agent is typing (channels/agent_signals.py)."""
        self._signal(conversation_id, {"kind": "typing", "agent": agent_name})

    def agent_read(self, conversation_id: str, message_ids: List[str]) -> None:
        """Mark these customer messages (their client message ids) "Read" in the customer's open web chat."""
        self._signal(conversation_id, {"kind": "read", "message_ids": message_ids})

    def _signal(self, conversation_id: str, body: Dict[str, Any]) -> None:
        self._call("POST", f"/webhooks/socketio/signals/{quote(conversation_id, safe='')}", json=body)
