"""Bot-only conversations in the console's history (console/history/bots.py) over the console's HTTP API, read from
a real tracker store file (Rasa's own event JSON): listed by date with channel and a redacted first message, a
redacted read-only transcript, none that reached a person, and nothing before login."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Tuple

import pytest
from rasa.shared.core.events import ConversationPaused, UserUttered

from tests.console.test_inbox_service import SURE, FakeTracker
from tests.support import BackendServer, ConsoleServer, start_console, stop_process

DAY = 86_400


def day_of(tracker: FakeTracker) -> str:
    return datetime.fromtimestamp(tracker.clock + 1, tz=timezone.utc).date().isoformat()


@pytest.fixture(scope="module")
def history(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tuple[ConsoleServer, dict]]:
    folder: Path = tmp_path_factory.mktemp("console-history-bots")
    tracker = FakeTracker(folder / "rasa-tracker.db")
    days = {"first": day_of(tracker)}
    # Day one: a bot-only web chat with personal data in it, and one that was handed to a person.
    tracker.slot("bot-1", "email", "erin.walsh@example.net")
    tracker.user("bot-1", "hi I am erin.walsh@example.net, where is my parcel", SURE)
    tracker.bot("bot-1", "I sent a code to erin.walsh@example.net. Please type it.")
    tracker.slot("bot-1", "requested_slot", "verification_code")
    tracker.user("bot-1", "834126", SURE)
    tracker.bot("bot-1", "Thanks, your parcel arrives tomorrow.")
    tracker.user("handed-1", "I want a person", SURE)
    tracker.add("handed-1", ConversationPaused())
    tracker.action("no-words", "action_session_start")  # never said anything: not listed
    # Two days later: a Telegram conversation.
    tracker.clock += 2 * DAY
    days["third"] = day_of(tracker)
    tracker.add("telegram:42", UserUttered("call me on +1 (415) 555-0134", input_channel="telegram"))
    tracker.bot("telegram:42", "I can help with orders, refunds and deliveries.")
    server = start_console(sqlite_backend, folder, TRACKER_STORE_URL=tracker.url)
    yield server, days
    stop_process(server.process)


SECRETS = ("erin", "walsh", "example.net", "834126", "415", "0134")


def test_bot_only_conversations_are_listed_by_date_redacted_with_a_transcript(
    history: Tuple[ConsoleServer, dict],
) -> None:
    console, days = history
    base = f"{console.base_url}/api/history/conversations"
    assert console.login("bob").get(base).status_code == 200  # any agent, not only admins
    alice = console.login("alice")
    listed = alice.get(base)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [c["conversation_id"] for c in body["items"]] == ["telegram:42", "bot-1"] and body["total"] == 2
    telegram, web = body["items"]
    assert (telegram["channel"], web["channel"]) == ("telegram", "rest")
    assert web["customer_messages"] == 2 and web["started_at"].startswith(days["first"])
    assert "where is my parcel" in web["first_message"]
    assert not any(secret in listed.text for secret in SECRETS), listed.text

    first_day = alice.get(base, params={"from": days["first"], "to": days["first"]}).json()
    assert [c["conversation_id"] for c in first_day["items"]] == ["bot-1"]
    later = alice.get(base, params={"from": days["third"]}).json()
    assert [c["conversation_id"] for c in later["items"]] == ["telegram:42"]

    transcript = alice.get(f"{base}/bot-1")
    assert transcript.status_code == 200, transcript.text
    lines = transcript.json()["lines"]
    assert [line["author"] for line in lines] == ["customer", "bot", "customer", "bot"]
    assert lines[3]["text"] == "Thanks, your parcel arrives tomorrow."
    assert not any(secret in transcript.text for secret in SECRETS), transcript.text
    assert alice.get(f"{base}/handed-1").status_code == 404  # a person joined: that is a ticket
    assert alice.get(f"{base}/nobody").status_code == 404


def test_nothing_before_login(history: Tuple[ConsoleServer, dict]) -> None:
    import requests

    console, _days = history
    base = f"{console.base_url}/api/history/conversations"
    assert requests.get(base, timeout=10).status_code == 401
    assert requests.get(f"{base}/bot-1", timeout=10).status_code == 401
