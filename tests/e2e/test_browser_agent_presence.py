"""What the customer sees of the agent holding the conversation, in real headless Chromium: the typing indicator
while the agent writes in the console, "Delivered" then "Read" on the customer's messages to the agent, and a
picture the customer sent shown as a thumbnail in the agent's transcript."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
import requests
from playwright.sync_api import Browser, FilePayload, Locator, Page, expect

from tests.e2e.helpers import console_agent
from tests.e2e.test_browser_agent_tools import log_in
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


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A real PNG (the browser must decode it for the thumbnail to have a size)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def receipt_of(chat: Page, text: str) -> Locator:
    return chat.get_by_test_id("user-message").filter(has_text=text).get_by_test_id("message-receipt")


def test_typing_read_marks_and_a_picture_between_customer_and_agent(
    stack: Stack,
    browser: Browser,  # noqa: F811 - the fixture imported above
) -> None:
    chat = browser.new_context().new_page()
    open_chat(chat, stack)
    send(chat, "I'd like to talk to a human please")
    bot_says(chat, "ticket|team")
    conversation_id = chat.evaluate("document.body.dataset.session").split(".")[0]
    ticket_id = ticket_of(stack, conversation_id)["id"]
    # A message to the assistant (or to nobody yet) carries no mark.
    expect(chat.get_by_test_id("message-receipt")).to_have_count(0)

    alice = console_agent(stack, "alice")
    typing_url = f"{stack.config.console_url}/api/tickets/{ticket_id}/typing"
    assert alice.post(typing_url, timeout=10).status_code == 403  # not hers until she claims it
    assert alice.post(f"{stack.config.console_url}/api/tickets/{ticket_id}/claim", timeout=30).ok
    expect(chat.get_by_test_id("chat-status")).to_have_text("Chatting with Alice", timeout=WAIT_MS)
    assert console_agent(stack, "bob").post(typing_url, timeout=10).status_code == 403  # only the assignee
    # Rasa's signal route takes the console's word only (the Rasa API token), not a page's.
    forged = requests.post(
        f"{stack.config.rasa_url}/webhooks/socketio/signals/{conversation_id}",
        json={"kind": "read", "message_ids": ["m-forged-1"]},
        timeout=10,
    )
    assert forged.status_code == 403

    # Alice's console is not open on it yet: the server has the message, nobody has read it.
    send(chat, "The parcel arrived damaged")
    receipt = receipt_of(chat, "The parcel arrived damaged")
    expect(receipt).to_have_attribute("data-receipt", "delivered", timeout=WAIT_MS)
    expect(receipt).to_have_text("Delivered")

    # She opens the conversation: it is read.
    console = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(console, stack, "alice")
    console.goto(f"{stack.config.console_url}/#/tickets/{ticket_id}")
    expect(console.get_by_test_id("message").filter(has_text="The parcel arrived damaged")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(receipt).to_have_attribute("data-receipt", "read", timeout=WAIT_MS)
    expect(receipt).to_have_text("Read")
    # A reload keeps the mark.
    chat.reload()
    expect(chat.locator("form[data-ready='true']")).to_be_visible(timeout=WAIT_MS)
    expect(receipt_of(chat, "The parcel arrived damaged")).to_have_text("Read")

    # While she types, the customer sees it; her message ends it.
    typing = chat.get_by_test_id("typing")
    expect(typing).to_be_hidden()
    reply = console.get_by_test_id("reply-input")
    expect(reply).to_be_enabled(timeout=WAIT_MS)
    reply.press_sequentially("Sorry to hear that, could you send a photo?", delay=40)
    expect(typing).to_be_visible(timeout=WAIT_MS)
    expect(typing).to_have_text("Alice is typing…")
    reply.press("Enter")
    expect(chat.get_by_test_id("bot-message").filter(has_text="could you send a photo")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(typing).to_be_hidden(timeout=WAIT_MS)

    # The picture shows in her transcript as a thumbnail that opens the file, served to her session.
    chat.get_by_test_id("chat-attach").set_input_files(
        files=[FilePayload(name="damage.png", mimeType="image/png", buffer=tiny_png())]
    )
    preview = console.get_by_test_id("attachment-preview")
    expect(preview).to_be_visible(timeout=WAIT_MS)
    expect(preview).to_have_attribute("href", re.compile(r"^/api/attachments/[A-Za-z0-9_-]{22}$"))
    thumb = preview.get_by_test_id("attachment-thumb")
    expect(thumb).to_have_attribute("alt", "Picture from the customer: damage.png")
    expect(thumb).to_have_js_property("naturalWidth", 3)  # decoded: the console served the real file
    address = f"{stack.config.console_url}{preview.get_attribute('href')}"
    assert requests.get(address, timeout=10).status_code == 401

    # A message sent while her console shows the conversation is read without her doing anything.
    send(chat, "Here it is")
    expect(receipt_of(chat, "Here it is")).to_have_attribute("data-receipt", "read", timeout=WAIT_MS)

    # Tidy up: nobody else's test should find this one in the queue.
    alice.post(f"{stack.config.console_url}/api/tickets/{ticket_id}/resolve", json={}, timeout=30)
    chat.context.close()
    console.context.close()
