"""Conversation states in real headless Chromium: the typing indicator while the bot writes, timestamps, the
wait for a person with the place in the queue updated live, and messages sent while waiting acknowledged once."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.audit.test_tickets import console_login
from tests.e2e.test_browser_handoff import (  # noqa: F401 - browser is the module's fixture
    WAIT_MS,
    bot_says,
    browser,
    open_chat,
    send,
    ticket_of,
)
from tools.stack import Stack

pytestmark = pytest.mark.e2e

IN_LINE = re.compile(r"^Waiting for a person \(number (\d+) in line, about (\d+) min\)$")


def record_typing(chat: Page) -> None:
    """Note whether the typing indicator ever shows (it may be gone again before a check could look)."""
    chat.evaluate(
        """() => {
          window.typingSeen = false;
          const typing = document.querySelector("[data-testid='typing']");
          new MutationObserver(() => { if (!typing.hidden) window.typingSeen = true; })
            .observe(typing, { attributes: true, attributeFilter: ["hidden"] });
        }"""
    )


def place_in_line(chat: Page) -> int:
    status = chat.get_by_test_id("chat-status")
    expect(status).to_have_text(IN_LINE, timeout=WAIT_MS)
    match = IN_LINE.match(status.text_content() or "")
    assert match is not None
    return int(match.group(1))


def hand_over(chat: Page) -> None:
    send(chat, "I'd like to talk to a human please")
    bot_says(chat, "ticket|team")


def test_typing_timestamps_and_a_live_place_in_the_queue(stack: Stack, browser: Browser) -> None:  # noqa: F811
    first = browser.new_context().new_page()
    open_chat(first, stack)
    record_typing(first)
    send(first, "hello")
    bot_says(first, "Frontdesk")
    assert first.evaluate("window.typingSeen") is True
    expect(first.get_by_test_id("typing")).to_be_hidden()
    # Every message says when it was said.
    stamp = first.get_by_test_id("user-message").last.get_by_test_id("message-time")
    expect(stamp).to_have_text(re.compile(r"\d{1,2}[:.]\d{2}"))
    assert re.match(r"\d{4}-\d{2}-\d{2}T", stamp.get_attribute("datetime") or "")

    # Handed over: the header says the place in the queue the console computes for this ticket.
    hand_over(first)
    first_place = place_in_line(first)
    first_ticket = ticket_of(stack, first.evaluate("document.body.dataset.session").split(".")[0])
    availability = requests.get(
        f"{stack.config.console_url}/api/availability", params={"ticket_id": first_ticket["id"]}, timeout=10
    ).json()
    assert availability["position"] == first_place

    # Messages while waiting: no typing indicator (nobody is writing), one acknowledgement for the lot.
    record_typing(first)
    send(first, "Are you there?")
    send(first, "It is about order 10043")
    expect(first.get_by_test_id("user-message").filter(has_text="order 10043")).to_be_visible()
    received = first.locator("[data-testid='system-line'][data-notice='received']")
    expect(received).to_have_count(1)
    expect(received).to_have_text("Got it. Your messages are kept for the person who joins you.")
    assert first.evaluate("window.typingSeen") is False
    # A reload keeps the wait and does not acknowledge again.
    first.reload()
    assert place_in_line(first) == first_place
    send(first, "Still waiting")
    expect(first.get_by_test_id("user-message").filter(has_text="Still waiting")).to_be_visible()
    expect(received).to_have_count(1)

    # A second customer waits behind; when a person takes the first, the second moves up without a reload.
    second = browser.new_context().new_page()
    open_chat(second, stack)
    hand_over(second)
    second_place = place_in_line(second)
    assert second_place == first_place + 1
    alice = console_login(stack, "alice")
    assert alice.post(f"{stack.config.console_url}/api/tickets/{first_ticket['id']}/claim", timeout=30).ok
    expect(second.get_by_test_id("chat-status")).to_have_text(
        re.compile(rf"^Waiting for a person \(number {second_place - 1} in line"), timeout=WAIT_MS
    )
    expect(first.get_by_test_id("chat-status")).to_have_text("Chatting with Alice", timeout=WAIT_MS)

    # Tidy up: nobody else's test should find these two in the queue.
    second_ticket = ticket_of(stack, second.evaluate("document.body.dataset.session").split(".")[0])
    requests.post(
        f"{stack.config.backend_url}/v1/tickets/{second_ticket['id']}/claim",
        json={"agent": "cleanup"},
        headers={"Authorization": f"Bearer {stack.config.admin_token}"},
        timeout=10,
    )
    first.context.close()
    second.context.close()
