"""Every retention store seeded with rows on both sides of its window (tests/privacy/test_retention.py).

`seed(places, now)` writes, for each store, rows that are just past the window ("old", must go) and rows just
inside it ("fresh", must stay), and returns how many units the purge should take from each store.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from actions.handoff_queue import metadata as handoff_metadata
from actions.handoff_queue import pending
from backend import models as backend_models
from backend.customers.models import Customer, EmailChangeRequest, PasswordResetRequest
from backend.database import Base as BackendBase
from backend.idempotency.models import IdempotencyKey
from backend.identity.models import VerificationChallenge, VerificationLockout, VerificationToken
from backend.notifications.models import OutboxMessage
from backend.notifications.service import recipient_hash
from backend.tickets.models import Ticket, TicketMessage
from common.database import make_engine
from common.env import DEVELOPMENT_SECRETS
from common.event_stream import broker_events, broker_metadata
from common.retention_settings import RETENTION_DAYS, RETENTION_HOURS
from console.corrections.models import Correction
from console.inbox.models import InboxGroup, InboxItem, InboxLabel
from console.schema import create_schema
from privacy.keys import CONVERSATION_KEYS, ConversationKeys
from privacy.tracker_table import EVENTS

assert backend_models  # imported for its side effect: every backend table on BackendBase.metadata
HOUR = timedelta(hours=1)
WINDOWS = {
    **{name: timedelta(days=days) for name, days in RETENTION_DAYS.items()},
    **{name: timedelta(hours=hours) for name, hours in RETENTION_HOURS.items()},
    "ATTACHMENT_RETENTION_DAYS": timedelta(days=30),
}


@dataclass(frozen=True)
class Places:
    """Where each store is for one test (SQLite files or PostgreSQL schemas, and folders)."""

    backend: str
    console: str
    tracker: str
    stream: str
    handoffs: str
    logs_dir: Path
    attachments_dir: Path
    keys: str = ""

    def environment(self) -> Dict[str, str]:
        return {
            "DATABASE_URL": self.backend,
            "CONSOLE_DATABASE_URL": self.console,
            "TRACKER_STORE_URL": self.tracker,
            "EVENT_STREAM_URL": self.stream,
            "HANDOFF_QUEUE_DATABASE_URL": self.handoffs,
            "LOGS_DIR": str(self.logs_dir),
            "ATTACHMENTS_DIR": str(self.attachments_dir),
            "CONVERSATION_KEYS_DB": self.keys or str(self.attachments_dir.parent / "conversation-keys.db"),
        }


def old(now: datetime, setting: str) -> datetime:
    return now - WINDOWS[setting] - HOUR


def fresh(now: datetime, setting: str) -> datetime:
    return now - WINDOWS[setting] + HOUR


def epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=timezone.utc).timestamp()


def seed_backend(url: str, now: datetime) -> Dict[str, int]:
    engine = make_engine(url)
    BackendBase.metadata.create_all(engine)
    with Session(engine, future=True) as session:
        customer = Customer(name="Jane Doe", email="jane@example.com")
        session.add(customer)
        session.flush()
        for when in (old, old, old, fresh, fresh):
            moment = when(now, "OUTBOX_RETENTION_DAYS")
            session.add(
                OutboxMessage(
                    recipient="jane@example.com",
                    recipient_hash=recipient_hash("jane@example.com", db_session=None),
                    template="otp",
                    subject="Code",
                    body="123456",
                    created_at=moment,
                )
            )
        for index, when in enumerate((old, old, fresh)):
            moment = when(now, "IDEMPOTENCY_RETENTION_HOURS")
            session.add(
                IdempotencyKey(
                    key=f"key-{index}",
                    request_hash="h",
                    status_code=200,
                    response_body="{}",
                    created_at=moment,
                )
            )
        verification = "VERIFICATION_RETENTION_HOURS"
        for name, when in (("c-old-with-token", old), ("c-old", old), ("c-fresh", fresh)):
            expires = when(now, verification)
            session.add(
                VerificationChallenge(
                    id=name,
                    customer_id=customer.id,
                    identifier_hash="x",
                    channel="email",
                    code_hash="y",
                    created_at=expires - timedelta(minutes=5),
                    expires_at=expires,
                )
            )
        session.flush()
        expired = old(now, verification)
        session.add(
            VerificationToken(
                token_hash="t-old",
                customer_id=customer.id,
                challenge_id="c-old-with-token",
                created_at=expired,
                expires_at=expired,
            )
        )
        session.add(
            VerificationLockout(
                customer_id=customer.id, locked_until=old(now, verification), created_at=expired
            )
        )
        for index, when in enumerate((old, fresh)):
            expires = when(now, verification)
            session.add(
                PasswordResetRequest(
                    customer_id=customer.id, token_hash=f"r{index}", created_at=expires, expires_at=expires
                )
            )
        session.add(
            EmailChangeRequest(
                customer_id=customer.id,
                new_email="new@example.com",
                token_hash="e0",
                created_at=expired,
                expires_at=expired,
            )
        )
        for status, when in (("closed", old), ("solved", old), ("solved", fresh), ("open", old)):
            moment = when(now, "TICKET_RETENTION_DAYS")
            ticket = Ticket(
                customer_id=customer.id,
                customer_email="jane@example.com",
                conversation_id="conv",
                subject="My card 4242",
                status=status,
                details_json='{"address": "1 Main St"}',
                created_at=moment,
                updated_at=moment,
            )
            ticket.messages.append(
                TicketMessage(author="customer", body="my email is jane@example.com", created_at=moment)
            )
            session.add(ticket)
        session.commit()
    engine.dispose()
    # Verification: the expired token, both expired challenges, the lockout; requests: a reset and a change.
    return {"outbox": 3, "idempotency-keys": 2, "verification": 4, "account-requests": 2, "tickets": 2}


def seed_console(url: str, now: datetime) -> Dict[str, int]:
    engine = make_engine(url)
    create_schema(engine)
    with Session(engine, future=True) as session:
        for when in (old, old, old, fresh):  # the newest (highest id) is fresh: nothing kept only for its id
            session.add(
                Correction(
                    ticket_id=1,
                    bot_text="b",
                    correction="c",
                    agent="bob",
                    created_at=when(now, "CORRECTIONS_RETENTION_DAYS"),
                )
            )
        inbox = "INBOX_RETENTION_DAYS"
        groups = [
            InboxGroup(key=key, text=key, created_at=old(now, inbox))
            for key in ("unlabelled", "labelled", "mixed")
        ]
        session.add_all(groups)
        session.flush()
        items = [
            InboxItem(
                group_id=groups[0].id,
                source_ref="tracker:1",
                sources="fallback",
                text="hi",
                conversation='[{"role": "user"}]',
                conversation_id="s1",
                created_at=old(now, inbox),
            ),
            InboxItem(
                group_id=groups[1].id,
                source_ref="tracker:2",
                sources="fallback",
                text="hey",
                conversation='[{"role": "user"}]',
                conversation_id="s2",
                note="n",
                created_at=old(now, inbox),
            ),
            InboxItem(
                group_id=groups[2].id,
                source_ref="tracker:3",
                sources="fallback",
                text="yo",
                created_at=old(now, inbox),
            ),
            InboxItem(
                group_id=groups[2].id,
                source_ref="tracker:4",
                sources="fallback",
                text="yo!",
                created_at=fresh(now, inbox),
            ),
        ]
        session.add_all(items)
        session.flush()
        session.add(InboxLabel(item_id=items[1].id, trainer="tara", kind="accept"))
        session.commit()
    engine.dispose()
    # Items: two unlabelled old ones deleted, the labelled one stripped; the "unlabelled" group emptied.
    return {"corrections": 3, "inbox": 4}


def tracker_event(sender: str, moment: datetime) -> Dict[str, object]:
    return {
        "sender_id": sender,
        "type_name": "user",
        "timestamp": epoch(moment),
        "data": json.dumps({"text": "hi"}),
    }


def seed_tracker(url: str, now: datetime) -> Dict[str, int]:
    engine = make_engine(url)
    EVENTS.metadata.create_all(engine)
    setting = "TRACKER_RETENTION_DAYS"
    rows = [tracker_event("old-1", old(now, setting)) for _ in range(3)]
    rows += [tracker_event("old-2", old(now, setting)) for _ in range(2)]
    rows += [tracker_event("returning", old(now, setting)), tracker_event("returning", fresh(now, setting))]
    rows += [tracker_event("fresh", fresh(now, setting))]
    with engine.begin() as connection:
        connection.execute(insert(EVENTS), rows)
    engine.dispose()
    return {"conversations": 2}


def seed_keys(places: Places, now: datetime) -> Dict[str, int]:
    """Keys of the tracker's conversations: old-1 and old-2 go with their events, "returning" has a fresh event."""
    keys = ConversationKeys(
        places.environment()["CONVERSATION_KEYS_DB"], DEVELOPMENT_SECRETS["CONVERSATION_KEY_SECRET"]
    )
    for sender in ("old-1", "old-2", "returning", "fresh"):
        keys.key(sender, create=True)
    created = {"old-1": old, "old-2": old, "returning": old, "fresh": fresh}
    with keys.engine.begin() as connection:
        for sender, when in created.items():
            connection.execute(
                update(CONVERSATION_KEYS)
                .where(CONVERSATION_KEYS.c.sender_id == sender)
                .values(created_at=epoch(when(now, "TRACKER_RETENTION_DAYS")))
            )
    keys.engine.dispose()
    return {"conversation-keys": 2}


