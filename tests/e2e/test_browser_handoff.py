"""The whole handoff in real headless Chromium (Debian's /usr/bin/chromium): a customer in the web chat asks
for a person; an agent logs in to the console, sees the queue item with the transcript and the reason,
claims it and chats live; the agent resolves, the bot comes back and the customer's rating is stored."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.helpers import admin_headers
from tools.stack import Stack

pytestmark = pytest.mark.e2e
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: `make chromium` installs Debian's package (or set CHROMIUM)."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Callable[[Page, str], None]:
    def take(page: Page, name: str) -> None:
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)

    return take


def send(chat: Page, text: str) -> None:
    chat.get_by_test_id("chat-input").fill(text)
    chat.get_by_test_id("chat-send").click()


def bot_says(chat: Page, pattern: str) -> None:
    expect(chat.get_by_test_id("bot-message").filter(has_text=re.compile(pattern)).last).to_be_visible(
        timeout=WAIT_MS
    )


def open_chat(page: Page, stack: Stack) -> None:
    page.goto(stack.config.webchat_url)
    expect(page.locator("form[data-ready='true']")).to_be_visible(timeout=WAIT_MS)


def ticket_of(stack: Stack, conversation_id: str) -> dict:
    answer = requests.get(
        f"{stack.config.backend_url}/v1/tickets",
        params={"conversation_id": conversation_id, "category": "handoff"},
        headers=admin_headers(stack),
        timeout=10,
    )
    return answer.json()["items"][0]


def test_handoff_live_chat_resolve_and_rating_in_a_real_browser(
    stack: Stack, browser: Browser, screenshots: Callable[[Page, str], None]
) -> None:
    # The customer asks for a person in the web chat.
    chat = browser.new_context().new_page()
    open_chat(chat, stack)
    send(chat, "hello")
    bot_says(chat, "Frontdesk")
    send(chat, "I'd like to talk to a human please")
    bot_says(chat, r"ticket #\d+")
    session = chat.evaluate("document.body.dataset.session")
    conversation_id = session.split(".")[0]
    ticket_id = ticket_of(stack, conversation_id)["id"]

    # A reload keeps the conversation and the session.
    messages_before = chat.get_by_test_id("user-message").count() + chat.get_by_test_id("bot-message").count()
    chat.reload()
    expect(chat.locator("form[data-ready='true']")).to_be_visible(timeout=WAIT_MS)
    assert chat.evaluate("document.body.dataset.session") == session
    assert (
        chat.get_by_test_id("user-message").count() + chat.get_by_test_id("bot-message").count()
        == messages_before
    )
    expect(chat.get_by_test_id("user-message").first.get_by_test_id("message-text")).to_have_text("hello")
    screenshots(chat, "1-customer-asked-for-a-person")

    # Logged out, the console answers nothing.
    agent_context = browser.new_context()
    refused = agent_context.request.get(f"{stack.config.console_url}/api/queue")
    assert refused.status == 401
    console = agent_context.new_page()
    console.goto(stack.config.console_url)
    expect(console.get_by_test_id("login-username")).to_be_visible(timeout=WAIT_MS)
    expect(console.get_by_test_id("queue-row")).to_have_count(0)

    # The agent logs in and sees the item with its reason, then the transcript.
    password = stack.demo_passwords()["alice"]
    console.get_by_test_id("login-username").fill("alice")
    console.get_by_test_id("login-password").fill("not-the-password")
    console.get_by_test_id("login-submit").click()
    expect(console.get_by_test_id("login-error")).to_be_visible(timeout=WAIT_MS)
    console.get_by_test_id("login-password").fill(password)
    console.get_by_test_id("login-submit").click()
    row = console.locator(f"[data-testid='queue-row'][data-ticket-id='{ticket_id}']")
    expect(row).to_be_visible(timeout=WAIT_MS)
    expect(row.get_by_test_id("queue-reason")).to_have_attribute("data-reason", "user_requested")
    expect(row.get_by_test_id("queue-reason")).to_contain_text("Customer asked for a person")
    screenshots(console, "2-agent-queue")
    row.click()
    view = console.get_by_test_id("conversation-view")
    expect(view).to_have_attribute("data-ticket-id", str(ticket_id), timeout=WAIT_MS)
    transcript = console.get_by_test_id("transcript")
    expect(transcript).to_contain_text("I'd like to talk to a human please", timeout=WAIT_MS)
    expect(console.get_by_test_id("reason-badge")).to_contain_text("Customer asked for a person")
    # The summary is written for people; the intent names are folded away under "Technical details".
    expect(console.get_by_test_id("brief-description")).to_contain_text(
        "Handed over because the customer asked for a person"
    )
    expect(console.get_by_test_id("brief-goal")).to_have_text("Asked for a person")
    expect(console.get_by_test_id("last-intent")).to_be_hidden()
    expect(console.get_by_test_id("technical-details")).to_contain_text("request_human")

    # Claim: the customer is told who joined; the agent's reply reaches them live.
    console.get_by_test_id("claim").click()
    # Drawn as a line about the conversation, not as a message from Alice; the header says who is there.
    joined = chat.get_by_test_id("system-line").filter(
        has_text="Alice from our support team has joined the chat"
    )
    expect(joined).to_be_visible(timeout=WAIT_MS)
    expect(joined).to_have_attribute("data-notice", "agent_joined")
    expect(chat.get_by_test_id("bot-message").filter(has_text="has joined the chat")).to_have_count(0)
    expect(chat.get_by_test_id("chat-status")).to_have_text("Chatting with Alice")
    console.get_by_test_id("reply-input").fill("Hi, I'm Alice. What can I do for you?")
    console.get_by_test_id("reply-send").click()
    expect(console.get_by_test_id("reply-status")).to_contain_text("live", timeout=WAIT_MS)
    bot_says(chat, "Hi, I'm Alice. What can I do for you?")
    expect(chat.get_by_test_id("agent-name").last).to_have_text("Alice")  # a person wrote it, and who

    # The customer answers; the agent sees it live.
    send(chat, "My order 10043 has not arrived yet")
    expect(
        transcript.locator("[data-testid='message'][data-author='customer']").filter(
            has_text="10043 has not arrived"
        )
    ).to_be_visible(timeout=WAIT_MS)
    screenshots(console, "3-agent-live-chat")
    screenshots(chat, "4-customer-live-chat")

    # Resolve: the bot is back, asks if there is anything else and for a rating, which is stored.
    console.get_by_test_id("resolve").click()
    confirmation = console.get_by_test_id("confirm-dialog")
    expect(confirmation.get_by_test_id("confirm-message")).to_contain_text("goes back to the bot")
    confirmation.get_by_test_id("confirm-ok").click()
    bot_says(chat, "back with the Frontdesk assistant")
    expect(chat.get_by_test_id("chat-status")).to_have_text("Back with the assistant")
    bot_says(chat, "how would you rate")
    chat.get_by_test_id("quick-reply").filter(has_text="5 - Excellent").last.click()
    bot_says(chat, "Thank you for the rating")
    screenshots(chat, "5-customer-rated")
    deadline = time.monotonic() + 20
    while ticket_of(stack, conversation_id)["csat_rating"] is None and time.monotonic() < deadline:
        time.sleep(0.5)
    ticket = ticket_of(stack, conversation_id)
    assert ticket["csat_rating"] == 5 and ticket["status"] == "solved" and ticket["assignee"] == "alice"
    kept = [message["body"] for message in ticket["messages"]]
    assert "My order 10043 has not arrived yet" in kept  # the live part is on the ticket too


def test_a_made_up_session_id_gets_a_fresh_conversation_and_presence_needs_the_token(
    stack: Stack, browser: Browser
) -> None:
    chat = browser.new_context().new_page()
    open_chat(chat, stack)
    send(chat, "hello")
    bot_says(chat, "Frontdesk")
    genuine = chat.evaluate("document.body.dataset.session")
    sender = genuine.split(".")[0]
    presence = f"{stack.config.rasa_url}/webhooks/socketio/presence/{sender}"
    assert requests.get(presence, timeout=10).status_code == 403
    authorized = {"Authorization": f"Bearer {stack.config.rasa_api_token}"}
    assert requests.get(presence, headers=authorized, timeout=10).json() == {"connected": True}
    # Someone else's sender id with a forged signature: the server issues a new session instead.
    forged = sender + "." + "A" * 22
    chat.evaluate(f"localStorage.setItem('frontdesk.session', {forged!r})")
    chat.reload()
    expect(chat.locator("form[data-ready='true']")).to_be_visible(timeout=WAIT_MS)
    fresh = chat.evaluate("document.body.dataset.session")
    assert fresh not in (genuine, forged) and not fresh.startswith(sender)
    expect(chat.get_by_test_id("user-message")).to_have_count(0)
    chat.context.close()
    deadline = time.monotonic() + 10
    while (
        requests.get(presence, headers=authorized, timeout=10).json()["connected"]
        and time.monotonic() < deadline
    ):
        time.sleep(0.3)
    assert requests.get(presence, headers=authorized, timeout=10).json() == {"connected": False}
