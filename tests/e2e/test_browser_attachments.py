"""Attachments in real headless Chromium: after a handoff the customer sends a picture; the conversation names it
with the console address; only a logged-in agent gets the file. Files that are not what they claim, too big, or
sent before a person is involved are refused with domain.yml's sentences."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Browser, expect

from tests.audit.test_tickets import console_login
from tests.e2e.helpers import WebChatCustomer, tracker
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

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def upload_url(stack: Stack) -> str:
    return f"{stack.config.rasa_url}/webhooks/socketio/attachments"


def test_a_picture_reaches_logged_in_agents_only(
    stack: Stack,
    browser: Browser,  # noqa: F811 - the fixture imported above
) -> None:
    chat = browser.new_context().new_page()
    open_chat(chat, stack)
    expect(chat.get_by_test_id("chat-attach-label")).to_be_hidden()  # the assistant reads no files
    send(chat, "I'd like to talk to a human please")
    bot_says(chat, "ticket|team")
    expect(chat.get_by_test_id("chat-attach-label")).to_be_visible(timeout=WAIT_MS)
    expect(chat.get_by_test_id("chat-attach")).to_have_attribute("aria-label", "Attach a picture or PDF")

    chat.get_by_test_id("chat-attach").set_input_files(
        files=[{"name": "parcel.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(chat.get_by_test_id("user-message").last.get_by_test_id("message-text")).to_have_text("parcel.png")
    # Named by its extension as a picture, but text: refused by content.
    chat.get_by_test_id("chat-attach").set_input_files(
        files=[{"name": "fake.png", "mimeType": "image/png", "buffer": b"not a picture at all"}]
    )
    refused = chat.locator("[data-testid='system-line'][data-notice='attachment_refused']")
    expect(refused).to_have_text("Only pictures (PNG, JPEG, GIF, WebP) and PDF files can be sent.")
    chat.get_by_test_id("chat-attach").set_input_files(
        files=[{"name": "huge.png", "mimeType": "image/png", "buffer": PNG + b"\x00" * 200_000}]
    )
    expect(refused.last).to_have_text("That file is too big: files up to 0.2 MB can be sent.")

    # The conversation names the file and where agents open it.
    sender = chat.evaluate("document.body.dataset.session").split(".")[0]
    notes = [
        event
        for event in tracker(stack, sender)["events"]
        if event.get("event") == "user" and (event.get("metadata") or {}).get("attachment")
    ]
    assert len(notes) == 1, notes
    link = re.search(r"\((/api/attachments/[A-Za-z0-9_-]{22})\)$", notes[0]["text"])
    assert notes[0]["text"].startswith("Sent a file: parcel.png") and link
    address = f"{stack.config.console_url}{link.group(1)}"
    assert requests.get(address, timeout=10).status_code == 401  # not logged in
    served = console_login(stack, "alice").get(address, timeout=10)
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"

    # Tidy up: nobody else's test should find this one in the queue.
    ticket = ticket_of(stack, sender)
    requests.post(
        f"{stack.config.backend_url}/v1/tickets/{ticket['id']}/claim",
        json={"agent": "cleanup"},
        headers={"Authorization": f"Bearer {stack.config.admin_token}"},
        timeout=10,
    )
    chat.context.close()


def post_file(stack: Stack, session_id: str) -> requests.Response:
    return requests.post(
        upload_url(stack),
        data={"session_id": session_id},
        files={"file": ("parcel.png", PNG, "image/png")},
        timeout=10,
    )


def test_no_files_before_a_person_is_involved_nor_without_a_signed_session(stack: Stack) -> None:
    customer = WebChatCustomer(stack)
    answer = post_file(stack, customer.session_id)
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == (
        "Files can be sent once a person from our team has your conversation."
    )
    assert post_file(stack, customer.sender + "." + "A" * 22).status_code == 403  # a forged signature
    # The file as the raw body, not a form: nothing to read a session from.
    raw = requests.post(upload_url(stack), data=PNG, headers={"Content-Type": "image/png"}, timeout=10)
    assert raw.status_code == 403
    customer.client.disconnect()
