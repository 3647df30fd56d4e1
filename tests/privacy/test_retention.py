"""Retention (privacy/retention.py): every store seeded on both sides of its window, on SQLite and PostgreSQL;
the dry run counts, the real purge deletes exactly the old rows in batches, and the CLI says so."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from backend.customers.models import PasswordResetRequest
from backend.notifications.models import OutboxMessage
from backend.notifications.service import recipient_hash
from backend.tickets.models import Ticket, TicketMessage
from common.database import make_engine, utcnow
from common.event_stream import broker_events
from common.paths import REPO_ROOT
from common.retention_settings import retention_settings
from console.corrections.models import Correction
from console.inbox.models import InboxItem
from privacy import tracker_retention
from privacy.retention import Database, purge, sql_store, stores
from privacy.tracker_table import EVENTS
from tests.privacy.retention_seed import Places, old, seed, seed_backend, seed_tracker, tracker_event
from tests.support import postgres_schema


def sqlite_places(folder: Path) -> Places:
    return Places(
        backend=f"sqlite:///{folder}/backend.db",
        console=f"sqlite:///{folder}/console.db",
        tracker=f"sqlite:///{folder}/rasa-tracker.db",
        stream=f"sqlite:///{folder}/events.db",
        handoffs=f"sqlite:///{folder}/pending-handoffs.db",
        logs_dir=folder / "var",
        attachments_dir=folder / "attachments",
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def places(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Places]:
    if request.param == "sqlite":
        yield sqlite_places(tmp_path)
        return
    with contextlib.ExitStack() as schemas:
        urls = [
            schemas.enter_context(postgres_schema(f"retention_{name}"))
            for name in ("b", "c", "t", "s", "h", "k")
        ]
        backend, console, tracker, stream, handoffs, keys = urls
        yield Places(
            backend, console, tracker, stream, handoffs, tmp_path / "var", tmp_path / "attachments", keys=keys
        )


def use_places(places: Places, monkeypatch: pytest.MonkeyPatch) -> Places:
    for name, value in places.environment().items():
        monkeypatch.setenv(name, value)
    return places


@pytest.fixture
def environment(places: Places, monkeypatch: pytest.MonkeyPatch) -> Places:
    return use_places(places, monkeypatch)


def units(results: List, seeded: Dict[str, int]) -> Dict[str, int]:
    """Units per seeded store (a store added to the list later has its own tests)."""
    assert not [result.error for result in results if result.error]
    return {result.store.name: result.units for result in results if result.store.name in seeded}


def count(url: str, statement: Any) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(statement).scalar_one()
    finally:
        engine.dispose()


def test_dry_run_counts_then_the_purge_deletes_exactly_the_old_rows(environment: Places) -> None:
    now = utcnow()
    expected = seed(environment, now)
    store_list = stores(retention_settings())
    assert set(expected) <= {store.name for store in store_list}

    assert units(purge(store_list, dry_run=True, batch_size=2, now=now), expected) == expected
    # A dry run touched nothing: it counts the same again.
    assert units(purge(store_list, dry_run=True, batch_size=2, now=now), expected) == expected

    assert units(purge(store_list, dry_run=False, batch_size=2, now=now), expected) == expected
    assert set(units(purge(store_list, dry_run=True, batch_size=2, now=now), expected).values()) == {0}

    places = environment
    assert count(places.backend, select(func.count()).select_from(OutboxMessage)) == 2
    assert count(places.backend, select(func.count()).select_from(PasswordResetRequest)) == 1
    # Tickets: the two old closed ones are anonymised (kept, without person or messages); the others untouched.
    assert count(places.backend, select(func.count()).select_from(Ticket)) == 4
    assert count(places.backend, select(func.count()).where(Ticket.customer_email.is_(None))) == 2
    assert count(places.backend, select(func.count()).select_from(TicketMessage)) == 2
    assert count(places.console, select(func.count()).select_from(Correction)) == 1
    kept_items = count(places.console, select(func.count()).select_from(InboxItem))
    stripped = count(
        places.console,
        select(func.count()).where(
            InboxItem.conversation_id.is_(None), InboxItem.note.is_(None), InboxItem.conversation == "[]"
        ),
    )
    assert (kept_items, stripped) == (2, 2)  # the labelled one (stripped) and the fresh one (had no context)
    senders = {row for row in _senders(places.tracker)}
    assert senders == {"returning", "fresh"}
    assert count(places.tracker, select(func.count()).select_from(EVENTS)) == 3
    assert count(places.stream, select(func.count()).select_from(broker_events)) == 2
    assert sorted(path.name for path in places.attachments_dir.iterdir()) == ["a-fresh", "a-fresh.json"]
    logs = sorted(
        str(path.relative_to(places.logs_dir)) for path in places.logs_dir.rglob("*") if path.is_file()
    )
    assert logs == ["logs/rasa.log", "notes.txt"]


def _senders(url: str) -> List[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = list(connection.execute(select(EVENTS.c.sender_id).distinct()).scalars())
    engine.dispose()
    return found


def test_every_batch_is_committed_and_no_larger_than_asked(environment: Places) -> None:
    now = utcnow()
    seed_backend(environment.backend, now)
    engine = make_engine(environment.backend)
    with Session(engine, future=True) as session:
        for _ in range(5):
            session.add(
                OutboxMessage(
                    recipient="a@example.com",
                    recipient_hash=recipient_hash("a@example.com", db_session=None),
                    template="otp",
                    subject="s",
                    body="b",
                    created_at=old(now, "OUTBOX_RETENTION_DAYS"),
                )
            )
        session.commit()
    batches: List[int] = []
    seen_by_another_connection: List[int] = []

    def one_batch(cutoff: datetime, batch_size: int, *, db_session: Session) -> int:
        from backend.notifications.service import delete_sent_before

        # What an earlier batch deleted is already committed: another connection no longer sees it.
        seen_by_another_connection.append(
            count(environment.backend, select(func.count()).select_from(OutboxMessage))
        )
        went = delete_sent_before(cutoff, batch_size, db_session=db_session)
        batches.append(went)
        return went

    from backend.notifications.service import count_sent_before

    store = sql_store(
        "outbox",
        "OUTBOX_RETENTION_DAYS",
        timedelta(days=7),
        Database(environment.backend),
        ["outbox_messages"],
        count_sent_before,
        one_batch,
    )
    assert store.delete(now - timedelta(days=7), 3) == 8
    assert batches == [3, 3, 2, 0]
    assert seen_by_another_connection == [10, 7, 4, 2]
    engine.dispose()


def test_conversations_go_whole_and_a_batch_holds_whole_conversations(places: Places) -> None:
    now = utcnow()
    seed_tracker(places.tracker, now)
    engine = make_engine(places.tracker)
    with engine.begin() as connection:  # a long old conversation, then a fresh one so it is not the newest
        connection.execute(
            insert(EVENTS),
            [tracker_event("long", old(now, "TRACKER_RETENTION_DAYS") - timedelta(days=1)) for _ in range(5)],
        )
        connection.execute(insert(EVENTS), [tracker_event("fresh", now)])
    cutoff = now - timedelta(days=30)
    with Session(engine, future=True) as session:
        assert tracker_retention.count_conversations_before(cutoff, db_session=session) == 3
        # Oldest first: "long" has 5 events, more than the batch of 2, so it goes alone and whole.
        assert tracker_retention.delete_conversations_before(cutoff, 2, db_session=session) == 1
        session.commit()
        left = dict(
            session.execute(select(EVENTS.c.sender_id, func.count()).group_by(EVENTS.c.sender_id)).all()
        )
        assert "long" not in left and left["old-1"] == 3 and left["old-2"] == 2 and left["returning"] == 2
        # old-1 (3 events) and old-2 (2) together fit a batch of 5.
        assert tracker_retention.delete_conversations_before(cutoff, 5, db_session=session) == 2
        session.commit()
        assert tracker_retention.delete_conversations_before(cutoff, 5, db_session=session) == 0
    engine.dispose()


def test_the_newest_row_stays_so_sqlite_never_reuses_its_id(tmp_path: Path) -> None:
    places = sqlite_places(tmp_path)
    now = utcnow()
    seed_tracker(places.tracker, now)
    engine = make_engine(places.tracker)
    with engine.begin() as connection:  # the newest event belongs to an old conversation
        connection.execute(insert(EVENTS), [tracker_event("idle", now - timedelta(days=90))])
    with Session(engine, future=True) as session:
        went = tracker_retention.delete_conversations_before(
            now - timedelta(days=30), 500, db_session=session
        )
        session.commit()
        assert went == 2
        assert "idle" in set(session.execute(select(EVENTS.c.sender_id)).scalars())
    engine.dispose()


def run_cli(places: Places, *arguments: str, **extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FRONTDESK_ENV": "development", **places.environment(), **extra}
    return subprocess.run(
        [sys.executable, "-m", "privacy", "purge", *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def reported(output: str, seeded: Dict[str, int]) -> Dict[str, int]:
    """Seeded store's name -> the number at the start of its outcome."""
    found = {}
    for line in output.splitlines()[1:]:
        name, _amount, _unit, number = line.split()[:4]
        if name in seeded:
            found[name] = int(number)
    return found


