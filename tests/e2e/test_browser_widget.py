"""The embeddable widget in real headless Chromium: a plain store page on another origin (another port) adds
the script tag; a customer opens the launcher with the keyboard, chats in the frame and closes it again."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from tests.e2e.test_browser_handoff import WAIT_MS, browser  # noqa: F401 - the module's browser fixture
from tools.stack import Stack, free_port

pytestmark = pytest.mark.e2e

STORE_COLOUR = "#fde047"  # a light yellow: the launcher must pick dark text for it


def host_page(webchat_url: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A store</title></head>
<body><h1>A store</h1><p><a href="#shoes">Shoes</a></p>
<script src="{webchat_url}/widget.js" data-title="Test Store help" data-color="{STORE_COLOUR}"
        data-greeting="Welcome to Test Store!"></script>
</body></html>"""


@pytest.fixture(scope="module")
def store_url(stack: Stack) -> Iterator[str]:
    """A store's page served from another port than the chat, so the frame is cross-origin."""
    body = host_page(stack.config.webchat_url).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join(timeout=10)


def tab_to(page: Page, test_id: str) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement?.dataset?.testid === {test_id!r}"):
            return
    raise AssertionError(f"Tab never reached {test_id}")


def test_the_widget_on_a_store_page_opens_by_keyboard_and_answers(
    stack: Stack,
    browser: Browser,  # noqa: F811 - the fixture imported above
    store_url: str,
) -> None:
    page = browser.new_context().new_page()
    page.goto(store_url)
    launcher = page.get_by_test_id("widget-launcher")
    expect(launcher).to_have_attribute("aria-label", "Open the support chat")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    # The chat is not loaded until asked for.
    expect(page.get_by_test_id("widget-frame")).to_have_count(0)
    assert launcher.evaluate("b => getComputedStyle(b).color") == "rgb(17, 17, 17)"  # dark on light yellow

    tab_to(page, "widget-launcher")
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(launcher).to_have_attribute("aria-label", "Close the support chat")
    frame_element = page.get_by_test_id("widget-frame")
    expect(frame_element).to_have_attribute("title", "Support chat")
    chat: FrameLocator = page.frame_locator("[data-testid='widget-frame']")
    expect(chat.locator("form[data-ready='true']")).to_be_visible(timeout=WAIT_MS)
    # The store's title and greeting; the bot's own greeting follows.
    expect(chat.locator("#chat-title")).to_have_text("Test Store help")
    expect(chat.get_by_test_id("store-greeting")).to_have_text("Welcome to Test Store!")
    expect(chat.get_by_test_id("bot-message").first).to_contain_text("Frontdesk", timeout=WAIT_MS)
    # Focus went into the frame's message field: the customer just types.
    expect(chat.get_by_test_id("chat-input")).to_be_focused()
    page.keyboard.type("where is my order")
    page.keyboard.press("Enter")
    expect(chat.get_by_test_id("user-message").last.get_by_test_id("message-text")).to_have_text(
        "where is my order"
    )
    expect(chat.get_by_test_id("bot-message")).to_have_count(2, timeout=WAIT_MS)
    expect(chat.get_by_test_id("bot-message").last).to_contain_text("order")

    # Escape inside the chat closes it and gives focus back to the launcher.
    page.keyboard.press("Escape")
    expect(frame_element).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    # Opened again: the same conversation, not a new one.
    page.keyboard.press("Enter")
    expect(chat.get_by_test_id("user-message").get_by_test_id("message-text")).to_have_text(
        ["where is my order"]
    )
    chat.get_by_test_id("close-widget").click()
    expect(frame_element).to_be_hidden()
    page.context.close()
