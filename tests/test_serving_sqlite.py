"""Rasa's own SQLite stores on the message path (common/database.py `serving_sqlite_engine`): pooled
connections, WAL, `synchronous` from RASA_SQLITE_SYNCHRONOUS, and nothing lost across a process killed right
after its commit."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from analytics.rasa_broker import MeteredSQLEventBroker
from common.database import SQLITE_SYNCHRONOUS_VARIABLE
from common.env import ConfigurationError
from common.paths import DOMAIN_PATH, REPO_ROOT
from privacy.tracker_store import EncryptedSQLTrackerStore

# SQLite's numbers for PRAGMA synchronous.
SYNCHRONOUS = {"NORMAL": 1, "FULL": 2}


def _store(tmp_path: Path) -> EncryptedSQLTrackerStore:
    return EncryptedSQLTrackerStore(
        domain=Domain.load(str(DOMAIN_PATH)),
        dialect="sqlite",
        db=str(tmp_path / "tracker.db"),
        keys_db=str(tmp_path / "keys.db"),
    )


def _pragma(store: object, name: str) -> object:
    with store.engine.connect() as connection:  # type: ignore[attr-defined]
        return connection.execute(text(f"PRAGMA {name}")).scalar()


@pytest.mark.parametrize("mode", ["NORMAL", "FULL", "full"])
def test_the_tracker_store_and_broker_pool_their_connections_and_sync_as_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv(SQLITE_SYNCHRONOUS_VARIABLE, mode)
    for store in (_store(tmp_path), MeteredSQLEventBroker(db=str(tmp_path / "events.db"))):
        assert isinstance(store.engine.pool, QueuePool)
        assert _pragma(store, "journal_mode") == "wal"
        assert _pragma(store, "synchronous") == SYNCHRONOUS[mode.upper()]


def test_normal_is_the_default_and_a_typo_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SQLITE_SYNCHRONOUS_VARIABLE, raising=False)
    assert _pragma(_store(tmp_path), "synchronous") == SYNCHRONOUS["NORMAL"]
    monkeypatch.setenv(SQLITE_SYNCHRONOUS_VARIABLE, "sometimes")
    with pytest.raises(ConfigurationError, match=SQLITE_SYNCHRONOUS_VARIABLE):
        _store(tmp_path / "other")


SAVE_THEN_WAIT = """
import asyncio, sys
from pathlib import Path
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from common.paths import DOMAIN_PATH
from privacy.tracker_store import EncryptedSQLTrackerStore

folder = Path(sys.argv[1])
domain = Domain.load(str(DOMAIN_PATH))
store = EncryptedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(folder / "tracker.db"),
                                 keys_db=str(folder / "keys.db"))
tracker = DialogueStateTracker("killed-after-save", domain.slots)
for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              UserUttered("where is my order 10042?", {"name": "check_order_status", "confidence": 0.9})):
    tracker.update(event)
asyncio.run(store.save(tracker))
print("saved", flush=True)
sys.stdin.read()  # killed here, connections still open and pooled
"""


def test_a_save_survives_the_rasa_process_being_killed_right_after_it(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SAVE_THEN_WAIT, str(tmp_path)],
        cwd=REPO_ROOT,
        env={**os.environ, "CONVERSATION_KEY_SECRET": os.environ.get("CONVERSATION_KEY_SECRET", "")},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "saved"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    tracker = asyncio.run(_store(tmp_path).retrieve("killed-after-save"))
    assert tracker is not None
    assert tracker.latest_message is not None
    assert tracker.latest_message.text == "where is my order 10042?"


def test_a_tracker_reads_back_through_the_pooled_engine(tmp_path: Path) -> None:
    store = _store(tmp_path)
    domain = Domain.load(str(DOMAIN_PATH))
    tracker = DialogueStateTracker("pooled", domain.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
    for _ in range(3):  # more saves than one connection would need, all through the pool
        asyncio.run(store.save(tracker))
    # Each event once (Rasa's own count stored the events after `session_started` again on a second save
    # of a tracker that begins before it).
    stored = asyncio.run(_store(tmp_path).retrieve_full_tracker("pooled"))
    assert stored is not None
    assert [event.as_dict() for event in stored.events] == [event.as_dict() for event in tracker.events]
