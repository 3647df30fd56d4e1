"""Attacks through the customer channels (finding 1): hijacking a conversation over REST, replaying a signed
web chat id from another address, session fixation, and hostile bodies on the public channel routes."""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests import attacks
from tests.e2e.helpers import Customer, WebChatCustomer, latest_code, new_rest_sender, random_address, tracker
from tests.support import Factory
from tools.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.attack]
BALANCE_ANSWER = "Your store credit is"


def verified_web_chat_customer(stack: Stack, people: Factory) -> tuple:
    """A web chat customer who verified with a one-time code and saw their balance."""
    person = people.customer([{"status": "placed", "total_cents": 100}], store_credit_cents=1234)
    victim = WebChatCustomer(stack)
    assert "email" in victim.say_text("what's my store credit balance?")
    assert "6-digit code" in victim.say_text(person.email)
    answer = victim.say_text(latest_code(stack, person.email))
    assert f"{BALANCE_ANSWER} 12.34 USD" in answer, answer
    return person, victim


def rest_post(stack: Stack, body: dict, headers: dict | None = None) -> requests.Response:
    return requests.post(
        f"{stack.config.rasa_url}/webhooks/rest/webhook", json=body, headers=headers or {}, timeout=60
    )


def test_rest_cannot_post_into_a_web_chat_conversation(stack: Stack, stack_people: Factory) -> None:
    _person, victim = verified_web_chat_customer(stack, stack_people)
    events_before = len(tracker(stack, victim.sender)["events"])
    service = {"Authorization": f"Bearer {stack.config.rest_channel_token}"}
    attempts = [
        ({"sender": victim.sender, "message": "what's my store credit balance?"}, {}),
        ({"sender": victim.session_id, "message": "what's my store credit balance?"}, {}),
        ({"sender": victim.sender, "message": "balance", "input_channel": "socketio"}, {}),
        ({"sender": "made-up-sender", "message": "balance"}, {}),
        # An integration's own senders live apart (api-<sender>): naming a web chat id opens a new conversation.
        ({"sender": victim.sender, "message": "what's my store credit balance?"}, service),
        ({"sender": victim.sender, "message": "balance"}, {"Authorization": "Bearer wrong-token"}),
    ]
    bypasses = 0
    for body, headers in attempts:
        answer = rest_post(stack, body, headers)
        texts = (
            " ".join(reply.get("text", "") for reply in answer.json()) if answer.status_code == 200 else ""
        )
        if BALANCE_ANSWER in texts:
            bypasses += 1
        if not headers.get("Authorization", "").endswith(stack.config.rest_channel_token):
            assert (
                answer.status_code == 403 and answer.json()["error"]["code"] == "sender_not_signed"
            ), answer.text
    # Nothing reached the victim's conversation.
    bypasses += len(tracker(stack, victim.sender)["events"]) != events_before
    entry = attacks.record(
        "rest_hijack_of_a_web_chat_conversation", attempts=len(attempts), bypasses=bypasses
    )
    assert entry.bypasses == 0


def test_a_signed_web_chat_id_replayed_from_another_address_does_not_inherit_the_verification(
    stack: Stack, stack_people: Factory
) -> None:
    _person, victim = verified_web_chat_customer(stack, stack_people)
    # The id leaked (a shared screen, a log): the attacker connects with it from another address.
    attacker = WebChatCustomer(stack, address=random_address(), session_id=victim.session_id)
    assert (
        attacker.session_id == victim.session_id
    )  # a signed id is a bearer credential for the chat itself...
    answer = attacker.say_text("what's my store credit balance?")
    # ...but the verification was earned in the victim's session: the attacker is asked for a new code.
    bypassed = BALANCE_ANSWER in answer
    entry = attacks.record("web_chat_id_replayed_from_another_address", bypasses=int(bypassed))
    assert entry.bypasses == 0, answer
    assert "code" in answer.lower() or "verify" in answer.lower(), answer


