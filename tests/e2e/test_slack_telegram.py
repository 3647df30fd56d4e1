"""Slack and Telegram end to end: the real Rasa server, action server, backend and console, with the local
Slack and Telegram peers (tests/peers/) delivering the platforms' exact webhooks and checking every API
call the bot makes. Each test runs once per platform.

Attacks and faults are counted in the attack ledger (tests/attacks.py) under `slack_*` and `telegram_*`.
"""

from __future__ import annotations

import re
import time
from typing import Callable, Dict, List

import pytest
import requests

from common.texts import Texts
from tests import attacks
from tests.e2e.helpers import active_form, backend_get, console_agent, latest_code, tracker
from tests.e2e.platforms import (
    PlatformCustomer,
    SlackCustomer,
    TelegramCustomer,
    peer_calls,
    turn_finished,
    user_events,
)
from tests.peers.processes import PlatformPeers
from tests.peers.slack import TEAM
from tests.support import Factory
from tools.stack import Stack

pytestmark = pytest.mark.e2e

PLATFORMS = ["slack", "telegram"]
# A refund reason full of each platform's markup: "<!channel>" would notify a Slack channel, and "." "*" "("
# "_" "!" make Telegram refuse MarkdownV2 that does not escape them.
MARKUP_REASON = "it arrived *scratched* (twice) <!channel> & the lid_clip broke. Sad!"


@pytest.fixture(params=PLATFORMS)
def new_customer(request: pytest.FixtureRequest, stack: Stack, platform_peers: PlatformPeers) -> Callable:
    def make() -> PlatformCustomer:
        if request.param == "slack":
            return SlackCustomer(stack, platform_peers)
        return TelegramCustomer(stack, platform_peers)

    return make


def platform_of(customer: PlatformCustomer) -> str:
    return "slack" if isinstance(customer, SlackCustomer) else "telegram"


# How many calls each peer had seen when the running test started: the peers serve the whole session, and
# other tests (tests/e2e/test_platform_limits.py) make them refuse things on purpose.
_CALLS_AT_START: Dict[str, int] = {}


@pytest.fixture(autouse=True)
def _count_calls_at_start(platform_peers: PlatformPeers) -> None:
    _CALLS_AT_START.update({platform: len(peer_calls(platform_peers, platform)) for platform in PLATFORMS})


def refused_calls(peers: PlatformPeers, platform: str) -> List[Dict]:
    """Calls the peer refused during this test, except failures the test injected on purpose."""
    calls = peer_calls(peers, platform)[_CALLS_AT_START.get(platform, 0) :]
    return [call for call in calls if not call["ok"] and not call.get("injected")]


def test_order_status_over_the_platform(
    new_customer: Callable, platform_peers: PlatformPeers, stack: Stack
) -> None:
    customer = new_customer()
    if isinstance(customer, TelegramCustomer):  # Telegram's Start button sends /start: a greeting
        assert "I'm Frontdesk" in customer.say_text("/start")
    assert "email" in customer.say_text("where is my order 10042?").lower()
    # Slack sends a typed email as <mailto:jane@example.com|jane@example.com>: the bot must read it as typed.
    answer = customer.say_text("jane@example.com")
    assert "Order 10042 was delivered on" in answer, answer
    assert tracker(stack, customer.sender)["latest_input_channel"] == platform_of(customer)
    assert refused_calls(platform_peers, platform_of(customer)) == []


def attack_confirmation(customer: PlatformCustomer) -> Dict[str, int]:
    """Forged, unsigned and replayed copies of the customer's "yes": each must be refused (401)."""
    platform = platform_of(customer)
    statuses: List[int] = []
    if isinstance(customer, SlackCustomer):
        statuses.append(customer.deliver("yes", signature="forged")["status"])
        statuses.append(customer.deliver("yes", signature="none")["status"])
        # A request captured 10 minutes ago, signature and all: outside the 5-minute replay window.
        statuses.append(customer.deliver("yes", age_seconds=600)["status"])
    else:
        statuses.append(customer.deliver("yes", secret="wrong")["status"])
        statuses.append(customer.deliver("yes", secret="none")["status"])
    bypasses = sum(status != 401 for status in statuses)
    attacks.record(f"{platform}_forged_or_replayed_webhook", attempts=len(statuses), bypasses=bypasses)
    return {"attempts": len(statuses), "bypasses": bypasses}


