"""A scripted corpus with known outcomes through the real stack (REST customers, agents through the console
API), read by the real consumer from Rasa's SQL event broker; the metrics must equal the values worked out
by hand below, and a redelivered copy of the stream must not change them."""

from __future__ import annotations

import re
import time
from typing import Callable, Dict, Iterator, List

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import func, insert, select

from analytics import service
from analytics.consumer import open_store
from analytics.definitions import DEFINITIONS, SETTLE_SECONDS
from analytics.metrics import MetricSet, compute
from common.database import make_engine
from common.event_stream import broker_events
from common.paths import REPO_ROOT
from tests.e2e.helpers import Customer, console_agent, unique_email
from tests.e2e.test_browser_handoff import CHROMIUM, CHROMIUM_ARGS, WAIT_MS
from tests.e2e.test_conversations import low_confidence_messages
from tools.stack import Stack

pytestmark = pytest.mark.e2e
RESULTS = REPO_ROOT / "results"


def ticket_of(handed: str) -> int:
    found = re.search(r"ticket #(\d+)", handed)
    assert found, handed
    return int(found.group(1))


def play_corpus(stack: Stack) -> Dict[str, str]:
    """Plays every conversation; outcome -> conversation id. Covers a confirmed and an assumed resolution, an
    abandoned form, a greeting, and a handoff for each reason a customer's words can cause (user_requested,
    sensitive_topic, escalation_loop, verification_failed, low_confidence); backend_unavailable is
    tests/e2e/test_degrade_to_humans.py's, policy_exception needs a backend refusing what it should not."""
    console = f"{stack.config.console_url}/api/tickets"
    alice, bob = console_agent(stack, "alice"), console_agent(stack, "bob")
    played: Dict[str, str] = {}

    confirmed = Customer(stack)  # answered from the KB, then thanked: resolved, confirmed; rated 4
    assert "deliver" in confirmed.say_text("how long does delivery take?").lower()
    assert "how would you rate" in confirmed.say_text("thanks, that helps")
    assert "Thank you for the rating" in confirmed.say_text("4")
    played["confirmed"] = confirmed.sender

    assumed = Customer(stack)  # answered, never came back: resolved, assumed after 24 h
    assumed.say_text("do you ship to Norway?")
    played["assumed"] = assumed.sender

    abandoned = Customer(stack)  # the refund form asked for the order number; the customer left
    assert "order number" in abandoned.say_text("I want a refund").lower()
    played["abandoned"] = abandoned.sender

    greeting = Customer(stack)  # greeting only: not a bot conversation
    greeting.say_text("hi")
    played["greeting"] = greeting.sender

    # Asked for a person: alice claims, replies, resolves rating the bot's context 4; the customer rates 5.
    requested = Customer(stack)
    ticket = ticket_of(requested.say_text("I want to talk to a human"))
    assert alice.post(f"{console}/{ticket}/claim", timeout=30).ok
    assert alice.post(f"{console}/{ticket}/reply", json={"text": "Hi, Alice here."}, timeout=30).ok
    resolved = alice.post(
        f"{console}/{ticket}/resolve", json={"context_rating": 4, "note": "clear summary"}, timeout=60
    )
    assert resolved.ok, resolved.text
    assert "Thank you for the rating" in requested.say_text("5")
    played["user_requested"] = requested.sender

    # A sensitive topic: alice claims and puts it back, bob claims and resolves without a reply; rated 2.
    sensitive = Customer(stack)
    ticket = ticket_of(sensitive.say_text("someone hacked my account and ordered three phones with my card"))
    assert alice.post(f"{console}/{ticket}/claim", timeout=30).ok
    assert alice.post(f"{console}/{ticket}/unassign", timeout=30).ok
    assert bob.post(f"{console}/{ticket}/claim", timeout=30).ok
    assert bob.post(f"{console}/{ticket}/resolve", timeout=60).ok
    assert "Thank you for the rating" in sensitive.say_text("2")
    played["sensitive_topic"] = sensitive.sender

    unclear = low_confidence_messages(stack, 3)
    looped = Customer(stack)  # three unclear messages: handed over for escalation_loop, still in the queue
    for text in unclear[:2]:
        looped.say(text)
    assert "going round in circles" in looped.say_text(unclear[2])
    played["escalation_loop"] = looped.sender

    # Three wrong one-time codes in the password-reset form: handed over for verification_failed.
    unverified = Customer(stack)
    unverified.say_text("I forgot my password")
    unverified.say_text(unique_email())
    for _ in range(3):
        final = unverified.say_text("123456")
    assert "couldn't verify your identity" in final and "ticket #" in final, final
    played["verification_failed"] = unverified.sender

    unsure = Customer(stack)  # two unclear messages, then accepts the person offered: low_confidence
    unsure.say(unclear[0])
    unsure.say(unclear[1])
    assert "ticket #" in unsure.say_text("/request_human")
    played["low_confidence"] = unsure.sender
    return played


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the consumer did not catch up with the stream"
        time.sleep(0.5)


