"""What end-to-end tests do to a running stack: chat over REST as a customer, read the backend and Rasa."""

from __future__ import annotations

import json
import queue
import re
import sqlite3
import uuid
from typing import Any, Dict, List, Optional

import requests
import socketio

from common.env import DEVELOPMENT_SECRETS
from privacy.keys import ConversationKeys, is_sealed, open_sealed, seal
from tools.stack import Stack


def new_rest_sender(stack: Stack, headers: Optional[Dict[str, str]] = None) -> str:
    """A sender id the REST channel signed for this conversation."""
    answer = requests.post(
        f"{stack.config.rasa_url}/webhooks/rest/session", headers=headers or {}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["sender"]


class Customer:
    """One chat session over the REST channel, as a customer's app would hold it."""

    def __init__(self, stack: Stack, *, address: Optional[str] = None) -> None:
        self.stack = stack
        # The e2e stack trusts X-Real-IP as it would behind nginx: each customer has an address of its own.
        self.address = address or random_address()
        self.headers = {"X-Real-IP": self.address}
        self.wire_id = new_rest_sender(stack, self.headers)
        self.sender = self.wire_id.split(".", 1)[0]

    def post(self, message: str, **extra: Any) -> requests.Response:
        return requests.post(
            f"{self.stack.config.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.wire_id, "message": message, **extra},
            headers=self.headers,
            timeout=60,
        )

    def say(self, message: str, **extra: Any) -> List[Dict]:
        response = self.post(message, **extra)
        response.raise_for_status()
        return response.json()

    def say_text(self, message: str, **extra: Any) -> str:
        return "\n".join(reply.get("text", "") for reply in self.say(message, **extra))


def random_address() -> str:
    """An address in 198.18.0.0/15, the range set aside for tests of network devices."""
    value = uuid.uuid4().int
    return f"198.{18 + value % 2}.{(value >> 8) % 256}.{(value >> 16) % 254 + 1}"


def admin_headers(stack: Stack) -> Dict[str, str]:
    return {"Authorization": f"Bearer {stack.config.admin_token}"}


def backend_get(stack: Stack, path: str, **params: Any) -> Dict:
    """Read the backend with the stack's admin credential (the tests' view, not a service's)."""
    response = requests.get(
        f"{stack.config.backend_url}{path}", params=params, headers=admin_headers(stack), timeout=10
    )
    response.raise_for_status()
    return response.json()


def latest_code(stack: Stack, recipient: str) -> str:
    """The one-time code the backend just "sent" (read from its development outbox)."""
    items = backend_get(stack, "/v1/outbox", recipient=recipient, template="verification_code")["items"]
    return re.search(r"\b(\d{6})\b", items[0]["body"]).group(1)


def tracker(stack: Stack, sender: str) -> Dict:
    """The conversation as Rasa's HTTP API returns it (the API needs the stack's token)."""
    answer = requests.get(
        f"{stack.config.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.config.rasa_api_token, "include_events": "ALL"},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()


def unique_email() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}@example.org"


class WebChatCustomer:
    """A customer on the web chat: a socket.io client holding one server-signed session."""

    def __init__(
        self, stack: Stack, *, address: Optional[str] = None, session_id: Optional[str] = None
    ) -> None:
        self.address = address or random_address()
        self.received: queue.Queue[Dict] = queue.Queue()
        confirmed: queue.Queue[str] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.received.put)
        self.client.on("session_confirm", confirmed.put)
        self.client.on("session_refused", lambda data: confirmed.put(f"refused: {data['text']}"))
        self.client.connect(
            stack.config.rasa_url,
            transports=["polling"],
            socketio_path="/socket.io",
            headers={"X-Real-IP": self.address},
        )
        self.client.emit("session_request", {"session_id": session_id})
        self.session_id = confirmed.get(timeout=15)
        self.sender = self.session_id.split(".")[0]
        # A new chat opens with the bot's greeting; a resumed one (a reload) does not.
        self.greeting = (
            self.received.get(timeout=15).get("text", "") if self.session_id != session_id else None
        )

    def send(self, text: str, session_id: Optional[str] = None) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.session_id})

    def replies(self, first_within: float = 60, quiet_for: float = 1.5) -> List[str]:
        """Messages until the bot has been quiet for `quiet_for` seconds (none if nothing came in time)."""
        texts: List[str] = []
        deadline = first_within
        while True:
            try:
                texts.append(self.received.get(timeout=deadline).get("text", ""))
            except queue.Empty:
                return texts
            deadline = quiet_for

    def say_text(self, text: str) -> str:
        self.send(text)
        return "\n".join(self.replies())


def active_form(stack: Stack, sender: str) -> Optional[str]:
    """The form the conversation is in (None outside forms)."""
    return (tracker(stack, sender).get("active_loop") or {}).get("name")


def parse(stack: Stack, text: str) -> Dict:
    """What the served model makes of a message (Rasa's /model/parse)."""
    answer = requests.post(
        f"{stack.config.rasa_url}/model/parse",
        params={"token": stack.config.rasa_api_token},
        json={"text": text},
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()


def console_agent(stack: Stack, username: str) -> requests.Session:
    """A demo agent's logged-in session on the console's API."""
    session = requests.Session()
    answer = session.post(
        f"{stack.config.console_url}/api/login",
        json={"username": username, "password": stack.demo_passwords()[username]},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return session


def move_conversation_back(stack: Stack, sender: str, seconds: float) -> int:
    """Time passes for one conversation: its stored events are moved back, in the column Rasa orders by and
    in the sealed event Rasa reads (privacy/tracker_store.py); returns the rows moved."""
    env = stack.env()
    keys = ConversationKeys(env["CONVERSATION_KEYS_DB"], DEVELOPMENT_SECRETS["CONVERSATION_KEY_SECRET"])
    key = keys.key(sender, create=False)
    assert key is not None, f"conversation {sender} has no key"
    with sqlite3.connect(env["RASA_TRACKER_DB"]) as connection:
        rows = connection.execute("SELECT id, data FROM events WHERE sender_id = ?", (sender,)).fetchall()
        for row_id, data in rows:
            event = json.loads(open_sealed(key, sender, data) if is_sealed(data) else data)
            event["timestamp"] -= seconds
            connection.execute(
                "UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                (event["timestamp"], seal(key, sender, json.dumps(event)), row_id),
            )
    return len(rows)
