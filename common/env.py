"""Reading one setting from the environment: typed readers, and secrets that production refuses to run without.

`FRONTDESK_ENV` is `production` unless it says `development`. In production a secret that is missing, short,
or one of the development stand-ins below stops the process, and the error names the variable. The
per-process settings objects built from these readers are in common/settings.py.
"""

from __future__ import annotations

import os
from typing import Dict, Optional, Sequence

from common.paths import VAR_DIR

ENVIRONMENT_VARIABLE = "FRONTDESK_ENV"
PRODUCTION = "production"
DEVELOPMENT = "development"
MIN_SECRET_LENGTH = 24

# The only copy of the development stand-ins. Production refuses every one of them.
DEVELOPMENT_SECRETS: Dict[str, str] = {
    "BACKEND_ACTIONS_TOKEN": "dev-backend-token-for-the-action-server",
    "BACKEND_CONSOLE_TOKEN": "dev-backend-token-for-the-agent-console",
    "BACKEND_TRIAGE_TOKEN": "dev-backend-token-for-the-triage-service",
    "ACTION_SERVER_TOKEN": "dev-token-rasa-sends-to-the-action-server",
    "CHANNEL_SESSION_SECRET": "dev-secret-that-signs-channel-session-ids",
    "RASA_API_TOKEN": "dev-token-for-the-rasa-http-api",
    "CONSOLE_SERVICE_TOKEN": "dev-token-the-action-server-shows-the-console",
    "MODEL_SERVER_TOKEN": "dev-token-rasa-shows-the-model-server",
    "BACKEND_STORAGE_SECRET": "dev-secret-that-seals-the-backends-stored-secrets",
    "CONVERSATION_KEY_SECRET": "dev-secret-that-wraps-conversation-keys",
}


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe; the message names the variable and what to do."""


def environment() -> str:
    """production (the default) or development."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, PRODUCTION).strip().lower() or PRODUCTION
    if value not in (PRODUCTION, DEVELOPMENT):
        raise ConfigurationError(
            f"{ENVIRONMENT_VARIABLE} must be 'production' or 'development', not {value!r}."
        )
    return value


def is_production() -> bool:
    return environment() == PRODUCTION


def secret(name: str) -> str:
    """A required secret: refused in production when missing or unsafe, a development stand-in otherwise."""
    value = os.environ.get(name, "").strip()
    if environment() == DEVELOPMENT:
        return value or DEVELOPMENT_SECRETS[name]
    _refuse_unsafe(name, value)
    return value


def optional_secret(name: str) -> Optional[str]:
    """A secret that switches a feature on when set; when set in production it must be safe."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if environment() == PRODUCTION:
        _refuse_unsafe(name, value)
    return value


def _refuse_unsafe(name: str, value: str) -> None:
    if not value:
        raise ConfigurationError(
            f"{name} is not set. Production ({ENVIRONMENT_VARIABLE} is not 'development') needs a long random "
            f"value, for example: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'."
        )
    if value in DEVELOPMENT_SECRETS.values() or value.startswith("dev-"):
        raise ConfigurationError(f"{name} is a development default; set a long random value for production.")
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"{name} is shorter than {MIN_SECRET_LENGTH} characters; use a long random value."
        )


def text(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or not value.strip() else value.strip()


def number(name: str, default: float) -> float:
    raw = text(name, str(default))
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, not {raw!r}.")


def integer(name: str, default: int) -> int:
    raw = text(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}.")


def flag(name: str, default: bool) -> bool:
    raw = text(name, "true" if default else "false").lower()
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")
    return raw in ("true", "1", "yes")


def choice(name: str, allowed: Sequence[str], default: str) -> str:
    """One of `allowed` (case-insensitive, returned as written there); anything else is refused."""
    raw = text(name, default)
    for option in allowed:
        if raw.lower() == option.lower():
            return option
    raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}.")


def url(name: str, default: str) -> str:
    return text(name, default).rstrip("/")


def sqlite_url(filename: str) -> str:
    return f"sqlite:///{VAR_DIR / filename}"


def run_id() -> Optional[str]:
    """Set by the stack runner for each run; health routes echo it so readiness checks reach this run's
    own processes and never a stale one left on the same port."""
    return os.environ.get("FRONTDESK_RUN_ID") or None