def test_corpus_metrics_equal_the_hand_worked_values(stack: Stack) -> None:
    played = play_corpus(stack)
    env = stack.env()
    stream = make_engine(env["EVENT_STREAM_URL"])
    sessions = open_store(env["ANALYTICS_DATABASE_URL"])

    def caught_up() -> bool:
        with stream.connect() as connection:
            newest = connection.execute(select(func.max(broker_events.c.id))).scalar() or 0
        with sessions() as db_session:
            return service.position(env["EVENT_STREAM_URL"], db_session=db_session) >= newest

    def metrics() -> MetricSet:
        with sessions() as db_session:
            facts = service.conversation_facts(db_session=db_session, conversation_ids=list(played.values()))
        return compute(facts, as_of=time.time() + SETTLE_SECONDS + 3600)

    wait_until(caught_up)
    computed = metrics()
    share = {key: (value.numerator, value.denominator) for key, value in computed.proportions.items()}
    # Bot conversations: everything but the greeting = 8; handed over: the last five.
    assert computed.conversations == 8
    assert share["containment"] == (3, 8)
    assert share["escalation"] == (5, 8)
    assert computed.handoff_reasons == {
        "user_requested": 1,
        "sensitive_topic": 1,
        "escalation_loop": 1,
        "verification_failed": 1,
        "low_confidence": 1,
    }
    # Settled a day later: confirmed and assumed resolved; the refund form abandoned.
    assert share["resolution"] == (2, 8)
    assert share["abandonment"] == (1, 8)
    assert share["escalation_loops"] == (1, 8)
    # Asked to rephrase, then "I don't know": the loop and the low-confidence handoff (wrong codes are not
    # clarifications: the bot understood them).
    assert share["repeated_clarifications"] == (2, 8)
    # Customer messages: 3 (incl. the rating) + 1 + 1 + 2 (incl. the rating) + 2 + 3 + 5 + 3 = 20; unclear
    # outside a form: 3 + 2 (the email, the codes and the ratings are answers to a form, whatever NLU made of
    # them).
    assert share["fallback_rate"] == (5, 20)
    # Rated after a person: 5 (good) and 2 (bad); after the bot alone: 4 (good).
    assert share["csat_human"] == (1, 2) and share["csat_bot"] == (1, 1)
    assert share["handoff_quality"] == (1, 1)
    # Only alice's reply is a human first response; two handoffs were resolved (handle time), three wait.
    human_first = computed.durations["first_response_human"]
    assert (human_first.median.denominator, human_first.missing) == (1, 4)
    handle = computed.durations["handle_time"]
    assert (handle.median.denominator, handle.missing) == (2, 3)
    assert computed.durations["first_response_bot"].median.denominator == 8

    # A redelivery of every corpus event (the broker writes each again) changes nothing.
    with stream.begin() as connection:
        rows: List = connection.execute(
            select(broker_events.c.sender_id, broker_events.c.data).where(
                broker_events.c.sender_id.in_(list(played.values()))
            )
        ).all()
        connection.execute(insert(broker_events), [{"sender_id": r.sender_id, "data": r.data} for r in rows])
    corpus_ids = list(played.values())
    with sessions() as db_session:
        stored = len(service.events(db_session=db_session, conversation_ids=corpus_ids))
    wait_until(caught_up)
    with sessions() as db_session:
        assert len(service.events(db_session=db_session, conversation_ids=corpus_ids)) == stored
    assert metrics().proportions == computed.proportions


