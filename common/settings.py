"""Every process's settings, built in this one module from the typed readers of common/env.py (where
production's refusal of missing, short or development secrets lives, naming the variable).

One loader per process: `backend_settings()`, `action_server_settings()`, `console_settings()` (with
`learning_settings()` and `analytics_settings()`), `channel_settings()` (inside Rasa), `webchat_settings()`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

from common.env import (
    DEVELOPMENT,
    environment,
    flag,
    integer,
    is_production,
    number,
    secret,
    sqlite_url,
    text,
    url,
)
from common.env import (
    DEVELOPMENT_SECRETS as DEVELOPMENT_SECRETS,
)

# ConfigurationError, DEVELOPMENT_SECRETS, optional_secret and run_id are also imported from here.
from common.env import (
    ConfigurationError as ConfigurationError,
)
from common.env import (
    optional_secret as optional_secret,
)
from common.env import (
    run_id as run_id,
)
from common.knowledge_settings import kb_dir
from common.learning_settings import (  # the learning loop's settings, kept in their own module
    LearningSettings as LearningSettings,
)
from common.learning_settings import (
    learning_settings as learning_settings,
)
from common.learning_settings import (
    tracker_store_url as tracker_store_url,
)
from common.paths import DOMAIN_PATH, VAR_DIR


@dataclass(frozen=True)
class ServiceEndpoint:
    """Another service this process calls: where it is, the credential it presents, how long to wait."""

    base_url: str
    token: Optional[str]
    connect_timeout: float
    read_timeout: float
    retry_attempts: int = 1
    breaker_fail_max: int = 5
    breaker_reset_seconds: float = 30.0


# --- the reference backend --------------------------------------------------------------------------


@dataclass(frozen=True)
class BackendSettings:
    environment: str
    database_url: str
    store_url: str
    # Each calling service has its own credential, scopes (backend/security.py) and request budget.
    actions_token: str
    console_token: str
    # Back-office triage (triage/): opens tickets and checks an order against a claimed email, nothing more.
    triage_token: str
    actions_rate_limit: str
    console_rate_limit: str
    triage_rate_limit: str
    rate_limit_storage: str
    verification_token_ttl_seconds: int
    # Failed order lookups (unknown order or wrong email) allowed per email and per customer address,
    # across senders, channels and Rasa replicas (the storage is shared when it is Redis).
    lookup_failures_per_email: str
    lookup_failures_per_address: str
    # Wrong one-time codes allowed per customer, whichever email, phone or channel they come through.
    code_failures_per_customer: str
    lockout_minutes: int
    # Seals what the backend must keep a while: unsent outbox bodies, idempotent replays (backend/sealing.py).
    storage_secret: str

    @property
    def development_routes(self) -> bool:
        """The outbox reader: codes and reset links in clear, so never in production."""
        return self.environment == DEVELOPMENT


def backend_settings() -> BackendSettings:
    return BackendSettings(
        environment=environment(),
        database_url=text("DATABASE_URL", sqlite_url("backend.db")),
        store_url=url("STORE_URL", "https://shop.example.com"),
        actions_token=secret("BACKEND_ACTIONS_TOKEN"),
        console_token=secret("BACKEND_CONSOLE_TOKEN"),
        triage_token=secret("BACKEND_TRIAGE_TOKEN"),
        actions_rate_limit=text("BACKEND_ACTIONS_RATE_LIMIT", "1200/minute"),
        console_rate_limit=text("BACKEND_CONSOLE_RATE_LIMIT", "600/minute"),
        triage_rate_limit=text("BACKEND_TRIAGE_RATE_LIMIT", "600/minute"),
        rate_limit_storage=text("BACKEND_RATE_LIMIT_STORAGE", "memory://"),
        verification_token_ttl_seconds=integer("VERIFICATION_TOKEN_TTL_SECONDS", 900),
        lookup_failures_per_email=text("LOOKUP_FAILURES_PER_EMAIL", "5/hour"),
        lookup_failures_per_address=text("LOOKUP_FAILURES_PER_ADDRESS", "20/hour"),
        code_failures_per_customer=text("CODE_FAILURES_PER_CUSTOMER", "8/hour"),
        lockout_minutes=integer("VERIFICATION_LOCKOUT_MINUTES", 60),
        storage_secret=secret("BACKEND_STORAGE_SECRET"),
    )


# --- the action server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionServerSettings:
    backend: ServiceEndpoint
    console: ServiceEndpoint
    # Rasa presents it on every call (endpoints.yml `action_endpoint.token`); nobody else may run actions.
    action_server_token: str
    handoff_queue_url: str
    handoff_retry_seconds: float
    kb_dir: Path
    # Where customer-facing texts come from when Rasa's request carries no domain (actions/formatting.py).
    domain_path: Path
    # Backend calls run in worker threads so a slow call never stalls other conversations.
    worker_threads: int


def action_server_settings() -> ActionServerSettings:
    return ActionServerSettings(
        backend=ServiceEndpoint(
            base_url=url("BACKEND_URL", "http://127.0.0.1:8000"),
            token=secret("BACKEND_ACTIONS_TOKEN"),
            connect_timeout=number("BACKEND_CONNECT_TIMEOUT", 2),
            read_timeout=number("BACKEND_READ_TIMEOUT", 5),
            retry_attempts=integer("BACKEND_RETRY_ATTEMPTS", 3),
            breaker_fail_max=integer("BACKEND_BREAKER_FAIL_MAX", 5),
            breaker_reset_seconds=number("BACKEND_BREAKER_RESET_SECONDS", 30),
        ),
        # Asked only for the expected wait: short timeouts and no retries. The token exempts the action
        # server from the per-address limit on that public route (it asks for every customer).
        console=ServiceEndpoint(
            base_url=url("CONSOLE_URL", "http://127.0.0.1:8090"),
            token=secret("CONSOLE_SERVICE_TOKEN"),
            connect_timeout=number("CONSOLE_CONNECT_TIMEOUT", 1),
            read_timeout=number("CONSOLE_READ_TIMEOUT", 2),
        ),
        action_server_token=secret("ACTION_SERVER_TOKEN"),
        handoff_queue_url=text("HANDOFF_QUEUE_DATABASE_URL", sqlite_url("pending-handoffs.db")),
        handoff_retry_seconds=number("HANDOFF_RETRY_SECONDS", 10),
        kb_dir=kb_dir(),
        domain_path=Path(text("DOMAIN_PATH", str(DOMAIN_PATH))),
        worker_threads=integer("ACTIONS_WORKER_THREADS", 32),
    )


# --- the agent console ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsoleSettings:
    database_url: str
    backend: ServiceEndpoint
    rasa: ServiceEndpoint
    domain_path: Path
    session_hours: float
    secure_cookies: bool
    support_hours: str
    average_handle_minutes: float
    agent_online_seconds: float
    # Failed logins: per username and address, per address (spraying), per username from anywhere.
    login_attempts_per_account: str
    login_attempts_per_address: str
    login_attempts_per_username: str
    trust_proxy: bool
    # The public availability route: answered from a short cache, limited per customer address.
    availability_cache_seconds: float
    public_rate_limit: str
    # The action server shows it when asking for availability: it is not limited like the public.
    service_token: str


def console_settings() -> ConsoleSettings:
    return ConsoleSettings(
        database_url=text("CONSOLE_DATABASE_URL", sqlite_url("console.db")),
        backend=ServiceEndpoint(
            base_url=url("BACKEND_URL", "http://127.0.0.1:8000"),
            token=secret("BACKEND_CONSOLE_TOKEN"),
            connect_timeout=2.0,
            read_timeout=10.0,
        ),
        rasa=ServiceEndpoint(
            base_url=url("RASA_URL", "http://127.0.0.1:5005"),
            token=secret("RASA_API_TOKEN"),
            connect_timeout=2.0,
            read_timeout=30.0,
        ),
        domain_path=Path(text("DOMAIN_PATH", str(DOMAIN_PATH))),
        session_hours=number("CONSOLE_SESSION_HOURS", 12),
        secure_cookies=flag("CONSOLE_SECURE_COOKIES", is_production()),
        # e.g. "Mon-Fri 09:00-17:00 Europe/London"; empty means staffed around the clock.
        support_hours=text("SUPPORT_HOURS", ""),
        average_handle_minutes=number("CONSOLE_AVERAGE_HANDLE_MINUTES", 6),
        agent_online_seconds=number("CONSOLE_AGENT_ONLINE_SECONDS", 90),
        login_attempts_per_account=text("CONSOLE_LOGIN_ATTEMPTS", "5/15minutes"),
        login_attempts_per_address=text("CONSOLE_LOGIN_ATTEMPTS_PER_ADDRESS", "20/15minutes"),
        login_attempts_per_username=text("CONSOLE_LOGIN_ATTEMPTS_PER_USERNAME", "100/hour"),
        trust_proxy=flag("FRONTDESK_TRUST_PROXY", False),
        availability_cache_seconds=number("CONSOLE_AVAILABILITY_CACHE_SECONDS", 2),
        public_rate_limit=text("CONSOLE_PUBLIC_RATE_LIMIT", "60/minute"),
        service_token=secret("CONSOLE_SERVICE_TOKEN"),
    )


# --- Rasa's input channels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelSettings:
    domain_path: Path
    # Signs the session ids the web chat and REST channels hand out (HMAC).
    session_secret: str
    # Server-to-server REST integrations present it as a bearer token; unset means none are allowed.
    rest_service_token: Optional[str]
    # Guards the presence route that the console asks.
    rasa_api_token: str
    rate_limit: str
    rate_limit_storage: str
    new_sessions_per_address: str
    redis_url: Optional[str]
    trust_proxy: bool
    allowed_origins: Tuple[str, ...]
    max_body_bytes: int
    # Asked for a waiting web chat customer's place in the queue (with the token, exempt from the per-address
    # limit of that public route: every waiting customer's page asks through Rasa).
    console: ServiceEndpoint


def channel_settings() -> ChannelSettings:
    origins = tuple(part.strip() for part in text("WEBCHAT_ALLOWED_ORIGINS", "").split(",") if part.strip())
    return ChannelSettings(
        domain_path=Path(text("DOMAIN_PATH", str(DOMAIN_PATH))),
        session_secret=secret("CHANNEL_SESSION_SECRET"),
        rest_service_token=optional_secret("REST_CHANNEL_TOKEN"),
        rasa_api_token=secret("RASA_API_TOKEN"),
        rate_limit=text("RASA_RATE_LIMIT", "20/minute"),
        rate_limit_storage=text("RASA_RATE_LIMIT_STORAGE", "memory://"),
        new_sessions_per_address=text("NEW_SESSIONS_PER_ADDRESS", "30/hour"),
        redis_url=os.environ.get("WEBCHAT_REDIS_URL") or None,
        trust_proxy=flag("FRONTDESK_TRUST_PROXY", False),
        allowed_origins=origins,
        max_body_bytes=integer("CHANNEL_MAX_BODY_BYTES", 16_384),
        console=ServiceEndpoint(
            base_url=url("CONSOLE_URL", "http://127.0.0.1:8090"),
            token=optional_secret("CONSOLE_SERVICE_TOKEN"),
            connect_timeout=number("CONSOLE_CONNECT_TIMEOUT", 1),
            read_timeout=number("CONSOLE_READ_TIMEOUT", 2),
        ),
    )


# --- Slack and Telegram (channels/slack.py, channels/telegram.py) ---------------------------------------


@dataclass(frozen=True)
class PlatformSettings:
    """One messaging platform: off unless its secrets are set; both secrets or neither."""

    enabled: bool
    # Slack: the bot token (xoxb-...); Telegram: the token BotFather gave.
    bot_token: str
    # Slack: the app's signing secret; Telegram: the secret_token given to setWebhook.
    webhook_secret: str
    # The platform's API, so tests and air-gapped runs can point it at a local peer.
    api_url: str
    # Deliveries already handled (retries, re-deliveries) and long button payloads, shared by the replicas:
    # redis://... in production; unset keeps them in this process.
    state_url: Optional[str]
    # Seconds a request's timestamp may differ from ours (Slack signs it; older requests are replays).
    replay_window_seconds: int = 300


def platform_settings(prefix: str, token: str, secret_name: str, api_url: str) -> PlatformSettings:
    """PREFIX_<token> and PREFIX_<secret_name> from the environment, refused in production when unsafe."""
    bot_token = optional_secret(f"{prefix}_{token}")
    webhook_secret = optional_secret(f"{prefix}_{secret_name}")
    if (bot_token is None) != (webhook_secret is None):
        raise ConfigurationError(
            f"{prefix}_{token} and {prefix}_{secret_name} go together: set both to turn the channel on, "
            "or neither to leave it off."
        )
    return PlatformSettings(
        enabled=bot_token is not None,
        bot_token=bot_token or "",
        webhook_secret=webhook_secret or "",
        api_url=url(f"{prefix}_API_URL", api_url),
        state_url=os.environ.get("CHANNEL_STATE_REDIS_URL") or None,
        replay_window_seconds=integer(f"{prefix}_REPLAY_WINDOW_SECONDS", 300),
    )


def slack_settings() -> PlatformSettings:
    return platform_settings("SLACK", "BOT_TOKEN", "SIGNING_SECRET", "https://slack.com/api")


def telegram_settings() -> PlatformSettings:
    return platform_settings("TELEGRAM", "BOT_TOKEN", "SECRET_TOKEN", "https://api.telegram.org")


# --- the web chat page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebchatSettings:
    rasa_public_url: str
    domain_path: Path
    # Sites that may show the chat in the widget's frame (/embed), besides the chat's own origin.
    embed_origins: Tuple[str, ...]
    # How often a page waiting for a person asks for its place in the queue.
    queue_poll_seconds: float


# An origin, optionally with * for the port or the leftmost labels (CSP host-source syntax, nothing else).
_EMBED_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:(\d{1,5}|\*))?$")


def webchat_settings() -> WebchatSettings:
    embed_origins = tuple(
        part.strip() for part in text("WEBCHAT_EMBED_ORIGINS", "").split(",") if part.strip()
    )
    for origin in embed_origins:
        if not _EMBED_ORIGIN.match(origin):
            raise ValueError(f"WEBCHAT_EMBED_ORIGINS: {origin!r} is not an http(s) origin")
    return WebchatSettings(
        rasa_public_url=url("RASA_PUBLIC_URL", "http://127.0.0.1:5005"),
        domain_path=Path(text("DOMAIN_PATH", str(DOMAIN_PATH))),
        embed_origins=embed_origins,
        queue_poll_seconds=max(number("WEBCHAT_QUEUE_POLL_SECONDS", 10), 1),
    )


# --- attachments customers send in the web chat (common/attachments.py) ----------------------------------
@dataclass(frozen=True)
class AttachmentSettings:
    # Outside every web root: only the console serves them, to logged-in agents.
    directory: Path
    max_bytes: int
    # Files older than this are deleted (common/attachment_retention.py): the privacy issue's retention.
    retention_days: int = 30


def attachment_settings() -> AttachmentSettings:
    return AttachmentSettings(
        directory=Path(text("ATTACHMENTS_DIR", str(VAR_DIR / "attachments"))),
        max_bytes=integer("ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024),
        retention_days=integer("ATTACHMENT_RETENTION_DAYS", 30),
    )


# --- the analytics stream and store (analytics/, console, backend) -----------------------------------------
@dataclass(frozen=True)
class AnalyticsSettings:
    # Where Rasa's broker, the console and the backend put their events: an SQLite or PostgreSQL URL is
    # the table Rasa's SQL event broker writes (`events`); amqp://... is RabbitMQ, Rasa's pika broker's queue.
    stream_url: str
    queue: str
    # The consumer's store of metric events (and its read position in an SQL stream).
    database_url: str
    poll_seconds: float


def analytics_settings() -> AnalyticsSettings:
    return AnalyticsSettings(
        stream_url=text("EVENT_STREAM_URL", sqlite_url("events.db")),
        queue=text("EVENT_STREAM_QUEUE", "rasa_core_events"),
        database_url=text("ANALYTICS_DATABASE_URL", sqlite_url("analytics.db")),
        poll_seconds=number("ANALYTICS_POLL_SECONDS", 1),
    )