@pytest.mark.attack
def test_a_verified_refund_survives_retries_replays_and_forgeries(
    new_customer: Callable, platform_peers: PlatformPeers, stack: Stack, stack_people: Factory
) -> None:
    person = stack_people.customer([{"status": "delivered", "total_cents": 5990, "delivered_days_ago": 3}])
    order_id = person.order_ids[0]
    customer = new_customer()
    platform = platform_of(customer)
    customer.say_text(f"I want a refund for order {order_id}")
    asked = customer.say_text(f"my email is {person.email}")
    assert "6-digit code" in asked, asked
    # A Slack user or Telegram chat is not a verified customer: the code is still needed.
    assert "you're verified" in customer.say_text(latest_code(stack, person.email))

    # The amount, then the platform delivers the same message twice more (Slack retries, Telegram re-delivers).
    users_before = user_events(tracker(stack, customer.sender))
    first = customer.deliver("15.50")
    customer.wait_for_turn(users_before)
    if isinstance(customer, SlackCustomer):
        repeats = [
            customer.control("retry", delivery=first["delivery"], retry_num=1, reason="http_timeout"),
            customer.control("retry", delivery=first["delivery"], retry_num=2, reason="http_error"),
            customer.control("replay", delivery=first["delivery"]),  # within the window: a duplicate
        ]
    else:
        repeats = [customer.control("redeliver", update_id=first["update_id"]) for _ in range(3)]
    assert [r["status"] for r in repeats] == [200, 200, 200], repeats
    # The reason question was asked once: the repeats never became answers (they would be taken as the reason).
    assert "reason for the refund" in customer.quiet_replies(1.5)
    assert user_events(tracker(stack, customer.sender)) == users_before + 1
    if isinstance(customer, SlackCustomer):  # and Slack is told not to try again
        assert all(r["headers"].get("X-Slack-No-Retry") == "1" for r in repeats[:2]), repeats
    attacks.record(f"{platform}_duplicate_delivery", attempts=len(repeats), duplicates=0)

    confirm = customer.say_text(MARKUP_REASON)
    assert "refund 15.50 USD of the 59.90 USD" in confirm and MARKUP_REASON in confirm, confirm
    if isinstance(customer, SlackCustomer):
        raw = customer.messages()[-1]["text"]
        assert "<!channel>" not in raw and "&lt;!channel&gt;" in raw, raw

    counts = attack_confirmation(customer)
    assert counts["bypasses"] == 0
    assert backend_get(stack, "/v1/refunds", order_id=order_id)["total"] == 0
    assert user_events(tracker(stack, customer.sender)) == users_before + 2  # none of them reached NLU

    # The customer presses the platform's "Yes" button; the click is then delivered again.
    done = customer.click("Yes, refund it")
    assert "I've created refund #" in done, done
    # The policy link arrives whole (Telegram links a URL in the parsed text; Slack in its mrkdwn).
    assert "Refund policy: https://shop.example.com/help/refund-policy" in done, done
    if isinstance(customer, SlackCustomer):
        again = [customer.control("replay", delivery=customer.last["delivery"]) for _ in range(2)]
    else:
        state = requests.get(f"{platform_peers.telegram_url}/_peer/state", timeout=10).json()
        assert state["callbacks"] and all(state["callbacks"].values()), "a button press was not answered"
        again = [customer.control("redeliver", update_id=customer.last["update_id"]) for _ in range(2)]
    assert [r["status"] for r in again] == [200, 200], again
    attacks.record(f"{platform}_duplicate_delivery", attempts=len(again), duplicates=0)
    assert customer.quiet_replies(1.0) == ""
    refunds = backend_get(stack, "/v1/refunds", order_id=order_id)
    assert refunds["total"] == 1 and refunds["items"][0]["reason"] == MARKUP_REASON, refunds
    created = [m for m in customer.messages() if "I've created refund #" in customer.shown_text(m)]
    assert len(created) == 1
    assert refused_calls(platform_peers, platform) == []


