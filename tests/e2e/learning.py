"""What the learning-loop tests share: the model a Rasa server serves, waiting for a switch, a console page
signed in as a demo account."""

from __future__ import annotations

import time
from typing import Callable, Optional

import requests
from playwright.sync_api import Browser, Page, expect

from tools.stack import Stack


def served_model_id(stack: Stack, rasa_url: str = "") -> Optional[str]:
    """Rasa's model id now; None while it is busy loading a model (loading blocks its server)."""
    try:
        answer = requests.get(
            f"{rasa_url or stack.config.rasa_url}/status",
            params={"token": stack.config.rasa_api_token},
            timeout=10,
        )
    except requests.RequestException:
        return None
    return str(answer.json()["model_id"]) if answer.ok else None


def eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(1)


def console_page(browser: Browser, stack: Stack, username: str) -> Page:
    """A fresh browser context at 1280x800, signed in to the console as a demo account."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(stack.config.console_url)
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(stack.demo_passwords()[username])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("queue-view")).to_be_visible(timeout=30_000)
    return page
