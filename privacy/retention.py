"""Retention: every store that keeps personal data, its window, and the purge that really deletes past it.

A store is one small object in the list `stores()` returns: its name, the variable that sets its window, and
two functions, `count(cutoff)` (what would go) and `delete(cutoff, batch_size)` (make it go, a batch per
transaction, so a purge never holds a long lock). The functions that know each table live beside the table
(backend/*/service.py, console/*, actions/handoff_queue.py, common/event_stream.py); this module only finds
the databases and runs them. Windows and where the stores are: common/retention_settings.py, README
"Retention". `python -m privacy purge` (privacy/__main__.py) runs it once or on a schedule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from common.database import make_engine, utcnow
from common.retention_settings import RetentionSettings

logger = logging.getLogger(__name__)

Count = Callable[[datetime], int]
Delete = Callable[[datetime, int], int]
# A domain's purge function: one batch (it flushes, the caller commits) or a count, in one session.
BatchFunction = Callable[..., int]


@dataclass(frozen=True)
class Store:
    name: str
    window_setting: str  # the environment variable that sets `window`
    window: timedelta
    count: Count  # how many units are older than the cutoff
    delete: Delete  # delete (or anonymise) them in batches; returns how many units went
    unit: str = "rows"
    action: str = "deleted"  # or "anonymised"
    skipped: Optional[str] = None  # why nothing is purged here (e.g. the stream is a RabbitMQ queue)


@dataclass(frozen=True)
class StoreResult:
    store: Store
    cutoff: datetime
    units: int
    error: Optional[str] = None


class Database:
    """One database several stores share, opened on first use; absent (nothing to purge) until it exists."""

    def __init__(self, url: str, *, foreign: bool = False) -> None:
        # A database another program owns (Rasa's tracker store) is opened without our SQLite pragmas.
        self.url, self.foreign = url, foreign
        self._engine: Optional[Engine] = None

    def engine(self) -> Engine:
        if self._engine is None:
            if self.foreign and self.url.startswith("sqlite"):
                self._engine = create_engine(self.url, future=True, connect_args={"timeout": 30})
            else:
                self._engine = make_engine(self.url)
            if self.url.startswith("sqlite"):
                event.listen(self._engine, "connect", _overwrite_deleted_rows)
        return self._engine

    def has(self, tables: Sequence[str]) -> bool:
        if self.url.startswith("sqlite:///"):
            path = self.url.split("///", 1)[1].split("?", 1)[0]
            if path != ":memory:" and not Path(path).is_file():
                return False  # never create a store just to find it empty
        inspector = inspect(self.engine())
        return all(inspector.has_table(table) for table in tables)

    def checkpoint(self) -> None:
        """SQLite in WAL mode: copy the pages a purge changed into the file and empty the WAL, so neither
        keeps an older copy of a deleted row (best effort: a reader in the middle of a read can delay it)."""
        if self.url.startswith("sqlite"):
            with self.engine().connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _overwrite_deleted_rows(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves a deleted row's bytes on the free page until something reuses it: zero them instead.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def sql_store(
    name: str,
    window_setting: str,
    window: timedelta,
    database: Database,
    tables: Sequence[str],
    count: BatchFunction,
    delete_batch: BatchFunction,
    **details: str,
) -> Store:
    """A store in a database: `count(cutoff, db_session=)` and `delete_batch(cutoff, batch_size, db_session=)`
    from the table's own module; each batch is committed before the next."""

    def counted(cutoff: datetime) -> int:
        if not database.has(tables):
            return 0
        with Session(database.engine(), future=True) as session:
            return count(cutoff, db_session=session)

    def deleted(cutoff: datetime, batch_size: int) -> int:
        if not database.has(tables):
            return 0
        total = 0
        while True:
            with Session(database.engine(), future=True) as session:
                went = delete_batch(cutoff, batch_size, db_session=session)
                session.commit()
            total += went
            if not went:
                if total:
                    database.checkpoint()
                return total

    return Store(name, window_setting, window, counted, deleted, **details)


def conversation_keys_store(settings: RetentionSettings, window: timedelta) -> Store:
    """The keys of conversations the tracker store no longer holds (privacy/keys.py)."""
    from privacy import conversations, tracker_retention

    tracker = Database(settings.tracker_store_url, foreign=True)

    def run(cutoff: datetime, batch_size: int, *, dry_run: bool) -> int:
        if not tracker.has(["events"]):
            return 0
        job = tracker_retention.count_orphaned_keys if dry_run else tracker_retention.destroy_orphaned_keys
        return job(conversations.conversation_keys(), tracker.engine(), cutoff, batch_size)

    return Store(
        "conversation-keys",
        "TRACKER_RETENTION_DAYS",
        window,
        lambda cutoff: run(cutoff, settings.batch_size, dry_run=True),
        lambda cutoff, batch_size: run(cutoff, batch_size, dry_run=False),
        unit="keys",
        action="destroyed",
    )