@pytest.mark.attack
def test_an_edited_message_is_not_handled_twice(new_customer: Callable, stack: Stack) -> None:
    customer = new_customer()
    assert "email" in customer.say_text("where is my order 10043?").lower()
    before = user_events(tracker(stack, customer.sender))
    if isinstance(customer, SlackCustomer):
        original_ts = customer.messages()[0]["ts"]  # any ts will do for the peer; Slack names the original
        edit = customer.deliver("I want to talk to a human", kind="message_changed", original_ts=original_ts)
    else:
        first_message_id = 1  # the peer numbers messages; the edit names the customer's first one
        edit = customer.deliver(
            "I want to talk to a human", kind="edited_message", message_id=first_message_id
        )
    assert edit["status"] == 200, edit
    assert customer.quiet_replies(2.0) == ""
    assert user_events(tracker(stack, customer.sender)) == before
    attacks.record(f"{platform_of(customer)}_edited_message", attempts=1, duplicates=0)


def test_over_long_messages_are_refused_before_nlu(new_customer: Callable, stack: Stack) -> None:
    customer = new_customer()
    # Telegram clients send at most 4,096 characters; Slack up to 40,000 (a body over the REST channel's cap).
    answer = customer.deliver("refund " * (500 if isinstance(customer, TelegramCustomer) else 3000))
    assert answer["status"] == 200
    assert "too long" in customer.quiet_replies(2.0).lower()
    assert user_events(tracker(stack, customer.sender)) == 0  # refused before NLU: nothing recorded


@pytest.mark.attack
def test_a_failing_platform_api_loses_neither_the_turn_nor_the_next_message(
    new_customer: Callable, stack: Stack
) -> None:
    customer = new_customer()
    slack = isinstance(customer, SlackCustomer)
    customer.control("fail", method="chat.postMessage" if slack else "sendMessage", times=1)
    answer = customer.deliver("where is my order 10042?")
    assert answer["status"] == 200, answer  # acknowledged at once, whatever happens next
    customer.wait_for_turn(0)  # the turn is kept although its reply was refused (rate limited)
    assert active_form(stack, customer.sender) == "order_status_form"
    assert customer.new_text() == ""
    assert "Order 10042 was delivered on" in customer.say_text("jane@example.com")
    attacks.record(f"{platform_of(customer)}_platform_api_failure", attempts=1, lost_handoffs=0)


@pytest.mark.attack
def test_a_flood_from_one_platform_user_hits_the_per_sender_limit(
    new_customer: Callable, stack: Stack
) -> None:
    customer = new_customer()
    refusal = Texts(["utter_rate_limited"])["utter_rate_limited"]
    # 24 messages at once: the platform gets its 200 for each, the guard lets 20 a minute through.
    statuses = [customer.deliver(f"hello, message {n}")["status"] for n in range(24)]
    assert set(statuses) == {200}, statuses
    deadline, shown = time.monotonic() + 90, []
    while time.monotonic() < deadline:
        shown += [customer.shown_text(m) for m in customer.new_messages()]
        conversation = tracker(stack, customer.sender)
        if shown.count(refusal) >= 4 and turn_finished(conversation, 19):
            break
        time.sleep(0.5)
    handled = user_events(tracker(stack, customer.sender))
    assert shown.count(refusal) == 4 and handled == 20, (shown.count(refusal), handled)
    attacks.record(f"{platform_of(customer)}_message_flood", attempts=24, bypasses=handled - 20)


