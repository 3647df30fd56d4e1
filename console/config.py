"""Console settings, read from the environment with local defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ConsoleSettings:
    database_url: str
    backend_url: str
    backend_token: str
    rasa_url: str
    rasa_token: str
    domain_path: Path
    session_hours: float
    secure_cookies: bool
    support_hours: str
    average_handle_minutes: float
    agent_online_seconds: float
    login_attempts: str


def settings() -> ConsoleSettings:
    """Where the backend and Rasa are, how sessions work and when support is open."""
    return ConsoleSettings(
        database_url=os.environ.get("CONSOLE_DATABASE_URL", f"sqlite:///{REPO_ROOT / 'var' / 'console.db'}"),
        backend_url=os.environ.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/"),
        backend_token=os.environ.get("BACKEND_API_TOKEN", "dev-backend-token"),
        rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=os.environ.get("RASA_API_TOKEN", ""),
        domain_path=Path(os.environ.get("DOMAIN_PATH", REPO_ROOT / "domain.yml")),
        session_hours=float(os.environ.get("CONSOLE_SESSION_HOURS", "12")),
        secure_cookies=os.environ.get("CONSOLE_SECURE_COOKIES", "false").lower() == "true",
        # e.g. "Mon-Fri 09:00-17:00 Europe/London"; empty means staffed around the clock.
        support_hours=os.environ.get("SUPPORT_HOURS", ""),
        average_handle_minutes=float(os.environ.get("CONSOLE_AVERAGE_HANDLE_MINUTES", "6")),
        agent_online_seconds=float(os.environ.get("CONSOLE_AGENT_ONLINE_SECONDS", "90")),
        login_attempts=os.environ.get("CONSOLE_LOGIN_ATTEMPTS", "10/15minutes"),
    )
