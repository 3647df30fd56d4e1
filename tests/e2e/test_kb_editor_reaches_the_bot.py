"""End to end, the governed path from the console's editor to the running bot (the whole stack, no restart):
a trainer writes a new article and submits it; the bot does not use the draft; the trainer cannot publish
her own change; an approver publishes it and the bot answers from it with its citation and version; once
retired, the bot answers from it no more."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Callable, Dict

import pytest
import requests

from tests.e2e.helpers import Customer, console_agent, tracker
from tools.stack import Stack

pytestmark = pytest.mark.e2e

# The action server looks at KB_PUBLISHED_DIR every KB_REFRESH_SECONDS (5 by default).
PATIENCE_SECONDS = 40
QUESTION = "how do loyalty buttons work, how many loyalty buttons do I need for a free tote bag?"
ANSWER = "Every order earns one loyalty button, and eight loyalty buttons give you a free tote bag."


def step(person: requests.Session, stack: Stack, name: str, version: int) -> requests.Response:
    return person.post(
        f"{stack.config.console_url}/api/kb/articles/loyalty-buttons/{name}",
        json={"expected_version": version, "note": "end-to-end test"},
        timeout=30,
    )


def reply_until(stack: Stack, done: Callable[[str], bool]) -> Dict[str, str]:
    """Ask until the running bot's reply satisfies `done` (it picks up published files within seconds)."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while True:
        customer = Customer(stack)
        reply = customer.say_text(QUESTION)
        if done(reply) or time.monotonic() > deadline:
            return {"reply": reply, "sender": customer.sender}
        time.sleep(2)


def test_an_article_published_in_the_editor_is_answered_by_the_running_bot(stack: Stack) -> None:
    tara, vera = console_agent(stack, "tara"), console_agent(stack, "vera")
    created = tara.post(
        f"{stack.config.console_url}/api/kb/articles",
        json={
            "id": "loyalty-buttons",
            "title": "Loyalty buttons",
            "tags": ["orders"],
            "owner": "support-team",
            "review_by": (date.today() + timedelta(days=90)).isoformat(),
            "url": "https://shop.example.com/help/loyalty-buttons",
            "body": f"{ANSWER}\n\nLoyalty buttons are shown in your account and never expire.",
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    assert step(tara, stack, "submit", 1).status_code == 200
    try:
        time.sleep(6)  # past the refresh interval: a draft is never written where the bot reads
        assert ANSWER not in Customer(stack).say_text(QUESTION)
        own = step(tara, stack, "publish", 1)
        assert (own.status_code, own.json()["error"]["code"]) == (403, "maker_checker")
        published = step(vera, stack, "publish", 1)
        assert published.status_code == 200, published.text
        seen = reply_until(stack, lambda reply: ANSWER in reply)
        assert ANSWER in seen["reply"] and "Source: Loyalty buttons" in seen["reply"], seen["reply"]
        slots = tracker(stack, seen["sender"])["slots"]
        assert (slots["kb_article_id"], slots["kb_article_version"]) == ("loyalty-buttons", "1")
    finally:  # the stack is shared: the article must not go on answering other tests' customers
        article = vera.get(f"{stack.config.console_url}/api/kb/articles/loyalty-buttons", timeout=30).json()
        if article.get("live_version"):
            retired = step(vera, stack, "retire", article["head_version"])
            assert retired.status_code == 200, retired.text
    gone = reply_until(stack, lambda reply: ANSWER not in reply)
    assert ANSWER not in gone["reply"], gone["reply"]