def test_handoff_agent_reply_customer_answer_and_csat_buttons(
    new_customer: Callable, platform_peers: PlatformPeers, stack: Stack
) -> None:
    customer = new_customer()
    platform = platform_of(customer)
    # Acknowledged first, handled afterwards: the 200 is back before the bot has said anything.
    acknowledged = customer.deliver("I want to talk to a human")
    assert acknowledged["status"] == 200 and customer.messages() == [], acknowledged
    customer.wait_for_turn(0)
    handed = customer.new_text()
    ticket_id = int(re.search(r"ticket #(\d+)", handed).group(1))
    console = f"{stack.config.console_url}/api/tickets/{ticket_id}"
    agent = console_agent(stack, "alice")
    view = agent.get(console, timeout=30).json()
    assert view["channel"]["name"] == platform and view["channel"]["identity"].startswith(
        f"{platform}:"
    ), view
    assert agent.post(f"{console}/claim", timeout=30).ok
    assert "Alice from our support team has joined" in customer.quiet_replies(1.0)

    # The platform refuses the first reply (rate limited): the console is told, the reply is kept on the ticket.
    customer.control("fail", method="chat.postMessage" if platform == "slack" else "sendMessage", times=1)
    refused = agent.post(f"{console}/reply", json={"text": "Hello from Alice, one moment."}, timeout=30)
    assert refused.status_code == 201 and refused.json()["delivered"] in ("email", "stored"), refused.text
    assert customer.quiet_replies(0.5) == ""
    kept = backend_get(stack, f"/v1/tickets/{ticket_id}")["messages"]
    assert any(m["author"] == "agent" and "one moment" in m["body"] for m in kept), kept
    attacks.record(f"{platform}_platform_api_failure", attempts=1, lost_handoffs=0)

    sent = agent.post(
        f"{console}/reply", json={"text": "Hi, Alice here. What's the order number?"}, timeout=30
    )
    assert sent.json()["delivered"] == "live", sent.text
    assert "Alice here" in customer.quiet_replies(1.0)
    # The customer answers on the platform; the bot stays quiet and the agent sees the answer.
    assert customer.say_text("It is order 10042, thanks Alice") == ""
    live = agent.get(f"{console}/messages", timeout=30).json()
    assert any(m["author"] == "customer" and "thanks Alice" in m["text"] for m in live["messages"]), live
    assert live["paused"] is True

    assert agent.post(f"{console}/resolve", timeout=60).ok
    back = customer.quiet_replies(1.5)
    assert "You're back with the Frontdesk assistant" in back and "how would you rate" in back, back
    assert "Thank you for the rating" in customer.click("4 - Good")
    ticket = backend_get(stack, f"/v1/tickets/{ticket_id}")
    assert ticket["csat_rating"] == 4 and ticket["status"] == "solved", ticket
    assert refused_calls(platform_peers, platform) == []


def test_a_verified_customer_may_link_the_account_and_the_agent_sees_it(
    new_customer: Callable, stack: Stack, stack_people: Factory
) -> None:
    person = stack_people.customer([{"status": "delivered", "total_cents": 1000}], store_credit_cents=1200)
    # First on another account of the platform, the customer says no: nothing is linked.
    declining = new_customer()
    declining.say_text("what's my store credit?")
    declining.say_text(person.email)
    assert "note this" in declining.say_text(latest_code(stack, person.email))
    assert "Alright" in declining.click("No, thanks")
    assert backend_get(stack, f"/v1/customers/{person.id}/channel-links") == []

    customer = new_customer()
    platform = platform_of(customer)
    identity = (
        f"slack:{TEAM}:{customer.user}"
        if isinstance(customer, SlackCustomer)
        else f"telegram:{customer.chat_id}"
    )
    customer.say_text("what's my store credit?")
    customer.say_text(person.email)
    answer = customer.say_text(latest_code(stack, person.email))
    assert "Your store credit is 12.00 USD" in answer, answer
    assert f"note this {platform.capitalize()} account on your customer profile" in answer, answer
    assert backend_get(stack, f"/v1/customers/{person.id}/channel-links") == []  # nothing without a yes
    assert "now noted on your customer profile" in customer.click("Yes, note it")
    links = backend_get(stack, f"/v1/customers/{person.id}/channel-links")
    assert [(link["channel"], link["identity"]) for link in links] == [(platform, identity)], links

    handed = customer.say_text("I want to talk to a human")
    ticket_id = int(re.search(r"ticket #(\d+)", handed).group(1))
    view = (
        console_agent(stack, "alice")
        .get(f"{stack.config.console_url}/api/tickets/{ticket_id}", timeout=30)
        .json()
    )
    assert view["ticket"]["customer_verified"] is True
    assert [link["identity"] for link in view["customer"]["linked_accounts"]] == [identity], view["customer"]
    assert view["channel"] == {"name": platform, "identity": identity}
