"""Scripted customers for the failover benchmark (bench/failover.py), talking to nginx over REST.

Each conversation is one customer: its own sender, its own source address (127.a.b.1: nginx's ip_hash keys
on the first three octets, so conversations spread over the replicas as customers' addresses would) and
its own backend customer for refunds. A message that gets no answer (a 5xx from nginx, a dropped
connection, or an empty reply) is sent again with the same sender and the same `message_id` (the REST
channel passes it to the actions' idempotency keys) until it is answered or RETRY_WINDOW_SECONDS pass;
every attempt is recorded with its times, status and texts.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Dict, List, Optional, Sequence

import aiohttp

RETRY_WINDOW_SECONDS = 180.0
BACKOFF_SECONDS = (0.5, 1.0, 2.0)
REQUEST_TIMEOUT_SECONDS = 150.0
REFUND_AMOUNT = "12.50"
# The seeded demo customer's orders: order status needs no code, so these conversations reuse them.
STATUS_ORDERS = ((10042, "jane@example.com"), (10043, "jane@example.com"), (10050, "omar@example.com"))


@dataclass
class Attempt:
    started: float
    ended: float
    status: int  # 0: no HTTP answer (connection refused or reset, timeout)
    texts: List[str]
    error: str = ""

    @property
    def answered(self) -> bool:
        return self.status == 200 and bool(self.texts)


@dataclass
class SentMessage:
    text: str
    message_id: str
    attempts: List[Attempt] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].answered

    @property
    def retries(self) -> int:
        return max(len(self.attempts) - 1, 0)


@dataclass
class RefundCustomer:
    email: str
    order_id: int


@dataclass
class Conversation:
    number: int
    kind: str  # "refund" or "status"
    address: str
    sender: str
    order_id: int
    email: str
    messages: List[SentMessage] = field(default_factory=list)
    told_refund_ids: List[int] = field(default_factory=list)
    unexpected: Optional[str] = None
    lost: bool = False
    finished: bool = False

    @property
    def tracker_id(self) -> str:
        return f"api-{self.sender}"  # the REST channel's namespace for integrations

    def attempts(self) -> List[Attempt]:
        return [attempt for message in self.messages for attempt in message.attempts]

    def received_texts(self) -> List[str]:
        """Every bot text the customer was shown (a partial answer before a resend included)."""
        return [text for attempt in self.attempts() if attempt.status == 200 for text in attempt.texts]


class Unexpected(Exception):
    """The bot answered, but not what the script expects: the conversation stops there."""


class Endpoints:
    """Where the customers talk (nginx) and where the benchmark reads the backend (its admin credential)."""

    def __init__(self, public_url: str, rest_token: str, backend_url: str, admin_token: str) -> None:
        self.webhook = f"{public_url}/webhooks/rest/webhook"
        self.rest_headers = {"Authorization": f"Bearer {rest_token}"}
        self.backend_url = backend_url
        self.admin_headers = {"Authorization": f"Bearer {admin_token}"}


def source_address(number: int) -> str:
    """127.a.b.1, a different first three octets for every conversation (a customer's own address)."""
    return f"127.{1 + number // 250}.{1 + number % 250}.1"


class Customer:
    def __init__(self, endpoints: Endpoints, conversation: Conversation) -> None:
        self.endpoints, self.conversation = endpoints, conversation
        connector = aiohttp.TCPConnector(local_addr=(conversation.address, 0))
        self.session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
        )

    async def close(self) -> None:
        await self.session.close()

    async def _attempt(self, message: SentMessage) -> Attempt:
        body = {"sender": self.conversation.sender, "message": message.text, "message_id": message.message_id}
        started = time.time()
        try:
            async with self.session.post(
                self.endpoints.webhook, json=body, headers=self.endpoints.rest_headers
            ) as response:
                replies = await response.json(content_type=None) if response.status == 200 else []
                texts = [reply.get("text", "") for reply in replies if isinstance(reply, dict)]
                return Attempt(started, time.time(), response.status, texts)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            return Attempt(started, time.time(), 0, [], exc.__class__.__name__)

    async def say(self, text: str, expected: Sequence[str]) -> str:
        """Send until answered (same message id), then check the answer; the joined texts."""
        message = SentMessage(text, uuid.uuid4().hex)
        self.conversation.messages.append(message)
        deadline = time.time() + RETRY_WINDOW_SECONDS
        for attempt_number in itertools.count():
            attempt = await self._attempt(message)
            message.attempts.append(attempt)
            if attempt.answered:
                break
            if time.time() > deadline:
                self.conversation.lost = True
                raise Unexpected(f"no answer to {text!r} after {len(message.attempts)} attempts")
            await asyncio.sleep(BACKOFF_SECONDS[min(attempt_number, len(BACKOFF_SECONDS) - 1)])
        answer = "\n".join(message.attempts[-1].texts)
        if not any(word.lower() in answer.lower() for word in expected):
            raise Unexpected(f"{text!r} -> {answer[:160]!r}")
        return answer

    async def latest_code(self) -> str:
        """The newest one-time code the backend "sent" to this customer (its development outbox)."""
        async with self.session.get(
            f"{self.endpoints.backend_url}/v1/outbox",
            params={"recipient": self.conversation.email, "template": "verification_code"},
            headers=self.endpoints.admin_headers,
        ) as response:
            items = (await response.json())["items"]
        found = re.search(r"\b(\d{6})\b", items[0]["body"]) if items else None
        if found is None:
            raise Unexpected("no verification code in the outbox")
        return found.group(1)


