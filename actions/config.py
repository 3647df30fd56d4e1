"""Action-server settings, read from the environment with local defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BackendSettings:
    base_url: str
    api_token: str
    connect_timeout: float
    read_timeout: float
    retry_attempts: int = 3
    breaker_fail_max: int = 5
    breaker_reset_seconds: float = 30.0


def backend_settings() -> BackendSettings:
    """Where the store's backend is and how long to wait for it."""
    return BackendSettings(
        base_url=os.environ.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/"),
        api_token=os.environ.get("BACKEND_API_TOKEN", "dev-backend-token"),
        connect_timeout=float(os.environ.get("BACKEND_CONNECT_TIMEOUT", "2")),
        read_timeout=float(os.environ.get("BACKEND_READ_TIMEOUT", "5")),
        retry_attempts=int(os.environ.get("BACKEND_RETRY_ATTEMPTS", "3")),
        breaker_fail_max=int(os.environ.get("BACKEND_BREAKER_FAIL_MAX", "5")),
        breaker_reset_seconds=float(os.environ.get("BACKEND_BREAKER_RESET_SECONDS", "30")),
    )


def console_settings() -> BackendSettings:
    """Where the agent console is: asked only for the expected wait, so short timeouts and no retries."""
    return BackendSettings(
        base_url=os.environ.get("CONSOLE_URL", "http://127.0.0.1:8090").rstrip("/"),
        api_token="",
        connect_timeout=float(os.environ.get("CONSOLE_CONNECT_TIMEOUT", "1")),
        read_timeout=float(os.environ.get("CONSOLE_READ_TIMEOUT", "2")),
        retry_attempts=1,
    )


def handoff_queue_path() -> Path:
    """Where handoffs wait when ticketing is down (a local SQLite file)."""
    return Path(os.environ.get("HANDOFF_QUEUE_PATH", REPO_ROOT / "var" / "pending-handoffs.db"))


def kb_dir() -> Path:
    """Folder of knowledge-base articles."""
    return Path(os.environ.get("KB_DIR", REPO_ROOT / "data" / "kb"))
