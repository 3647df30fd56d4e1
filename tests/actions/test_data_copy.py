"""A copy of the customer's data from the chat: the form verifies with a real one-time code, then the action
opens a `data_copy` ticket naming the verified customer, against the real backend."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.data_copy import ActionRequestDataCopy, ValidateDataCopyForm
from actions.verification import ActionAskVerificationCode
from common.channel_context import ChannelContext
from tests.actions.conftest import DOMAIN, responses, slot_events, tracker, verified_slots
from tests.support import BackendServer, Factory

FORM = "data_copy_form"


def run(action: Action, current: Tracker) -> tuple[CollectingDispatcher, List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN))
    return dispatcher, events


def data_copy_tickets(server: BackendServer, customer_id: int) -> List[Dict[str, Any]]:
    found = server.get("/v1/tickets", params={"customer_id": customer_id}).json()["items"]
    return [ticket for ticket in found if ticket["category"] == "data_copy"]


def test_the_form_verifies_with_a_code_then_a_data_copy_ticket_names_the_customer(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    customer = bot_factory.customer([{"status": "delivered", "total_cents": 5990, "delivered_days_ago": 3}])
    _, events = run(
        ValidateDataCopyForm(),
        tracker(
            {"requested_slot": "email"},
            active_loop=FORM,
            text=customer.email,
            candidates={"email": customer.email},
        ),
    )
    assert slot_events(events)["email"] == customer.email  # accepted: the form asks for the code next
    asked, events = run(ActionAskVerificationCode(), tracker({"email": customer.email}, active_loop=FORM))
    assert responses(asked) == ["utter_verification_code_sent"]
    pending = {**slot_events(events), "email": customer.email}
    code = live_backend.latest_code(customer.email)
    checked, events = run(
        ValidateDataCopyForm(),
        tracker(
            {**pending, "requested_slot": "verification_code"},
            active_loop=FORM,
            text=code,
            candidates={"verification_code": code},
        ),
    )
    verified = {**pending, **slot_events(events)}
    assert responses(checked) == ["utter_verified"] and verified["verification_code"] == "verified"
    assert data_copy_tickets(live_backend, customer.id) == []  # nothing before the form is complete

    done, _ = run(ActionRequestDataCopy(), tracker(verified, sender_id="conv-data-copy"))
    assert responses(done) == ["utter_data_copy_requested"]
    [ticket] = data_copy_tickets(live_backend, customer.id)
    assert done.messages[0]["ticket_id"] == ticket["id"]
    assert ticket["customer_email"] == customer.email and ticket["priority"] == "normal"
    assert ticket["conversation_id"] == "conv-data-copy" and ticket["status"] == "open"
    assert ticket["details"]["requested_via"] == "assistant"
    # Rasa retrying the action for the same message answers with the same ticket, not a second one...
    again, _ = run(ActionRequestDataCopy(), tracker(verified, sender_id="conv-data-copy"))
    assert again.messages[0]["ticket_id"] == ticket["id"]
    assert len(data_copy_tickets(live_backend, customer.id)) == 1
    # ...while asking again later (a new message, say once the link expired) is a new request.
    later, _ = run(
        ActionRequestDataCopy(), tracker(verified, sender_id="conv-data-copy", message_id="message-0002")
    )
    assert later.messages[0]["ticket_id"] != ticket["id"]
    assert len(data_copy_tickets(live_backend, customer.id)) == 2


def test_a_verification_from_another_channel_session_opens_nothing(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    customer = bot_factory.customer([{"status": "placed", "total_cents": 100}])
    identity = verified_slots(live_backend, customer.email, channel=ChannelContext("rest", "198.51.100.20"))
    dispatcher, _ = run(ActionRequestDataCopy(), tracker(identity))
    assert responses(dispatcher) == ["utter_verification_required"]
    assert data_copy_tickets(live_backend, customer.id) == []


def test_a_form_stopped_before_the_code_opens_nothing(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    customer = bot_factory.customer([{"status": "placed", "total_cents": 100}])
    dispatcher, events = run(ActionRequestDataCopy(), tracker({"email": customer.email}))
    assert dispatcher.messages == [] and slot_events(events) == {"form_failures": 0.0}
    assert data_copy_tickets(live_backend, customer.id) == []