def test_the_dashboard_is_for_leads_and_admins_and_shows_the_store(stack: Stack) -> None:
    customer = Customer(stack)
    unclear = low_confidence_messages(stack, 1)[0]
    customer.say(unclear)
    assert "ticket #" in customer.say_text("I want to talk to a human")
    env = stack.env()
    sessions = open_store(env["ANALYTICS_DATABASE_URL"])

    def consumed() -> bool:
        with sessions() as db_session:
            facts = service.conversation_facts(db_session=db_session, conversation_ids=[customer.sender])
        return bool(facts) and facts[0].handed_off

    wait_until(consumed)
    url = f"{stack.config.console_url}/api/metrics"
    assert (
        console_agent(stack, "bob").get(url, timeout=30).status_code == 403
    )  # an agent without the lead role
    assert requests.get(url, timeout=30).status_code == 401
    board = console_agent(stack, "alice").get(url, timeout=60).json()  # an admin
    assert {each["key"] for each in board["definitions"]} >= {"containment", "resolution", "handle_time"}
    assert board["overall"]["conversations"] >= 1
    assert board["overall"]["handoff_reasons"]["user_requested"] >= 1
    assert unclear.lower() in {each["text"] for each in board["top_fallbacks"]}
    assert board["series"]["day"] and board["series"]["week"]
    assert any(model["conversations"] >= 1 for model in board["models"])


@pytest.fixture
def page() -> Iterator[Page]:
    """A page in Debian's headless Chromium, as tests/e2e/test_browser_handoff.py drives it."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched.new_page(viewport={"width": 1280, "height": 900})
        launched.close()


def test_the_dashboard_page_shows_the_metrics_in_a_browser(stack: Stack, page: Page) -> None:
    """Run after the corpus: an admin opens #/metrics in headless Chromium (screenshot in results/)."""
    page.goto(stack.config.console_url)
    page.get_by_test_id("login-username").fill("alice")
    page.get_by_test_id("login-password").fill(stack.demo_passwords()["alice"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-metrics")).to_be_visible(timeout=WAIT_MS)
    page.get_by_test_id("nav-metrics").click()
    expect(page.get_by_test_id("metric-card").first).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_test_id("metric-card")).to_have_count(len(DEFINITIONS))
    expect(page.locator("[data-testid=metrics-chart] svg polyline")).to_have_count(1)
    expect(page.get_by_test_id("metrics-reasons")).to_contain_text("user requested")
    expect(page.get_by_test_id("metrics-body")).not_to_contain_text("null")
    expect(page.get_by_test_id("metrics-by-channel")).to_contain_text("rest")
    page.get_by_test_id("metrics-period").select_option("week")
    expect(page.get_by_test_id("metrics-chart")).to_contain_text("by week")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "dashboard.png"), full_page=True)


def test_an_agent_rates_the_bots_handover_when_resolving_in_the_console(stack: Stack, page: Page) -> None:
    customer = Customer(stack)
    ticket = ticket_of(customer.say_text("I want to talk to a human"))
    page.goto(f"{stack.config.console_url}/#/tickets/{ticket}")
    page.get_by_test_id("login-username").fill("bob")
    page.get_by_test_id("login-password").fill(stack.demo_passwords()["bob"])
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("claim").click()
    expect(page.get_by_test_id("notice")).to_contain_text("You claimed", timeout=WAIT_MS)
    page.get_by_test_id("context-rating").select_option("2")
    page.get_by_test_id("context-note").fill("no order number in the summary")
    page.get_by_test_id("resolve").click()
    page.get_by_test_id("confirm-dialog").get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Conversation resolved", timeout=WAIT_MS)
    sessions = open_store(stack.env()["ANALYTICS_DATABASE_URL"])

    def rated() -> bool:
        with sessions() as db_session:
            facts = service.conversation_facts(db_session=db_session, conversation_ids=[customer.sender])
        return bool(facts) and facts[0].handoff_quality == 2

    wait_until(rated)
    with sessions() as db_session:
        notes = [
            event.text
            for event in service.events(db_session=db_session, conversation_ids=[customer.sender])
            if event.kind == "handoff_rated"
        ]
    assert notes == ["no order number in the summary"]
