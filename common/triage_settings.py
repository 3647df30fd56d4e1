"""The triage service's settings (triage/, README "Triage"), read with the typed readers of common/env.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple
from urllib.parse import urlsplit

from common.env import flag, integer, number, secret, text, url
from common.paths import REPO_ROOT


@dataclass(frozen=True)
class TriageEndpoints:
    backend_url: str
    backend_token: str
    rasa_url: str
    rasa_token: str
    connect_timeout: float
    read_timeout: float


@dataclass(frozen=True)
class TriageSettings:
    endpoints: TriageEndpoints
    smtp_host: str
    smtp_port: int
    # Largest message accepted (announced with SIZE; bigger ones get 552 before their data is read).
    smtp_max_bytes: int
    # Mailboxes and @domains the receiver accepts mail for ("support@shop.example.com,@help.example.com");
    # empty accepts any recipient (nothing is ever relayed: every accepted message becomes a ticket).
    smtp_recipients: Tuple[str, ...]
    smtp_max_recipients: int
    # New messages per connecting address (SMTP) or customer address (the contact form).
    smtp_rate_limit: str
    contact_rate_limit: str
    contact_max_chars: int
    rate_limit_storage: str
    # Order lookups per claimed sender address (a spoofed address spends the real customer's budget).
    lookups_per_sender: str
    trust_proxy: bool
    calibration_path: Path
    # Overrides the calibrated threshold (a probability from 0 to 1); unset uses triage/calibration.json's.
    auto_route_threshold: Optional[float]
    texts_path: Path


def own_domains() -> Tuple[str, ...]:
    """The store's own email domains (TRIAGE_OWN_DOMAINS, else STORE_URL's host): an address there in a
    message is the store's (a quoted reply's sender), never the customer's."""
    configured = text("TRIAGE_OWN_DOMAINS", "")
    if configured:
        return tuple(part.strip().lower().lstrip("@") for part in configured.split(",") if part.strip())
    host = urlsplit(url("STORE_URL", "https://shop.example.com")).hostname
    return (host.lower(),) if host else ()


def triage_settings() -> TriageSettings:
    threshold = number("TRIAGE_AUTO_ROUTE_THRESHOLD", -1.0)
    recipients = text("TRIAGE_SMTP_RECIPIENTS", "")
    return TriageSettings(
        endpoints=TriageEndpoints(
            backend_url=url("BACKEND_URL", "http://127.0.0.1:8000"),
            backend_token=secret("BACKEND_TRIAGE_TOKEN"),
            rasa_url=url("RASA_URL", "http://127.0.0.1:5005"),
            rasa_token=secret("RASA_API_TOKEN"),
            connect_timeout=number("TRIAGE_CONNECT_TIMEOUT", 2),
            read_timeout=number("TRIAGE_READ_TIMEOUT", 10),
        ),
        smtp_host=text("TRIAGE_SMTP_HOST", "127.0.0.1"),
        smtp_port=integer("TRIAGE_SMTP_PORT", 2525),
        smtp_max_bytes=integer("TRIAGE_SMTP_MAX_BYTES", 2_000_000),
        smtp_recipients=tuple(part.strip().lower() for part in recipients.split(",") if part.strip()),
        smtp_max_recipients=integer("TRIAGE_SMTP_MAX_RECIPIENTS", 20),
        smtp_rate_limit=text("TRIAGE_SMTP_RATE_LIMIT", "60/minute"),
        contact_rate_limit=text("TRIAGE_CONTACT_RATE_LIMIT", "5/minute"),
        contact_max_chars=integer("TRIAGE_CONTACT_MAX_CHARS", 5000),
        rate_limit_storage=text("TRIAGE_RATE_LIMIT_STORAGE", "memory://"),
        lookups_per_sender=text("TRIAGE_LOOKUPS_PER_SENDER", "3/hour"),
        trust_proxy=flag("FRONTDESK_TRUST_PROXY", False),
        calibration_path=Path(text("TRIAGE_CALIBRATION", str(REPO_ROOT / "triage" / "calibration.json"))),
        auto_route_threshold=threshold if 0 <= threshold <= 1 else None,
        texts_path=Path(text("TRIAGE_CONTACT_TEXTS", str(REPO_ROOT / "contact_form.yml"))),
    )
