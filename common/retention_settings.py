"""Privacy settings: how long each store keeps personal data (privacy/retention.py; README "Retention") and
where the conversation keys and export bundles are (privacy/keys.py, console/privacy), beside
common/settings.py (which keeps every other process's settings) with the same typed readers of common/env.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Dict

from common.env import ConfigurationError, integer, number, secret, sqlite_url, text, url
from common.paths import REPO_ROOT, VAR_DIR
from common.settings import tracker_store_url

RETENTION_DAYS = {
    "TRACKER_RETENTION_DAYS": 30,  # conversations, counted from their last event
    "EVENT_STREAM_RETENTION_DAYS": 30,
    "OUTBOX_RETENTION_DAYS": 7,  # emails and SMS (codes, reset links) after sending
    "CORRECTIONS_RETENTION_DAYS": 180,
    "INBOX_RETENTION_DAYS": 180,
    "HANDOFF_QUEUE_RETENTION_DAYS": 7,
    "LOG_RETENTION_DAYS": 14,
    "PRIVACY_EXPORT_RETENTION_DAYS": 7,  # export bundles (a customer's link works 72 hours)
    "TICKET_RETENTION_DAYS": 730,  # solved or closed tickets are anonymised, not deleted
}
RETENTION_HOURS = {"IDEMPOTENCY_RETENTION_HOURS": 24, "VERIFICATION_RETENTION_HOURS": 24}


@dataclass(frozen=True)
class RetentionSettings:
    windows: Dict[
        str, timedelta
    ]  # by the variable that sets each (ATTACHMENT_RETENTION_DAYS is attachments')
    database_url: str
    console_database_url: str
    tracker_store_url: str
    event_stream_url: str
    handoff_queue_url: str
    logs_dir: Path  # every *.log file under it (the stack's, training jobs')
    batch_size: int
    interval_seconds: float
    # A verified customer's deletion-request ticket is carried out once this old (privacy/cooling_off.py).
    erasure_cooling_off: timedelta


def retention_settings() -> RetentionSettings:
    windows = {name: timedelta(days=integer(name, days)) for name, days in RETENTION_DAYS.items()}
    windows.update({name: timedelta(hours=integer(name, hours)) for name, hours in RETENTION_HOURS.items()})
    for name, window in windows.items():
        if window <= timedelta(0):
            raise ConfigurationError(f"{name} must be 1 or more, not {window}.")
    batch_size = integer("PRIVACY_PURGE_BATCH_SIZE", 500)
    if batch_size < 1:
        raise ConfigurationError(f"PRIVACY_PURGE_BATCH_SIZE must be 1 or more, not {batch_size}.")
    return RetentionSettings(
        windows=windows,
        database_url=text("DATABASE_URL", sqlite_url("backend.db")),
        console_database_url=text("CONSOLE_DATABASE_URL", sqlite_url("console.db")),
        tracker_store_url=tracker_store_url(),
        event_stream_url=text("EVENT_STREAM_URL", sqlite_url("events.db")),
        handoff_queue_url=text("HANDOFF_QUEUE_DATABASE_URL", sqlite_url("pending-handoffs.db")),
        logs_dir=Path(text("LOGS_DIR", str(VAR_DIR))),
        batch_size=batch_size,
        interval_seconds=number("PRIVACY_PURGE_INTERVAL_SECONDS", 3600),
        erasure_cooling_off=timedelta(days=integer("ERASURE_COOLING_OFF_DAYS", 14)),
    )


# --- privacy: the conversation keys (privacy/keys.py), data-subject requests (console/privacy) ------------
@dataclass(frozen=True)
class ConversationKeySettings:
    keys_db: str  # a SQLite path or a SQLAlchemy URL; Rasa's endpoints.yml reads the same variable
    key_secret: str  # wraps every conversation key
    export_dir: Path  # approved exports' zip files, readable by the console's privacy users only
    # Customers' own copies (asked in the chat): the emailed link's address and how long it works.
    download_url: str
    download_hours: int


def conversation_key_settings() -> ConversationKeySettings:
    keys_db = text("CONVERSATION_KEYS_DB", str(VAR_DIR / "conversation-keys.db"))
    return ConversationKeySettings(
        keys_db=keys_db if "://" in keys_db else str(REPO_ROOT / keys_db),
        key_secret=secret("CONVERSATION_KEY_SECRET"),
        export_dir=Path(text("PRIVACY_EXPORT_DIR", str(VAR_DIR / "privacy-exports"))),
        download_url=url("PRIVACY_DOWNLOAD_URL", "http://127.0.0.1:8090/privacy/downloads"),
        download_hours=integer("PRIVACY_DOWNLOAD_HOURS", 72),
    )
