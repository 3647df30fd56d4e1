"""The privacy scan's corpus: conversations through a real stack, over REST and the web chat, carrying
personal values nobody else uses (tests/e2e/privacy_personas.py), then the scan of every store (privacy/scan.py).

Twelve conversations: an order lookup, a verified refund, verified address changes (REST and web chat), a
balance verified by SMS, a complaint, a deletion request, a password reset, a payment problem, and two
handoffs to the console where an agent replies quoting the customer's details, adds a note, flags a bot answer
and (on REST) resolves; the web chat customer also sends a PDF. The one-time codes the backend sends and the
verification tokens it issues are known strings too (read back from its outbox and Rasa's tracker).

`make privacy-scan` runs `python -m tests.e2e.privacy_corpus`: a stack of its own in results/privacy-scan/var,
the corpus, the scan's table; exit status 1 when anything is found outside the allowed places. The scan can be
run again on that var dir without seeding:
    python -m privacy.scan --var-dir results/privacy-scan/var --strings results/privacy-scan/strings.json
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import requests

from common.paths import REPO_ROOT
from common.redaction import CODE, TOKEN
from privacy import scan
from privacy.scan_broker import BrokerTap
from tests.e2e.helpers import (
    Customer,
    WebChatCustomer,
    backend_get,
    console_agent,
    latest_code,
    tracker,
)
from tests.e2e.privacy_personas import KnownStrings, People, Persona
from tools.stack import Stack, StackConfig

RESULTS = REPO_ROOT / "results" / "privacy-scan"


def ticket_of(answer: str) -> int:
    found = re.search(r"ticket #(\d+)", answer)
    assert found, answer
    return int(found.group(1))


class Corpus:
    """Plays the conversations and remembers every personal value they put into the stack."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.known = KnownStrings()
        self.people = People(stack, self.known)
        self.personas: List[Persona] = []  # filled by play(), in play order

    def code_for(self, recipient: str) -> str:
        return self.known.add(CODE, latest_code(self.stack, recipient))

    def keep_tokens(self, sender: str) -> None:
        """The verification tokens the conversation was given (Rasa keeps them as a slot)."""
        for event in tracker(self.stack, sender)["events"]:
            if event.get("event") == "slot" and event.get("name") == "verification_token":
                self.known.add(TOKEN, event.get("value") or "")

    def expect(self, answer: str, *words: str) -> str:
        for word in words:
            assert word.lower() in answer.lower(), f"expected {word!r} in the bot's answer: {answer}"
        return answer

    # --- REST ---------------------------------------------------------------------------------------------
    def order_lookup(self, person: Persona) -> None:
        customer = Customer(self.stack)
        order = person.order_ids[0]
        self.expect(customer.say_text(f"Hi, this is {person.name}, where is my order {order}?"), "email")
        self.expect(customer.say_text(person.email), str(order))

    def refund(self, person: Persona) -> None:
        customer = Customer(self.stack)
        customer.say_text(f"I want a refund for order {person.order_ids[0]}")
        self.expect(customer.say_text(f"my email is {person.email}"), "code")
        self.expect(customer.say_text(self.code_for(person.email)), "verified")
        self.expect(customer.say_text("20.00"), "reason")
        reason = f"it arrived broken, please put it back on my card {person.card}"
        self.expect(customer.say_text(reason), "refund 20.00")
        self.expect(customer.say_text("yes"), "refund #")
        self.keep_tokens(customer.sender)

    def address_change(self, customer: Customer | WebChatCustomer, person: Persona) -> None:
        self.expect(customer.say_text("I want to change my address"), "email")
        self.expect(customer.say_text(person.email), "code")
        self.expect(customer.say_text(self.code_for(person.email)), "new address")
        street = self.people.new_street()
        self.expect(
            customer.say_text(f"{street}, Thistlewick, TW4 2HQ, United Kingdom"), "your address is now"
        )
        self.keep_tokens(customer.sender)

    def balance_by_sms(self, person: Persona) -> None:
        customer = Customer(self.stack)
        self.expect(customer.say_text("what is my account balance"), "phone")
        self.expect(customer.say_text(f"my phone number is {person.phone_as_typed}"), person.phone[-4:])
        self.expect(customer.say_text(self.code_for(person.phone)), "store credit")
        self.keep_tokens(customer.sender)

    def complaint(self, person: Persona) -> None:
        customer = Customer(self.stack)
        customer.say_text("I want to file a complaint")
        self.expect(customer.say_text(person.email), "what happened")
        details = (
            f"I am {person.name}. The courier left my parcel at the wrong house and then called me on "
            f"{person.phone_as_typed}; I paid by bank transfer from {person.iban} and want it back."
        )
        self.expect(customer.say_text(details), "ticket #")

    def deletion(self, person: Persona) -> None:
        customer = Customer(self.stack)
        self.expect(customer.say_text("please delete my account"), "email")
        self.expect(customer.say_text(person.email), "code")
        customer.say_text(self.code_for(person.email))
        self.expect(customer.say_text("yes"), "ticket #")
        self.keep_tokens(customer.sender)

    def password_reset(self, person: Persona) -> None:
        customer = Customer(self.stack)
        customer.say_text("I forgot my password")
        self.expect(customer.say_text(person.email), "code")
        self.expect(customer.say_text(self.code_for(person.email)), "reset")
        reset = backend_get(self.stack, "/v1/outbox", recipient=person.email, template="password_reset")
        for link in re.findall(r"token=([A-Za-z0-9_-]{20,})", reset["items"][0]["body"]):
            self.known.add(TOKEN, link)
        self.keep_tokens(customer.sender)

    def payment_problem(self, person: Persona) -> None:
        customer = Customer(self.stack)
        customer.say_text(f"my card {person.card} was declined when I paid")
        customer.say_text('/inform{"payment_problem": "declined"}')
        customer.say_text(person.email)
        self.expect(customer.say_text("84.50"), "ticket #")

    def rest_handoff(self, person: Persona) -> None:
        customer = Customer(self.stack)
        customer.say_text(f"hello, {person.name} here, my address is {person.address}")
        ticket = ticket_of(customer.say_text("I want to talk to a human"))
        agent = self.agent_takes(ticket, "alice", f"Hi {person.name}, I can see {person.street} on file.")
        customer.say_text(f"thanks, you can also reach me on {person.phone_as_typed}")
        resolved = agent.post(f"{self.console}/api/tickets/{ticket}/resolve", timeout=60)
        assert resolved.ok, resolved.text

    # --- web chat (socket.io) -----------------------------------------------------------------------------
    def webchat_order_lookup(self, person: Persona) -> None:
        customer = WebChatCustomer(self.stack)
        try:
            customer.say_text(f"I'm {person.name}, where is order {person.order_ids[0]}?")
            self.expect(customer.say_text(person.email), str(person.order_ids[0]))
        finally:
            customer.client.disconnect()

    def webchat_address_change(self, person: Persona) -> None:
        customer = WebChatCustomer(self.stack)
        try:
            self.address_change(customer, person)
        finally:
            customer.client.disconnect()

    def webchat_handoff(self, person: Persona) -> None:
        customer = WebChatCustomer(self.stack)
        try:
            customer.say_text(f"my name is {person.name} and my email is {person.email}")
            ticket = ticket_of(customer.say_text("can I talk to a real person please"))
            self.agent_takes(
                ticket, "bob", f"Hello {person.name}, is the card ending {person.card[-4:]} yours?"
            )
            customer.send(f"yes, the full number is {person.card} and my IBAN is {person.iban}")
            self.upload(customer, person)
            customer.replies(first_within=5)
        finally:
            customer.client.disconnect()

    def upload(self, customer: WebChatCustomer, person: Persona) -> None:
        """A PDF "bank statement" with the customer's name and IBAN in it, as the chat page sends one."""
        text = f"Statement for {person.name}, IBAN {person.iban}"
        pdf = (
            b"%PDF-1.4\n1 0 obj << /Length 60 >> stream\nBT ("
            + text.encode()
            + b") Tj ET\nendstream\n%%EOF\n"
        )
        sent = requests.post(
            f"{self.stack.config.rasa_url}/webhooks/socketio/attachments",
            data={"session_id": customer.session_id},
            files={"file": ("statement.pdf", pdf, "application/pdf")},
            headers={"X-Real-IP": customer.address},
            timeout=30,
        )
        assert sent.ok, sent.text

    # --- the console --------------------------------------------------------------------------------------
    @property
    def console(self) -> str:
        return self.stack.config.console_url

    def agent_takes(self, ticket: int, username: str, reply: str) -> requests.Session:
        """Claim, reply, add a note, and flag a bot answer quoting the customer's first message."""
        agent = console_agent(self.stack, username)
        base = f"{self.console}/api/tickets/{ticket}"
        for step, body in [
            ("claim", None),
            ("reply", {"text": reply}),
            ("notes", {"body": f"Said: {reply}"}),
        ]:
            answer = agent.post(f"{base}/{step}", json=body, timeout=60)
            assert answer.ok, f"{step}: {answer.text}"
        messages = agent.get(f"{base}/messages", timeout=30).json()
        said = [
            item for item in messages["messages"] if item.get("author") == "customer" and item.get("text")
        ]
        flagged = agent.post(
            f"{self.console}/api/corrections",
            json={
                "ticket_id": ticket,
                "bot_text": "I'm not sure I understood.",
                "customer_text": said[0]["text"] if said else reply,
                "correction": f"Should have asked for a person at once ({reply})",
            },
            timeout=30,
        )
        assert flagged.status_code == 201, flagged.text
        return agent

    def play(self) -> KnownStrings:
        people = [self.people.persona() for _ in range(12)]
        self.personas = people
        self.order_lookup(people[0])
        self.refund(people[1])
        self.address_change(Customer(self.stack), people[2])
        self.balance_by_sms(people[3])
        self.complaint(people[4])
        self.deletion(people[5])
        self.password_reset(people[6])
        self.payment_problem(people[7])
        self.rest_handoff(people[8])
        self.webchat_order_lookup(people[9])
        self.webchat_address_change(people[10])
        self.webchat_handoff(people[11])
        return self.known


