"""History in real headless Chromium: "New conversation" asks first (in the page), and a returning customer on
the same browser finds earlier conversations, at most ten of them."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_browser_handoff import (  # noqa: F401 - browser is the module's fixture
    WAIT_MS,
    bot_says,
    browser,
    open_chat,
    send,
)
from tools.stack import Stack

pytestmark = pytest.mark.e2e


def test_new_conversation_asks_first_and_earlier_ones_stay_readable(
    stack: Stack,
    browser: Browser,  # noqa: F811 - the fixture imported above
) -> None:
    context = browser.new_context()
    chat = context.new_page()
    open_chat(chat, stack)
    expect(chat.get_by_test_id("history")).to_have_count(0)  # nothing earlier on a new browser
    send(chat, "where is my order")
    bot_says(chat, "order")
    first_session = chat.evaluate("document.body.dataset.session")

    # Asked first; keeping the conversation changes nothing and gives focus back to the button.
    dialog = chat.get_by_test_id("confirm-new")
    chat.get_by_test_id("new-conversation").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Start a new conversation? This one is kept under earlier conversations.")
    expect(chat.get_by_test_id("confirm-new-keep")).to_have_text("Keep chatting")
    chat.get_by_test_id("confirm-new-keep").click()
    expect(dialog).to_be_hidden()
    expect(chat.get_by_test_id("new-conversation")).to_be_focused()
    expect(chat.get_by_test_id("user-message").get_by_test_id("message-text")).to_have_text(
        ["where is my order"]
    )
    # Escape also keeps it.
    chat.get_by_test_id("new-conversation").press("Enter")
    expect(dialog).to_be_visible()
    chat.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert chat.evaluate("document.body.dataset.session") == first_session

    # Starting new: an empty conversation with the greeting, the old one under "Earlier conversations".
    chat.get_by_test_id("new-conversation").click()
    chat.get_by_test_id("confirm-new-start").click()
    expect(chat.get_by_test_id("user-message")).to_have_count(0)
    expect(chat.locator("form[data-ready='true']")).to_be_visible(timeout=WAIT_MS)
    assert chat.evaluate("document.body.dataset.session") != first_session
    history = chat.get_by_test_id("history")
    expect(history.locator("summary").first).to_have_text("Earlier conversations (1)")
    history.locator("summary").first.click()
    past = chat.get_by_test_id("past-conversation")
    expect(past).to_have_count(1)
    expect(past.locator("summary")).to_contain_text("Conversation from")
    past.locator("summary").click()
    past_messages = past.get_by_test_id("past-message")
    expect(
        past_messages.and_(past.locator("[data-author='user']")).get_by_test_id("message-text")
    ).to_have_text(["where is my order"])
    expect(past_messages.and_(past.locator("[data-author='bot']")).first).to_be_visible()

    # A returning customer (same browser, later visit): still there.
    chat.close()
    returning = context.new_page()
    open_chat(returning, stack)
    expect(returning.get_by_test_id("history").locator("summary").first).to_have_text(
        "Earlier conversations (1)"
    )

    # Bounded: with ten kept already, one more pushes the oldest out.
    many = [
        {"at": 1_700_000_000_000 + index, "entries": [{"author": "user", "text": f"old {index}"}]}
        for index in range(10)
    ]
    returning.evaluate(f"localStorage.setItem('frontdesk.history', {json.dumps(json.dumps(many))})")
    send(returning, "hello")
    bot_says(returning, "Frontdesk")
    returning.get_by_test_id("new-conversation").click()
    returning.get_by_test_id("confirm-new-start").click()
    expect(returning.get_by_test_id("history").locator("summary").first).to_have_text(
        "Earlier conversations (10)"
    )
    kept = json.loads(returning.evaluate("localStorage.getItem('frontdesk.history')"))
    assert len(kept) == 10
    assert [entry["text"] for entry in kept[0]["entries"] if entry["author"] == "user"] == ["hello"]
    assert "old 9" not in json.dumps(kept) and "old 0" in json.dumps(kept)
    context.close()