async def order_status(customer: Customer) -> None:
    conversation = customer.conversation
    await customer.say(f"where is my order {conversation.order_id}?", ["email"])
    await customer.say(conversation.email, [str(conversation.order_id)])


async def refund(customer: Customer) -> None:
    conversation = customer.conversation
    await customer.say(f"I want a refund for order {conversation.order_id}", ["email"])
    await customer.say(conversation.email, ["code"])
    await customer.say(await customer.latest_code(), ["verified"])
    await customer.say(REFUND_AMOUNT, ["reason"])
    await customer.say("it arrived damaged", [REFUND_AMOUNT])
    answer = await customer.say("yes", ["created refund #"])
    conversation.told_refund_ids.append(int(answer.split("refund #")[1].split()[0]))


SCRIPTS: Dict[str, Callable[[Customer], Awaitable[None]]] = {"status": order_status, "refund": refund}


class Load:
    """Conversations started back to back by `concurrency` workers until a deadline; refunds take the next
    unused backend customer (a code budget is per customer), order-status ones the demo orders."""

    def __init__(
        self, endpoints: Endpoints, refund_customers: List[RefundCustomer], first_number: int
    ) -> None:
        self.endpoints = endpoints
        self.refund_customers = list(refund_customers)
        self.numbers = itertools.count(first_number)
        self.conversations: List[Conversation] = []

    def _next(self) -> Conversation:
        number = next(self.numbers)
        sender = f"failover-{number}-{uuid.uuid4().hex[:8]}"
        if number % 2 == 0 and self.refund_customers:
            person = self.refund_customers.pop()
            return Conversation(
                number, "refund", source_address(number), sender, person.order_id, person.email
            )
        order_id, email = STATUS_ORDERS[number % len(STATUS_ORDERS)]
        return Conversation(number, "status", source_address(number), sender, order_id, email)

    async def _one(self, conversation: Conversation) -> None:
        customer = Customer(self.endpoints, conversation)
        try:
            await SCRIPTS[conversation.kind](customer)
            conversation.finished = True
        except Unexpected as exc:
            conversation.unexpected = str(exc)
        finally:
            await customer.close()

    async def run(self, concurrency: int, seconds: float) -> None:
        """Start conversations until `seconds` have passed; the ones under way finish."""
        stop_starting = time.time() + seconds

        async def worker() -> None:
            while time.time() < stop_starting:
                conversation = self._next()
                self.conversations.append(conversation)
                await self._one(conversation)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