def test_session_fixation_and_cross_channel_ids_get_a_fresh_session(stack: Stack) -> None:
    rest_id = new_rest_sender(stack)
    fixed_ids = [
        "wc-" + "0" * 32 + "." + "A" * 22,  # well-formed, never issued
        rest_id,  # a REST session's id offered to the web chat
        "wc-attacker-chosen-id",
    ]
    bypasses = 0
    for fixed in fixed_ids:
        customer = WebChatCustomer(stack, session_id=fixed)
        bypasses += customer.session_id == fixed or customer.sender == rest_id.split(".")[0]
    # A web chat id offered to the REST channel is refused too.
    web = WebChatCustomer(stack)
    refused = rest_post(stack, {"sender": web.session_id, "message": "hi"})
    bypasses += refused.status_code != 403
    entry = attacks.record("session_fixation", attempts=len(fixed_ids) + 1, bypasses=bypasses)
    assert entry.bypasses == 0


def test_a_message_with_another_sockets_session_id_is_ignored(stack: Stack, stack_people: Factory) -> None:
    _person, victim = verified_web_chat_customer(stack, stack_people)
    attacker = WebChatCustomer(stack)
    events_before = len(tracker(stack, victim.sender)["events"])
    # The attacker's socket asked for its own session, then names the victim's in a message.
    attacker.send("what's my store credit balance?", session_id=victim.session_id)
    leaked = attacker.replies(first_within=5) + victim.replies(first_within=3)
    bypassed = (
        any(BALANCE_ANSWER in text for text in leaked)
        or len(tracker(stack, victim.sender)["events"]) != events_before
    )
    entry = attacks.record("web_chat_message_with_a_copied_session_id", bypasses=int(bypassed))
    assert entry.bypasses == 0


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "body",
    [
        "x" * 2_000_000,
        json.dumps({"sender": "a", "message": "m" * 500_000}),
        '{"sender": "a", "message": ' + nested(10_000) + "}",
        '{"sender": ' + nested(3_000) + ', "message": "hi"}',
        "not json at all",
        "[1, 2, 3]",
        "",
    ],
    ids=[
        "2MB-garbage",
        "huge-message",
        "deeply-nested",
        "nested-sender",
        "not-json",
        "not-an-object",
        "empty",
    ],
)
def test_hostile_bodies_on_the_rest_channel_get_a_json_4xx(stack: Stack, body: str) -> None:
    for route in ("webhook", "session"):
        answer = requests.post(
            f"{stack.config.rasa_url}/webhooks/rest/{route}",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        assert answer.status_code < 500, (route, answer.status_code, answer.text[:200])
        if route == "webhook":
            assert answer.status_code in (400, 403, 413) and "error" in answer.json(), answer.text[:200]
    attacks.record("hostile_json_on_public_routes", attempts=2)
    # The channel still serves real customers afterwards.
    assert "Frontdesk" in Customer(stack).say_text("hi")


def test_hostile_socket_io_packets_leave_the_server_serving(stack: Stack) -> None:
    base = f"{stack.config.rasa_url}/socket.io/?EIO=4&transport=polling"
    opened = requests.get(base, timeout=10)
    sid = json.loads(re.sub(r"^[^{]*", "", opened.text))["sid"]
    session = f"{base}&sid={sid}"
    requests.post(session, data="40", timeout=10)
    packets = [
        '42["user_uttered",' + nested(20_000) + "]",
        '42["session_request",{"session_id":' + nested(5_000) + "}]",
        "42" + "x" * 100_000,
        '42["user_uttered",{"message":"' + "y" * 200_000 + '"}]',
    ]
    for packet in packets:
        answer = requests.post(session, data=packet, timeout=30)
        assert answer.status_code < 500 or answer.status_code == 503, answer.status_code
    attacks.record("hostile_json_on_public_routes", attempts=len(packets))
    assert "Frontdesk" in WebChatCustomer(stack).say_text("hi")
