"""Customers on Slack and Telegram, as the end-to-end tests drive them through the local peers.

A customer writes through the peer (which formats, signs and delivers the platform's exact webhook), then
waits until Rasa has finished the turn (its tracker ends listening, or is paused) and reads what the bot
posted to the peer's API. Turns are awaited on the tracker, not on a quiet period, so the tests stay fast.
"""

from __future__ import annotations

import html
import random
import string
import time
from typing import Any, Dict, List, Optional

import requests

from tests.e2e.helpers import tracker
from tests.peers.processes import PlatformPeers
from tests.peers.slack import TEAM
from tools.stack import Stack


def user_events(conversation: Dict[str, Any]) -> int:
    return sum(1 for event in conversation.get("events", []) if event.get("event") == "user")


def turn_finished(conversation: Dict[str, Any], users_before: int) -> bool:
    if user_events(conversation) <= users_before:
        return False
    if conversation.get("paused"):
        return True
    events = conversation.get("events", [])
    return bool(events) and events[-1].get("event") == "action" and events[-1].get("name") == "action_listen"


class PlatformCustomer:
    """What Slack and Telegram customers share: send through the peer, wait for the turn, read replies."""

    sender: str

    def __init__(self, stack: Stack, peers: PlatformPeers) -> None:
        self.stack = stack
        self.peers = peers
        self.seen = 0
        self.last: Dict[str, Any] = {}

    def _users_so_far(self) -> int:
        try:
            return user_events(tracker(self.stack, self.sender))
        except requests.HTTPError:
            return 0

    def wait_for_turn(self, users_before: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if turn_finished(tracker(self.stack, self.sender), users_before):
                return
            time.sleep(0.2)
        raise AssertionError(f"{self.sender}: the bot did not finish the turn within {timeout:.0f} s")

    def messages(self) -> List[Dict[str, Any]]:
        raise NotImplementedError

    @staticmethod
    def shown_text(message: Dict[str, Any]) -> str:
        raise NotImplementedError

    def new_messages(self) -> List[Dict[str, Any]]:
        every = self.messages()
        fresh, self.seen = every[self.seen :], len(every)
        return fresh

    def new_text(self) -> str:
        return "\n".join(self.shown_text(message) for message in self.new_messages())

    def deliver(self, text: str, **spec: Any) -> Dict[str, Any]:
        raise NotImplementedError

    def say_text(self, text: str) -> str:
        """Send one message, wait until the bot has finished with it, return what it posted since."""
        before = self._users_so_far()
        answer = self.deliver(text)
        assert answer["status"] == 200, answer
        self.wait_for_turn(before)
        return self.new_text()

    def quiet_replies(self, seconds: float = 2.0) -> str:
        """What the bot posts within `seconds` (for messages that must not start a turn)."""
        time.sleep(seconds)
        return self.new_text()


def _slack_id(prefix: str) -> str:
    return prefix + "".join(random.choices(string.ascii_uppercase + string.digits, k=10))


class SlackCustomer(PlatformCustomer):
    """A Slack user writing to the bot in a direct message (or mentioning it in a channel)."""

    def __init__(self, stack: Stack, peers: PlatformPeers, *, channel: Optional[str] = None) -> None:
        super().__init__(stack, peers)
        self.user = _slack_id("U")
        self.channel = channel or "D" + self.user[1:]
        self.sender = f"slack-{TEAM}-{self.channel}-{self.user}"
        self.kind = "app_mention" if channel else "message.im"

    def deliver(self, text: str, **spec: Any) -> Dict[str, Any]:
        body = {"user": self.user, "channel": self.channel, "text": text, "kind": self.kind, **spec}
        return requests.post(f"{self.peers.slack_url}/_peer/send", json=body, timeout=60).json()

    def control(self, route: str, **body: Any) -> Dict[str, Any]:
        return requests.post(f"{self.peers.slack_url}/_peer/{route}", json=body, timeout=60).json()

    def click(self, title: str) -> str:
        before = self._users_so_far()
        answer = self.last = self.control("click", user=self.user, channel=self.channel, title=title)
        assert answer.get("status") == 200, answer
        self.wait_for_turn(before)
        return self.new_text()

    def messages(self) -> List[Dict[str, Any]]:
        answer = requests.get(
            f"{self.peers.slack_url}/_peer/messages", params={"channel": self.channel}, timeout=10
        )
        return answer.json()

    @staticmethod
    def shown_text(message: Dict[str, Any]) -> str:
        # Slack shows &lt; &gt; &amp; as the characters; the escaped form is what was sent.
        return html.unescape(message["text"])


class TelegramCustomer(PlatformCustomer):
    """A Telegram user in a private chat with the bot."""

    def __init__(self, stack: Stack, peers: PlatformPeers) -> None:
        super().__init__(stack, peers)
        self.chat_id = random.randint(10**9, 9 * 10**9)
        self.sender = f"tg-{self.chat_id}"

    def control(self, route: str, **body: Any) -> Dict[str, Any]:
        return requests.post(f"{self.peers.telegram_url}/_peer/{route}", json=body, timeout=60).json()

    def deliver(self, text: str, **spec: Any) -> Dict[str, Any]:
        return self.control("send", chat_id=self.chat_id, text=text, **spec)

    def click(self, title: str) -> str:
        before = self._users_so_far()
        answer = self.last = self.control("send", chat_id=self.chat_id, kind="callback_query", button=title)
        assert answer.get("status") == 200, answer
        self.wait_for_turn(before)
        return self.new_text()

    def messages(self) -> List[Dict[str, Any]]:
        answer = requests.get(
            f"{self.peers.telegram_url}/_peer/messages", params={"chat_id": str(self.chat_id)}, timeout=10
        )
        return answer.json()

    @staticmethod
    def shown_text(message: Dict[str, Any]) -> str:
        return str(message["text"])  # the peer parsed MarkdownV2 as Telegram does: what the customer sees


def peer_calls(peers: PlatformPeers, platform: str) -> List[Dict[str, Any]]:
    """Every API call the bot made to a peer, with the peer's verdict."""
    if platform == "slack":
        return requests.get(f"{peers.slack_url}/_peer/calls", timeout=10).json()
    return requests.get(f"{peers.telegram_url}/_peer/state", timeout=10).json()["calls"]