def seed_stream(url: str, now: datetime) -> Dict[str, int]:
    engine = make_engine(url)
    broker_metadata.create_all(engine)
    setting = "EVENT_STREAM_RETENTION_DAYS"
    with engine.begin() as connection:
        for when in (old, old, old, old, fresh, fresh):
            event = {"event": "user", "sender_id": "s", "timestamp": epoch(when(now, setting))}
            connection.execute(insert(broker_events).values(sender_id="s", data=json.dumps(event)))
    engine.dispose()
    return {"event-stream": 4}


def seed_handoffs(url: str, now: datetime) -> Dict[str, int]:
    engine = make_engine(url)
    handoff_metadata.create_all(engine)
    setting = "HANDOFF_QUEUE_RETENTION_DAYS"
    with engine.begin() as connection:
        for index, when in enumerate((old, old, fresh)):
            connection.execute(
                insert(pending).values(
                    idempotency_key=f"h{index}",
                    ticket_json="{}",
                    queued_at=epoch(when(now, setting)),
                    attempts=1,
                )
            )
    engine.dispose()
    return {"handoff-queue": 2}


def touch(path: Path, moment: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("jane@example.com")
    os.utime(path, (epoch(moment), epoch(moment)))


def seed_files(places: Places, now: datetime) -> Dict[str, int]:
    attachments = "ATTACHMENT_RETENTION_DAYS"
    for name, when in (("a-old", old), ("a-fresh", fresh)):
        touch(places.attachments_dir / name, when(now, attachments))
        touch(places.attachments_dir / f"{name}.json", when(now, attachments))
    logs = "LOG_RETENTION_DAYS"
    touch(places.logs_dir / "logs" / "backend.log", old(now, logs))
    touch(places.logs_dir / "registry" / "job-1.log.1", old(now, logs))
    touch(places.logs_dir / "logs" / "rasa.log", fresh(now, logs))
    touch(places.logs_dir / "notes.txt", old(now, logs))  # not a log: stays
    return {"attachments": 1, "logs": 2}


def seed(places: Places, now: datetime) -> Dict[str, int]:
    """Seed every store; the units the purge must take from each."""
    return {
        **seed_tracker(places.tracker, now),
        **seed_keys(places, now),
        **seed_stream(places.stream, now),
        **seed_backend(places.backend, now),
        **seed_console(places.console, now),
        **seed_handoffs(places.handoffs, now),
        **seed_files(places, now),
    }