@dataclass
class Seeded:
    known: KnownStrings
    broker_messages: List[str]  # RabbitMQ's events, copied while the corpus played (empty on the SQL stream)
    # The people in play order: [1] refunded after verifying (a conversation linked to their account).
    personas: List[Persona]


def seed(stack: Stack, strings_file: Path) -> Seeded:
    """Play the corpus on a running stack; write the known strings (keep the file outside the var dir) and,
    when the stack's events go to RabbitMQ, the copies of them beside it."""
    stream_url = stack.env()["EVENT_STREAM_URL"]
    tap = BrokerTap(stream_url) if stream_url.startswith("amqp") else None
    if tap:
        tap.open()
    corpus = Corpus(stack)
    known = corpus.play()
    strings_file.parent.mkdir(parents=True, exist_ok=True)
    strings_file.write_text(json.dumps({"strings": known.as_json()}, indent=1))
    messages = tap.drain() if tap else []
    if tap:
        broker_file(strings_file).write_text(json.dumps(messages))
    return Seeded(known, messages, corpus.personas)


def broker_file(strings_file: Path) -> Path:
    return strings_file.with_name("broker-messages.json")


def main(argv: Optional[List[str]] = None) -> int:
    """A stack of its own, the corpus, the scan (make privacy-scan)."""
    var_dir = RESULTS / "var"
    shutil.rmtree(var_dir, ignore_errors=True)
    stack = Stack(
        StackConfig.isolated(
            var_dir,
            extra_env={"FRONTDESK_TRUST_PROXY": "true", "ATTACHMENTS_DIR": str(var_dir / "attachments")},
        )
    )
    print(f"Starting a stack in {var_dir} and playing the corpus", flush=True)
    stack.start(timeout=400)
    try:
        seeded = seed(stack, RESULTS / "strings.json")
    finally:
        stack.stop()  # the logs and databases are complete once every process has flushed and exited
    return scan.main(
        [
            "--var-dir",
            str(var_dir),
            "--strings",
            str(RESULTS / "strings.json"),
            "--json",
            str(RESULTS / "scan.json"),
            *(
                ["--broker-messages", str(broker_file(RESULTS / "strings.json"))]
                if seeded.broker_messages
                else []
            ),
            *(argv if argv is not None else sys.argv[1:]),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
