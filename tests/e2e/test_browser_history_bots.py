"""The history's bot-only conversations in real headless Chromium: an agent logs in, switches History to
"Bot-only conversations", filters by date and opens a read-only, redacted transcript (no stack: a backend, the
console and a tracker store file with Rasa's own event JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Tuple

import pytest
from playwright.sync_api import Browser, expect

from tests.console.test_history_bots import DAY, SECRETS, day_of
from tests.console.test_inbox_service import SURE, FakeTracker
from tests.e2e.test_browser_handoff import WAIT_MS, browser  # noqa: F401 - browser is a fixture
from tests.support import BackendServer, ConsoleServer, start_console, stop_process


@pytest.fixture(scope="module")
def console(
    sqlite_backend: BackendServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tuple[ConsoleServer, str]]:
    folder: Path = tmp_path_factory.mktemp("browser-history-bots")
    tracker = FakeTracker(folder / "rasa-tracker.db")
    tracker.slot("bot-1", "email", "erin.walsh@example.net")
    tracker.user("bot-1", "hi I am erin.walsh@example.net, where is my parcel", SURE)
    tracker.bot("bot-1", "Your parcel arrives tomorrow.")
    tracker.clock += 2 * DAY
    later = day_of(tracker)
    tracker.user("bot-2", "what are your opening hours", SURE)
    server = start_console(sqlite_backend, folder, TRACKER_STORE_URL=tracker.url)
    yield server, later
    stop_process(server.process)


def test_an_agent_lists_bot_only_conversations_by_date_and_reads_a_redacted_transcript(
    console: Tuple[ConsoleServer, str],
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    server, later = console
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{server.base_url}/#/history?kind=bot")
    page.get_by_test_id("login-username").fill("bob")
    page.get_by_test_id("login-password").fill(server.agents["bob"])
    page.get_by_test_id("login-submit").click()
    # Login lands on the address asked for: the bot-only list (the tab leads there too).
    expect(page.get_by_test_id("history-bots")).to_have_attribute("aria-current", "page", timeout=WAIT_MS)
    page.get_by_test_id("history-tickets").click()
    expect(page.get_by_test_id("history-q")).to_be_visible(timeout=WAIT_MS)
    page.get_by_test_id("history-bots").click()
    expect(page.get_by_test_id("history-q")).to_have_count(0)  # only the date filters
    rows = page.get_by_test_id("bot-conversation-row")
    expect(rows).to_have_count(2, timeout=WAIT_MS)
    expect(rows.first).to_have_attribute("data-conversation-id", "bot-2")
    page.get_by_test_id("history-from").fill(later)
    page.get_by_test_id("history-search").click()
    expect(rows).to_have_count(1, timeout=WAIT_MS)
    page.get_by_test_id("history-from").fill("")
    page.get_by_test_id("history-to").fill("2023-11-15")
    page.get_by_test_id("history-search").click()
    expect(rows).to_have_count(1, timeout=WAIT_MS)
    expect(rows.first).to_have_attribute("data-conversation-id", "bot-1", timeout=WAIT_MS)
    expect(rows.first.get_by_test_id("bot-conversation-first")).to_contain_text("where is my parcel")
    rows.first.get_by_test_id("bot-conversation-open").click()
    lines = page.get_by_test_id("bot-transcript-line")
    expect(lines).to_have_count(2, timeout=WAIT_MS)
    expect(lines.nth(1).get_by_test_id("message-text")).to_have_text("Your parcel arrives tomorrow.")
    shown = page.get_by_test_id("bot-transcript").inner_text()
    assert not any(secret in shown for secret in SECRETS), shown
    page.screenshot(path=str(tmp_path / "bot-transcript.png"))