def stores(settings: RetentionSettings) -> List[Store]:
    """Every store with personal data, in the order the purge runs."""
    # Imported here: each brings its service's models, which the CLI's --help does not need.
    from actions import handoff_queue
    from backend.customers import service as customers
    from backend.idempotency import service as idempotency
    from backend.identity import service as identity
    from backend.notifications import service as notifications
    from backend.tickets import service as tickets
    from common import event_stream
    from console.corrections import service as corrections
    from console.inbox import retention as inbox
    from privacy import file_retention, tracker_retention

    windows = settings.windows
    backend = Database(settings.database_url)
    console = Database(settings.console_database_url)
    stream_window = windows["EVENT_STREAM_RETENTION_DAYS"]
    if settings.event_stream_url.startswith("amqp"):
        stream = Store(
            "event-stream",
            "EVENT_STREAM_RETENTION_DAYS",
            stream_window,
            lambda _cutoff: 0,
            lambda _cutoff, _batch_size: 0,
            skipped="RabbitMQ: a message leaves the queue once the consumer has read it",
        )
    else:
        stream = sql_store(
            "event-stream",
            "EVENT_STREAM_RETENTION_DAYS",
            stream_window,
            Database(settings.event_stream_url),
            ["events"],
            event_stream.count_events_before,
            event_stream.delete_events_before,
        )
    return [
        sql_store(
            "conversations",
            "TRACKER_RETENTION_DAYS",
            windows["TRACKER_RETENTION_DAYS"],
            Database(settings.tracker_store_url, foreign=True),
            ["events"],
            tracker_retention.count_conversations_before,
            tracker_retention.delete_conversations_before,
            unit="conversations",
        ),
        conversation_keys_store(settings, windows["TRACKER_RETENTION_DAYS"]),
        stream,
        sql_store(
            "outbox",
            "OUTBOX_RETENTION_DAYS",
            windows["OUTBOX_RETENTION_DAYS"],
            backend,
            ["outbox_messages"],
            notifications.count_sent_before,
            notifications.delete_sent_before,
        ),
        sql_store(
            "idempotency-keys",
            "IDEMPOTENCY_RETENTION_HOURS",
            windows["IDEMPOTENCY_RETENTION_HOURS"],
            backend,
            ["idempotency_keys"],
            idempotency.count_keys_before,
            idempotency.delete_keys_before,
        ),
        sql_store(
            "verification",
            "VERIFICATION_RETENTION_HOURS",
            windows["VERIFICATION_RETENTION_HOURS"],
            backend,
            ["verification_tokens", "verification_challenges", "verification_lockouts"],
            identity.count_expired_verification,
            identity.delete_expired_verification,
        ),
        sql_store(
            "account-requests",
            "VERIFICATION_RETENTION_HOURS",
            windows["VERIFICATION_RETENTION_HOURS"],
            backend,
            ["password_reset_requests", "email_change_requests"],
            customers.count_expired_requests,
            customers.delete_expired_requests,
        ),
        sql_store(
            "tickets",
            "TICKET_RETENTION_DAYS",
            windows["TICKET_RETENTION_DAYS"],
            backend,
            ["tickets", "ticket_messages"],
            tickets.count_closed_before,
            tickets.anonymise_closed_before,
            unit="tickets",
            action="anonymised",
        ),
        sql_store(
            "corrections",
            "CORRECTIONS_RETENTION_DAYS",
            windows["CORRECTIONS_RETENTION_DAYS"],
            console,
            ["corrections"],
            corrections.count_recorded_before,
            corrections.delete_recorded_before,
        ),
        sql_store(
            "inbox",
            "INBOX_RETENTION_DAYS",
            windows["INBOX_RETENTION_DAYS"],
            console,
            ["inbox_items", "inbox_groups", "inbox_labels", "kb_drafts"],
            inbox.count_expired,
            inbox.purge_expired,
            action="deleted or stripped",
        ),
        sql_store(
            "handoff-queue",
            "HANDOFF_QUEUE_RETENTION_DAYS",
            windows["HANDOFF_QUEUE_RETENTION_DAYS"],
            Database(settings.handoff_queue_url),
            ["pending_handoffs"],
            handoff_queue.count_queued_before,
            handoff_queue.delete_queued_before,
        ),
        file_retention.attachments_store(),
        file_retention.logs_store(settings.logs_dir, windows["LOG_RETENTION_DAYS"]),
        file_retention.exports_store(windows["PRIVACY_EXPORT_RETENTION_DAYS"]),
    ]


def purge(
    store_list: Sequence[Store], *, dry_run: bool, batch_size: int, now: Optional[datetime] = None
) -> List[StoreResult]:
    """Count (dry run) or purge each store; a failing store is reported and the others still run."""
    moment = now or utcnow()
    results = []
    for store in store_list:
        cutoff = moment - store.window
        if store.skipped:
            results.append(StoreResult(store, cutoff, 0))
            continue
        try:
            units = store.count(cutoff) if dry_run else store.delete(cutoff, batch_size)
            results.append(StoreResult(store, cutoff, units))
        except Exception as exc:  # noqa: BLE001 - one store down must not keep the others' data
            logger.exception("retention purge of %s failed", store.name)
            results.append(StoreResult(store, cutoff, 0, error=f"{type(exc).__name__}: {exc}"))
    return results


def describe(store: Store) -> str:
    """The window in the unit its variable is set in."""
    if store.window_setting.endswith("_HOURS"):
        return f"{int(store.window.total_seconds() // 3600)} hours"
    return f"{store.window.days} days"


def report(results: Sequence[StoreResult], *, dry_run: bool) -> str:
    """One line per store: the window and what went (or would go)."""
    lines = []
    for result in results:
        store = result.store
        if store.skipped:
            outcome = f"skipped ({store.skipped})"
        elif result.error:
            outcome = f"FAILED: {result.error}"
        else:
            verb = f"would be {store.action}" if dry_run else store.action
            outcome = f"{result.units} {store.unit} {verb}"
        lines.append(f"{store.name:<17} {describe(store):>9}  {outcome:<36} {store.window_setting}")
    return "\n".join(lines)
