"""Agent assist in real headless Chromium: a handed-over delivery question shows the delivery article and its
canonical answer as a draft; the agent inserts it, edits it in the reply box and sends it; the console records
that the reply started from that article's draft, with the edit distance between the draft and what was sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.console.assist_seed import open_handoff
from tests.console.test_suggestions_service import table_distance
from tests.e2e.helpers import admin_headers
from tests.e2e.test_browser_agent_tools import log_in
from tests.e2e.test_browser_handoff import WAIT_MS, browser  # noqa: F401 - browser is a fixture
from tests.e2e.test_browser_layout import serious_violations
from tools.stack import Stack

QUESTION = "How long does express delivery take once my order has shipped?"


def test_an_inserted_and_edited_kb_draft_is_recorded_with_its_edit_distance(
    stack: Stack,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    ticket_id = open_handoff(
        stack.config.backend_url, admin_headers(stack), ["Hi there", QUESTION], conversation=False
    )
    page = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    log_in(page, stack, "alice")
    page.goto(f"{stack.config.console_url}/#/tickets/{ticket_id}")
    assist = page.get_by_test_id("assist-panel")
    expect(assist.get_by_test_id("assist-status")).to_contain_text("Claim the conversation", timeout=WAIT_MS)
    page.get_by_test_id("claim").click()

    # The first question loads the encoder in the console: more patience than a click needs.
    article = assist.locator("[data-testid='assist-article'][data-article-id='delivery-times']")
    expect(article).to_be_visible(timeout=2 * WAIT_MS)
    draft = assist.locator("[data-testid='assist-draft'][data-kind='kb'][data-article-id='delivery-times']")
    expect(draft).to_be_visible()
    expect(draft.get_by_test_id("assist-draft-source")).to_contain_text("Delivery times")
    suggested = draft.get_by_test_id("assist-draft-text").text_content() or ""
    assert suggested.startswith("Standard delivery takes 3 to 5 business days")
    suggestion_id = int(draft.get_attribute("data-suggestion-id") or "0")
    page.screenshot(path=str(tmp_path / "assist-suggestions.png"), full_page=True)
    # With its articles and drafts shown, the panel has no serious accessibility violation (article links
    # beside plain text are underlined, not told apart by colour alone).
    assert serious_violations(page) == []

    reply = page.get_by_test_id("reply-input")
    draft.get_by_test_id("assist-insert").click()
    expect(reply).to_have_value(suggested)
    # The agent's own edits: a greeting before, a sentence struck at the end, a closing line.
    reply.press("Control+Home")
    reply.press_sequentially("Hello! ")
    reply.press("Control+End")
    for _ in range(len("https://shop.example.com/help/delivery")):
        reply.press("Backspace")
    reply.press_sequentially("Your lamp should be with you this week.")
    sent = reply.input_value().strip()
    assert sent != suggested
    page.screenshot(path=str(tmp_path / "assist-edited.png"), full_page=True)
    page.get_by_test_id("reply-send").click()
    expect(page.get_by_test_id("reply-status")).to_have_attribute("data-delivered", "stored", timeout=WAIT_MS)
    expect(reply).to_have_value("")

    usage = page.context.request.get(f"{stack.config.console_url}/api/tickets/{ticket_id}/suggestions/usage")
    assert usage.ok, usage.text()
    (recorded,) = usage.json()
    assert (recorded["suggestion_id"], recorded["kind"], recorded["article_id"]) == (
        suggestion_id,
        "kb",
        "delivery-times",
    )
    assert recorded["article_version"] >= 1
    # The distance the console recorded is the one between the draft and the text sent, computed here by the
    # full table: the greeting, the struck link and the added sentence.
    expected = table_distance(suggested, sent)
    assert expected >= len("Hello! ") and recorded["edit_distance"] == expected
    assert recorded["edit_rate"] == pytest.approx(expected / max(len(suggested), len(sent)))
    assert (recorded["suggestion_length"], recorded["sent_length"]) == (len(suggested), len(sent))

    # The reply went to the ticket (no live chat, no verified email): the draft's words as the agent sent them.
    ticket = page.context.request.get(f"{stack.config.console_url}/api/tickets/{ticket_id}").json()
    assert any("Your lamp should be with you this week." in line["text"] for line in ticket["transcript"])
    report = page.context.request.get(f"{stack.config.console_url}/api/suggestions/edit-rate").json()
    assert report["days"][-1]["used"] >= 1 and report["days"][-1]["shown"] >= 1
