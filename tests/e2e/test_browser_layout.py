"""The web chat on a phone (390×844) and its accessibility, in real headless Chromium: the header stays on its
rows without wrapping, also with the longest status (the place in the queue); axe-core (npm, pinned in
package-lock.json) finds no serious or critical violation on the full page, its dialog, the widget's launcher
on a store page and the chat in the widget's frame."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
import requests
from playwright.sync_api import Browser, Frame, Page, expect

from tests.e2e.test_browser_handoff import (  # noqa: F401 - browser is the module's fixture
    WAIT_MS,
    bot_says,
    browser,
    open_chat,
    send,
    ticket_of,
)
from tools.stack import REPO_ROOT, Stack

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_LINE = re.compile(r"^Waiting for a person \(number \d+ in line")


def one_line(page: Page, selector: str) -> Dict[str, Any]:
    """The element's box, line height and whether its text fits on one line without being cut."""
    return page.eval_on_selector(
        selector,
        """e => { const box = e.getBoundingClientRect(); const style = getComputedStyle(e);
                  return { top: box.top, bottom: box.bottom, height: box.height,
                           lineHeight: parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.45,
                           cut: e.scrollWidth > e.clientWidth }; }""",
    )


def serious_violations(target: Page | Frame) -> List[str]:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (make eslint does).")
    target.add_script_tag(content=AXE.read_text())
    results = target.evaluate("async () => await axe.run(document, { iframes: false })")
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def shoot(tmp_path: Path) -> Callable[[Page, str], None]:
    def take(page: Page, name: str) -> None:
        page.screenshot(path=str(tmp_path / f"{name}.png"))

    return take


def test_on_a_phone_the_header_does_not_wrap_even_while_waiting(
    stack: Stack,
    browser: Browser,  # noqa: F811 - the fixture imported above
    shoot: Callable[[Page, str], None],
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    chat = context.new_page()
    open_chat(chat, stack)
    send(chat, "I'd like to talk to a human please")
    bot_says(chat, "ticket|team")
    # The longest status the header shows.
    expect(chat.get_by_test_id("chat-status")).to_have_text(IN_LINE, timeout=WAIT_MS)
    shoot(chat, "phone-waiting")
    title, status = one_line(chat, "#chat-title"), one_line(chat, "#chat-status")
    new, actions = one_line(chat, "#new-conversation"), one_line(chat, ".chat__actions")
    for name, box in {"title": title, "status": status, "new conversation": new}.items():
        assert box["height"] < 1.6 * box["lineHeight"], (name, box)  # one line
    assert not status["cut"], status  # the place in the queue is readable, not cut off
    assert actions["top"] < title["bottom"] and actions["bottom"] > title["top"], (actions, title)  # one row
    width = chat.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width  # nothing sticks out sideways
    # Tidy up: nobody else's test should find this one in the queue.
    ticket = ticket_of(stack, chat.evaluate("document.body.dataset.session").split(".")[0])
    requests.post(
        f"{stack.config.backend_url}/v1/tickets/{ticket['id']}/claim",
        json={"agent": "cleanup"},
        headers={"Authorization": f"Bearer {stack.config.admin_token}"},
        timeout=10,
    )
    context.close()


def test_axe_finds_no_serious_violations_on_the_page_and_the_widget(
    stack: Stack,
    browser: Browser,  # noqa: F811 - the fixture imported above
    shoot: Callable[[Page, str], None],
) -> None:
    # Bypassing CSP only so axe's script can be injected (the page allows no inline scripts).
    context = browser.new_context(bypass_csp=True)
    chat = context.new_page()
    # The check is not vacuous: a low-contrast paragraph is found.
    chat.set_content(
        '<html lang="en"><title>t</title><main><p style="color:#aaa;background:#fff">faint</p></main></html>'
    )
    assert any(found.startswith("color-contrast") for found in serious_violations(chat))
    open_chat(chat, stack)
    send(chat, "where is my order")
    bot_says(chat, "order")
    assert serious_violations(chat) == []
    chat.get_by_test_id("new-conversation").click()
    expect(chat.get_by_test_id("confirm-new")).to_be_visible()
    assert serious_violations(chat) == []
    chat.get_by_test_id("confirm-new-start").click()
    expect(chat.get_by_test_id("history")).to_be_visible()
    chat.get_by_test_id("history").locator("summary").first.click()
    assert serious_violations(chat) == []
    shoot(chat, "desktop-history")

    store = context.new_page()
    store.goto(f"{stack.config.webchat_url}/demo-store.html")
    expect(store.get_by_test_id("widget-launcher")).to_be_visible()
    assert serious_violations(store) == []
    store.get_by_test_id("widget-launcher").click()
    expect(
        store.frame_locator("[data-testid='widget-frame']").locator("form[data-ready='true']")
    ).to_be_visible(timeout=WAIT_MS)
    frame = store.frame(url=lambda url: "/embed" in url)
    assert frame is not None
    assert serious_violations(frame) == []
    shoot(store, "demo-store-widget-open")
    context.close()


def test_on_a_phone_the_widget_fills_the_screen_and_closes(
    stack: Stack,
    browser: Browser,  # noqa: F811 - the fixture imported above
    shoot: Callable[[Page, str], None],
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    store = context.new_page()
    store.goto(f"{stack.config.webchat_url}/demo-store.html")
    launcher = store.get_by_test_id("widget-launcher")
    launcher.tap()
    chat = store.frame_locator("[data-testid='widget-frame']")
    expect(chat.locator("form[data-ready='true']")).to_be_visible(timeout=WAIT_MS)
    box = store.get_by_test_id("widget-frame").bounding_box()
    assert box == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}, box
    expect(launcher).to_be_hidden()  # it would cover the send button; the chat's own close button is there
    expect(chat.locator("#chat-title")).to_have_text("Acme Outdoor")
    shoot(store, "phone-widget-open")
    chat.get_by_test_id("close-widget").tap()
    expect(store.get_by_test_id("widget-frame")).to_be_hidden()
    expect(launcher).to_be_visible()
    context.close()