def test_the_cli_prints_counts_per_store_and_refuses_bad_input(tmp_path: Path) -> None:
    places = sqlite_places(tmp_path)
    expected = seed(places, utcnow())

    dry = run_cli(places, "--dry-run", "--batch-size", "2")
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout and "would be deleted" in dry.stdout
    assert reported(dry.stdout, expected) == expected

    real = run_cli(places, "--batch-size", "2")
    assert real.returncode == 0, real.stderr
    assert reported(real.stdout, expected) == expected and "would be" not in real.stdout
    again = run_cli(places, "--dry-run")
    assert set(reported(again.stdout, expected).values()) == {0}

    bad_batch = run_cli(places, "--batch-size", "0")
    assert bad_batch.returncode == 2 and "--batch-size: must be 1 or more" in bad_batch.stderr
    bad_window = run_cli(places, "--dry-run", OUTBOX_RETENTION_DAYS="0")
    assert bad_window.returncode == 2 and "OUTBOX_RETENTION_DAYS must be 1 or more" in bad_window.stderr
    not_a_number = run_cli(places, "--dry-run", IDEMPOTENCY_RETENTION_HOURS="a day")
    assert (
        not_a_number.returncode == 2
        and "IDEMPOTENCY_RETENTION_HOURS must be a whole number" in not_a_number.stderr
    )


def test_deleted_rows_leave_no_copy_in_the_sqlite_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bytes of a file: SQLite only (PostgreSQL's VACUUM is the server's).
    environment = use_places(sqlite_places(tmp_path), monkeypatch)
    now = utcnow()
    seed_backend(environment.backend, now)
    marker = "reset link https://shop.example.com/reset?token=k3y-only-in-this-row"
    engine = make_engine(environment.backend)
    with Session(engine, future=True) as session:
        session.add(
            OutboxMessage(
                recipient="a@example.com",
                recipient_hash=recipient_hash("a@example.com", db_session=None),
                template="password_reset",
                subject="Reset",
                body=marker,
                created_at=old(now, "OUTBOX_RETENTION_DAYS"),
            )
        )
        session.commit()
    engine.dispose()
    database_file = Path(environment.backend.split("///", 1)[1])

    def on_disk() -> bytes:
        files = [database_file, database_file.with_name(database_file.name + "-wal")]
        return b"".join(path.read_bytes() for path in files if path.is_file())

    assert marker.encode() in on_disk()
    store = next(store for store in stores(retention_settings()) if store.name == "outbox")
    assert store.delete(now - store.window, 500) == 4
    assert marker.encode() not in on_disk()
