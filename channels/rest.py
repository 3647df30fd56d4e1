"""The REST channel with the message guard in front (same URL as Rasa's: /webhooks/rest/webhook)."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from channels.guard import MessageGuard


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> GuardedRestInput:
        credentials = credentials or {}
        return cls(credentials.get("domain", "domain.yml"), credentials.get("rate_limit"))

    def __init__(self, domain_path: str = "domain.yml", rate_limit: Optional[str] = None) -> None:
        self.guard = MessageGuard(domain_path, rate_limit)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return super().blueprint(self.guard.wrap(on_new_message))
