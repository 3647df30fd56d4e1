"""The action server's settings and clients, built once per process."""

from __future__ import annotations

from functools import lru_cache

from clients.backend import BackendApi
from clients.console import ConsoleClient
from common.settings import ActionServerSettings, action_server_settings


@lru_cache(maxsize=1)
def settings() -> ActionServerSettings:
    return action_server_settings()


@lru_cache(maxsize=1)
def backend() -> BackendApi:
    """The store backend's clients over one pooled transport, with the action server's credential."""
    return BackendApi.connect(settings().backend)


@lru_cache(maxsize=1)
def support_desk() -> ConsoleClient:
    """The agent console's client (its own transport: another service with its own timeouts)."""
    return ConsoleClient.connect(settings().console)
