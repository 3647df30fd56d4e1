"""The agent console's accessibility in real headless Chromium (issue 12: an automated check on both UIs):
axe-core finds no serious or critical violation on the login page, the queue, a conversation with its side
panels and dialogs, the history and the metrics page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.helpers import Customer
from tests.e2e.test_browser_agent_tools import verified_handoff
from tests.e2e.test_browser_handoff import WAIT_MS, browser  # noqa: F401 - browser is a fixture
from tests.e2e.test_browser_layout import serious_violations
from tests.support import Factory
from tools.stack import Stack

pytestmark = pytest.mark.e2e


def test_axe_finds_no_serious_violations_in_the_console(
    stack: Stack,
    browser: Browser,  # noqa: F811
    stack_people: Factory,
) -> None:
    person = stack_people.customer([{"status": "placed", "total_cents": 2900, "size": "M"}])
    ticket_id = verified_handoff(stack, person.id, person.email)
    Customer(stack).say_text("I want to talk to a human")  # a second waiting conversation in the queue
    # Bypassing CSP only so axe's script can be injected (the console allows no inline scripts).
    page = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800}).new_page()
    page.goto(stack.config.console_url)
    expect(page.get_by_test_id("login-username")).to_be_visible(timeout=WAIT_MS)
    assert serious_violations(page) == [], "login"

    page.get_by_test_id("login-username").fill("alice")
    page.get_by_test_id("login-password").fill(stack.demo_passwords()["alice"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("queue-row").first).to_be_visible(timeout=WAIT_MS)
    assert serious_violations(page) == [], "queue"

    page.goto(f"{stack.config.console_url}/#/tickets/{ticket_id}")
    expect(page.get_by_test_id("conversation-view")).to_have_attribute(
        "data-ticket-id", str(ticket_id), timeout=WAIT_MS
    )
    expect(page.get_by_test_id("summary")).to_be_visible(timeout=WAIT_MS)
    assert serious_violations(page) == [], "conversation"
    page.get_by_test_id("claim").click()
    expect(page.get_by_test_id("resolve")).to_be_enabled(timeout=WAIT_MS)
    page.get_by_test_id("resolve").click()
    expect(page.locator("dialog[open]")).to_be_visible(timeout=WAIT_MS)
    assert serious_violations(page) == [], "resolve dialog"
    page.keyboard.press("Escape")

    page.goto(f"{stack.config.console_url}/#/history")
    expect(page.get_by_test_id("history-results").locator("table, p")).to_be_visible(timeout=WAIT_MS)
    assert serious_violations(page) == [], "history"
    page.goto(f"{stack.config.console_url}/#/metrics")  # alice is an admin, who sees the metrics
    expect(page.get_by_test_id("metric-card").first).to_be_visible(timeout=WAIT_MS)
    assert serious_violations(page) == [], "metrics"
