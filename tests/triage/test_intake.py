"""Triage end to end on the shared real stack (tests/conftest.py `stack`): an email sent with smtplib to the
running SMTP receiver, and the contact form over HTTP, each read by the served model through Rasa's HTTP API
and opened as a ticket in the backend, checked through the backend's API."""

from __future__ import annotations

import json
import smtplib
import uuid
from email.message import EmailMessage
from typing import Any, Dict, Optional

import pytest
import requests

from tests.e2e.helpers import backend_get, random_address
from tests.support import Factory
from tools.stack import Stack
from triage.routing import CATEGORY_OF_QUEUE, TRIAGE_CATEGORY

pytestmark = pytest.mark.e2e


def ticket_with(stack: Stack, marker: str) -> Dict[str, Any]:
    page = backend_get(stack, "/v1/tickets", q=marker)
    assert page["total"] == 1, page
    return page["items"][0]


def send_email(stack: Stack, sender: str, subject: str, body: str, message_id: Optional[str] = None) -> None:
    email = EmailMessage()
    email["From"] = f"A Customer <{sender}>"
    email["To"] = "support@shop.example.com"
    email["Subject"] = subject
    email["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@mail.example.org>"
    email.set_content(body)
    with smtplib.SMTP(stack.config.host, stack.config.triage_smtp_port, timeout=120) as smtp:
        assert smtp.send_message(email) == {}  # refused recipients or a non-250 answer raise


def test_an_email_becomes_a_routed_enriched_ticket_never_linked_to_the_claimed_account(
    stack: Stack, stack_people: Factory
) -> None:
    customer = stack_people.customer([{"status": "delivered", "total_cents": 4599, "delivered_days_ago": 3}])
    order_id = customer.order_ids[0]
    marker = uuid.uuid4().hex[:8]
    body = (
        "Hello,\n\n"
        f"I sent the boots from order {order_id} back last week and I would like a refund of the $45.99 I paid.\n"
        "Could you tell me when the money will be back on my card?\n\n"
        "Kind regards,\nJane Example\n+1 415 555 0199\n\n"
        "On Mon, 3 Jun 2024 at 10:02, Shop Support <support@shop.example.com> wrote:\n"
        "> Your prepaid returns label for order 10043 is attached.\n"
    )
    # The From address is the account's, but nothing proves the sender owns it.
    send_email(stack, customer.email, f"Refund for my returned boots {marker}", body)

    ticket = ticket_with(stack, marker)
    triage = ticket["details"]["triage"]
    assert ticket["details"]["channel"] == "email"
    assert ticket["customer_id"] is None
    assert ticket["customer_email"] == customer.email[0] + "***@example.org"
    assert customer.email not in json.dumps(ticket)
    assert triage["queue"] == "returns" and triage["intent"] in ("request_refund", "check_refund_status")
    expected_category = CATEGORY_OF_QUEUE["returns"] if triage["route"] == "auto" else TRIAGE_CATEGORY
    assert ticket["category"] == expected_category and ticket["status"] == "open"
    assert 0 <= triage["confidence"] <= 1 and triage["language"] == "en"
    assert triage["sentiment"]["label"] in ("negative", "neutral", "positive")
    assert triage["entities"] == {"order_id": str(order_id), "email": None, "amount": "$45.99"}
    assert triage["priority"] == ticket["priority"]
    match = triage["possible_match"]
    assert match["status"] == "order_matches_sender" and match["verified"] is False
    assert match["order_id"] == str(order_id) and match["order_status"] == "delivered"
    assert customer.email[0] + "***@example.org" in match["note"] and "not verified" in match["note"]
    # One customer message: the new text only, stored redacted (no signature phone, no quoted thread).
    [message] = ticket["messages"]
    assert message["author"] == "customer" and str(order_id) in message["body"]
    assert (
        "10043" not in message["body"]
        and "555 0199" not in message["body"]
        and "wrote:" not in message["body"]
    )


def test_the_same_email_delivered_twice_is_one_ticket(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    message_id = f"<{marker}@mail.example.org>"
    for _ in range(2):
        send_email(
            stack,
            "sam@example.org",
            f"Newsletter {marker}",
            "Please unsubscribe me from the newsletter.",
            message_id,
        )
    assert ticket_with(stack, marker)["details"]["triage"]["queue"] == "account"


def test_a_sensitive_email_is_urgent_and_a_french_one_is_only_suggested(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    send_email(
        stack,
        "victim@example.org",
        f"Payments I never made {marker}",
        "There are two unauthorised charges from your shop on my card. I did not make these payments.",
    )
    urgent = ticket_with(stack, marker)
    assert urgent["priority"] == "urgent" and "fraud" in urgent["details"]["triage"]["priority_reasons"]
    french = uuid.uuid4().hex[:8]
    send_email(
        stack,
        "luc@example.org",
        f"Commande {french}",
        "Bonjour, je n'ai toujours pas reçu ma commande et le suivi ne bouge plus depuis une semaine.",
    )
    ticket = ticket_with(stack, french)
    triage = ticket["details"]["triage"]
    assert (
        triage["language"] == "fr"
        and triage["route"] == "suggested"
        and ticket["category"] == TRIAGE_CATEGORY
    )
    assert triage["sentiment"]["score"] is None and "English only" in triage["sentiment"]["note"]


def contact(stack: Stack, address: str, **kwargs: Any) -> requests.Response:
    headers = {"X-Real-IP": address, **kwargs.pop("headers", {})}
    return requests.post(f"{stack.config.triage_url}/contact", headers=headers, timeout=120, **kwargs)


def test_the_contact_form_page_has_its_texts_from_the_template_file(stack: Stack) -> None:
    page = requests.get(f"{stack.config.triage_url}/contact", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Write to our support team" in page.text and '<form method="post" action="/contact"' in page.text
    assert "<script" not in page.text and "default-src 'none'" in page.headers["content-security-policy"]


def test_the_contact_form_opens_a_ticket(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    form = {
        "email": "ana@example.org",
        "subject": f"Unsubscribe {marker}",
        "message": "Please stop sending me the weekly newsletter emails, I only want order updates.",
    }
    answer = contact(stack, random_address(), data=form)
    assert answer.status_code == 201 and "reached our support team" in answer.text
    ticket = ticket_with(stack, marker)
    assert f"#{ticket['id']}" in answer.text
    assert ticket["details"]["channel"] == "form" and ticket["customer_id"] is None
    assert (
        ticket["customer_email"] == "a***@example.org" and ticket["details"]["triage"]["queue"] == "account"
    )
    as_json = contact(stack, random_address(), json={**form, "subject": f"Again {marker}"})
    assert as_json.status_code == 201 and as_json.json()["reference"] != ticket["id"]


@pytest.mark.parametrize(
    "kwargs, status, code",
    [
        ({"data": {"email": "not-an-address", "message": "Hello"}}, 422, "invalid_email"),
        ({"data": {"email": "ana@example.org", "message": "   "}}, 422, "invalid_message"),
        ({"data": {"email": "ana@example.org", "message": "x" * 5001}}, 422, "invalid_message"),
        (
            {"data": {"email": "ana@example.org", "subject": "s" * 201, "message": "Hi"}},
            422,
            "subject_too_long",
        ),
        ({"json": ["not", "an", "object"]}, 400, "unreadable_form"),
        ({"data": b"{broken", "headers": {"Content-Type": "application/json"}}, 400, "unreadable_form"),
        ({"data": b"email=a", "headers": {"Content-Type": "text/plain"}}, 415, "unsupported_media_type"),
        ({"data": {"email": "ana@example.org", "message": "y" * 60_000}}, 413, "request_too_large"),
    ],
)
def test_bad_contact_form_input_is_a_clear_4xx(
    stack: Stack, kwargs: Dict[str, Any], status: int, code: str
) -> None:
    answer = contact(
        stack, random_address(), headers={"Accept": "application/json", **kwargs.pop("headers", {})}, **kwargs
    )
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code and answer.json()["error"]["message"]


def test_a_browser_posting_bad_input_gets_the_form_back_with_what_to_fix(stack: Stack) -> None:
    answer = contact(
        stack, random_address(), data={"email": "nope", "message": "My parcel <b>never</b> came"}
    )
    assert answer.status_code == 422 and "Please enter a valid email address" in answer.text
    assert "My parcel &lt;b&gt;never&lt;/b&gt; came" in answer.text  # kept, escaped


def test_one_address_is_limited_like_the_other_public_routes(stack: Stack) -> None:
    address = random_address()
    statuses = [
        contact(stack, address, data={"email": "bad", "message": "x"}).status_code for _ in range(5)
    ] + [
        contact(
            stack, address, data={"email": "ana@example.org", "message": "Where is my order?"}
        ).status_code
    ]
    # Refused input is not counted; five accepted messages a minute are (TRIAGE_CONTACT_RATE_LIMIT).
    assert statuses == [422] * 5 + [201]
    for _ in range(4):
        contact(
            stack, address, data={"email": "ana@example.org", "message": f"Where is my order? {uuid.uuid4()}"}
        )
    limited = contact(stack, address, data={"email": "ana@example.org", "message": "One more"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
