"""Each flow's submit action, run for real against the backend, success and failure paths."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionDeleteAccount, ActionResetPassword, ActionUpdateAccount
from actions.billing import ActionCheckBalance, ActionGetInvoice
from actions.handoff import ActionHandoff
from actions.orders import ActionCancelOrder, ActionCheckOrderStatus
from actions.refunds import ActionCheckRefundStatus, ActionRequestRefund
from actions.tickets import ActionFileComplaint, ActionReportPaymentIssue
from common.masking import mask_email
from tests.actions.conftest import DOMAIN, responses, slot_events, tracker, verified_slots
from tests.support import BackendServer, Factory, kb_articles_by_topic


def run(action: Action, current: Tracker) -> tuple[CollectingDispatcher, List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN))
    return dispatcher, events


DELIVERED = {"status": "delivered", "total_cents": 5990, "delivered_days_ago": 3}


def test_order_status_is_read_from_the_backend(bot_factory: Factory) -> None:
    customer = bot_factory.customer([DELIVERED, {"status": "shipped", "total_cents": 100}])
    delivered, shipped = customer.order_ids
    dispatcher, _ = run(
        ActionCheckOrderStatus(), tracker({"order_id": str(delivered), "email": customer.email})
    )
    assert responses(dispatcher) == ["utter_order_status_delivered"]
    dispatcher, _ = run(
        ActionCheckOrderStatus(), tracker({"order_id": str(shipped), "email": customer.email})
    )
    assert responses(dispatcher) == ["utter_order_status_shipped"]
    assert dispatcher.messages[0]["tracking_number"] == f"1ZTEST{shipped}"


def test_order_status_with_someone_elses_email_reveals_nothing(bot_factory: Factory) -> None:
    customer = bot_factory.customer([DELIVERED])
    dispatcher, events = run(
        ActionCheckOrderStatus(),
        tracker({"order_id": str(customer.order_ids[0]), "email": "jane@example.com"}),
    )
    assert responses(dispatcher) == ["utter_order_not_found"]
    assert slot_events(events)["order_id"] is None and slot_events(events)["email"] is None


def test_stopped_form_submits_nothing(bot_factory: Factory) -> None:
    dispatcher, events = run(ActionCheckOrderStatus(), tracker({"order_id": "10042"}))
    assert dispatcher.messages == []
    assert slot_events(events) == {"form_failures": 0.0}


def test_cancel_before_shipping_and_refusal_after(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer(
        [{"status": "placed", "total_cents": 100}, {"status": "shipped", "total_cents": 100}]
    )
    placed, shipped = customer.order_ids
    # A guessed order number and its owner's email are not enough: without a verification nothing happens.
    unverified, _ = run(
        ActionCancelOrder(),
        tracker(
            {
                "order_id": str(placed),
                "email": customer.email,
                "verification_code": "verified",
                "confirmed": True,
            }
        ),
    )
    assert responses(unverified) == ["utter_verification_required"]
    assert live_backend.get(f"/v1/orders/{placed}").json()["status"] == "placed"
    identity = verified_slots(live_backend, customer.email)
    kept, _ = run(ActionCancelOrder(), tracker({**identity, "order_id": str(placed), "confirmed": False}))
    assert responses(kept) == ["utter_cancel_kept"]
    assert live_backend.get(f"/v1/orders/{placed}").json()["status"] == "placed"

    done, events = run(ActionCancelOrder(), tracker({**identity, "order_id": str(placed), "confirmed": True}))
    assert responses(done) == ["utter_order_cancelled"]
    assert live_backend.get(f"/v1/orders/{placed}").json()["status"] == "cancelled"
    assert slot_events(events)["confirmed"] is None

    refused, _ = run(ActionCancelOrder(), tracker({**identity, "order_id": str(shipped), "confirmed": True}))
    assert responses(refused) == ["utter_cancel_refused_shipped"]
    assert live_backend.get(f"/v1/orders/{shipped}").json()["status"] == "shipped"


REASON_CONFIRMED = {"refund_reason": "arrived broken", "confirmed": True}


def test_refund_is_created_in_billing(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer([DELIVERED])
    order_id = customer.order_ids[0]
    answers = {"amount": "full", "refund_reason": "the zip is broken", "confirmed": True}
    claimed = {"order_id": str(order_id), "email": customer.email, "verification_code": "verified", **answers}
    unverified, _ = run(ActionRequestRefund(), tracker(claimed))
    assert responses(unverified) == ["utter_verification_required"]
    verified = verified_slots(live_backend, customer.email)
    declined, _ = run(
        ActionRequestRefund(),
        tracker({**verified, "order_id": str(order_id), **answers, "confirmed": False}),
    )
    assert responses(declined) == ["utter_refund_not_requested"]
    assert live_backend.get("/v1/refunds", params={"order_id": order_id}).json()["total"] == 0
    dispatcher, events = run(
        ActionRequestRefund(), tracker({**verified, "order_id": str(order_id), **answers})
    )
    assert responses(dispatcher) == ["utter_refund_created"]
    refund_id = dispatcher.messages[0]["refund_id"]
    refund = live_backend.get(f"/v1/refunds/{refund_id}").json()
    assert refund["order_id"] == order_id and refund["amount"] == "59.90" and refund["status"] == "pending"
    assert refund["reason"] == "the zip is broken"  # the customer's own words, kept on the refund
    assert dispatcher.messages[0]["refund_amount"] == "59.90 USD"
    assert {slot_events(events)[name] for name in ("amount", "refund_reason", "confirmed")} == {None}


def test_ineligible_refunds_get_the_policy_reason(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer(
        [
            {"status": "delivered", "total_cents": 5000, "delivered_days_ago": 45},
            {"status": "delivered", "total_cents": 5000, "delivered_days_ago": 2},
            {"status": "placed", "total_cents": 5000},
        ]
    )
    old, recent, placed = customer.order_ids
    verified = verified_slots(live_backend, customer.email)
    cases = [
        (old, "10", "utter_refund_refused_window_expired"),
        (placed, "10", "utter_refund_refused_not_delivered"),
    ]
    for order_id, amount, expected in cases:
        dispatcher, _ = run(
            ActionRequestRefund(),
            tracker({**verified, "order_id": str(order_id), "amount": amount, **REASON_CONFIRMED}),
        )
        assert responses(dispatcher) == [expected]
    too_much, _ = run(
        ActionRequestRefund(),
        tracker({**verified, "order_id": str(recent), "amount": "80", **REASON_CONFIRMED}),
    )
    assert responses(too_much) == ["utter_refund_refused_amount_too_high"]
    assert too_much.messages[0]["refundable_amount"] == "50.00"
    assert live_backend.get("/v1/refunds", params={"customer_id": customer.id}).json()["total"] == 0
    policy_text = DOMAIN["responses"]["utter_refund_refused_window_expired"][0]["text"]
    assert kb_articles_by_topic()["refund_policy"].url in policy_text


def test_refund_status_lists_refunds(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer([DELIVERED, DELIVERED])
    with_refund, without = customer.order_ids
    verified = verified_slots(live_backend, customer.email)
    run(
        ActionRequestRefund(),
        tracker({**verified, "order_id": str(with_refund), "amount": "10", **REASON_CONFIRMED}),
    )
    dispatcher, _ = run(
        ActionCheckRefundStatus(), tracker({"order_id": str(with_refund), "email": customer.email})
    )
    assert responses(dispatcher) == ["utter_refund_status_pending"]
    assert dispatcher.messages[0]["refund_amount"] == "10.00 USD"
    none, _ = run(ActionCheckRefundStatus(), tracker({"order_id": str(without), "email": customer.email}))
    assert responses(none) == ["utter_no_refunds"]


def test_balance_needs_a_live_verification(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer(
        [{"status": "placed", "total_cents": 2000, "invoice_status": "open", "paid": False}],
        store_credit_cents=1500,
    )
    refused, _ = run(
        ActionCheckBalance(), tracker({"email": customer.email, "verification_code": "verified"})
    )
    assert responses(refused) == ["utter_verification_required"]
    verified = verified_slots(live_backend, customer.email)
    expired, _ = run(ActionCheckBalance(), tracker({**verified, "verified_until": 1.0}))
    assert responses(expired) == ["utter_verification_required"]
    other_email, _ = run(ActionCheckBalance(), tracker({**verified, "email": "jane@example.com"}))
    assert responses(other_email) == ["utter_verification_required"]
    shown, _ = run(ActionCheckBalance(), tracker(verified))
    assert responses(shown) == ["utter_balance"]
    assert shown.messages[0]["store_credit"] == "15.00 USD" and shown.messages[0]["amount_due"] == "20.00 USD"


def test_invoices_are_listed_then_a_copy_is_emailed(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    customer = bot_factory.customer([DELIVERED])
    identity = verified_slots(live_backend, customer.email)
    listed, _ = run(ActionGetInvoice(), tracker(identity))
    assert responses(listed) == ["utter_invoice_list_intro", "utter_invoice_line", "utter_offer_invoice_copy"]
    button = listed.messages[-1]["buttons"][0]
    invoice_id = button["title"]
    assert button["payload"] == "/get_invoice" + json.dumps({"invoice_id": invoice_id})

    sent, events = run(ActionGetInvoice(), tracker({**identity, "invoice_id": invoice_id}))
    assert responses(sent) == ["utter_invoice_copy_sent"]
    outbox = live_backend.get(
        "/v1/outbox", params={"recipient": customer.email, "template": "invoice_copy"}
    ).json()
    assert outbox["total"] == 1 and invoice_id in outbox["items"][0]["subject"]
    assert slot_events(events)["invoice_id"] is None

    other, _ = run(ActionGetInvoice(), tracker({**identity, "invoice_id": "INV-2020-0001"}))
    assert responses(other) == ["utter_invoice_not_found"]


def test_payment_issue_opens_a_ticket_with_the_details(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    customer = bot_factory.customer([DELIVERED])
    # Unverified: the typed email is kept only masked (a claim, not a contact); no account and none of its
    # payments are attached.
    claimed, _ = run(
        ActionReportPaymentIssue(),
        tracker({"payment_problem": "declined", "email": customer.email, "amount": "59.90"}, text="declined"),
    )
    unverified = live_backend.get(f"/v1/tickets/{claimed.messages[0]['ticket_id']}").json()
    assert unverified["customer_id"] is None and unverified["customer_email"] == mask_email(customer.email)
    assert unverified["details"]["recent_payments"] == []
    dispatcher, _ = run(
        ActionReportPaymentIssue(),
        tracker(
            {
                **verified_slots(live_backend, customer.email),
                "payment_problem": "duplicate_charge",
                "amount": "59.90",
            },
            text="I was charged twice for 59.90",
        ),
    )
    assert responses(dispatcher) == ["utter_payment_ticket_created"]
    ticket = live_backend.get(f"/v1/tickets/{dispatcher.messages[0]['ticket_id']}").json()
    assert ticket["category"] == "payment" and ticket["priority"] == "high"
    assert ticket["customer_id"] == customer.id
    assert (
        ticket["details"]["problem"] == "duplicate_charge" and ticket["details"]["amount_reported"] == "59.90"
    )
    assert ticket["details"]["recent_payments"][0]["amount"] == "59.90"
    # The payment by id is enough for an agent (billing has the card); the ticket keeps no card digits.
    assert (
        ticket["details"]["recent_payments"][0]["id"]
        and "card_last4" not in ticket["details"]["recent_payments"][0]
    )
    assert ticket["messages"][-1]["body"] == "I was charged twice for 59.90"


def test_password_reset_needs_verification_and_mails_the_address_on_file(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    customer = bot_factory.customer([DELIVERED])
    outbox_query = {"recipient": customer.email, "template": "password_reset"}
    refused, _ = run(
        ActionResetPassword(), tracker({"email": customer.email, "verification_code": "verified"})
    )
    assert responses(refused) == ["utter_verification_required"]
    assert live_backend.get("/v1/outbox", params=outbox_query).json()["total"] == 0
    sent, _ = run(ActionResetPassword(), tracker(verified_slots(live_backend, customer.email)))
    assert responses(sent) == ["utter_password_reset_sent"]
    assert live_backend.get("/v1/outbox", params=outbox_query).json()["total"] == 1


def test_update_account_email_and_address(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer([DELIVERED])
    identity = verified_slots(live_backend, customer.email)
    # An address another account uses gets the same answer as a free one: nothing to learn from it.
    taken, _ = run(
        ActionUpdateAccount(),
        tracker({**identity, "account_field": "email", "new_value": "jane@example.com"}),
    )
    assert responses(taken) == ["utter_account_email_change_sent"]
    assert live_backend.get(f"/v1/customers/{customer.id}").json()["email"] == customer.email

    address = "5 Elm Street, Oakville, 54321, US"
    moved, _ = run(
        ActionUpdateAccount(), tracker({**identity, "account_field": "address", "new_value": address})
    )
    assert responses(moved) == ["utter_account_address_updated"]
    assert live_backend.get(f"/v1/customers/{customer.id}").json()["address"] == address

    new_email = f"renamed-{customer.id}@example.net"
    changed, _ = run(
        ActionUpdateAccount(), tracker({**identity, "account_field": "email", "new_value": new_email})
    )
    assert responses(changed) == ["utter_account_email_change_sent"]
    assert changed.messages[0]["masked_email"] == "r***@example.net"
    assert taken.messages[0]["masked_email"] == "j***@example.com"
    # The change waits for the new mailbox to confirm it.
    assert live_backend.get(f"/v1/customers/{customer.id}").json()["email"] == customer.email
    link = live_backend.get("/v1/outbox", params={"recipient": new_email, "template": "email_change_confirm"})
    assert link.json()["total"] == 1


def test_delete_account_needs_confirmation(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer([DELIVERED])
    identity = verified_slots(live_backend, customer.email)
    declined, _ = run(ActionDeleteAccount(), tracker({**identity, "confirmed": False}))
    assert responses(declined) == ["utter_deletion_not_requested"]
    assert live_backend.get("/v1/tickets", params={"customer_id": customer.id}).json()["total"] == 0

    confirmed, _ = run(
        ActionDeleteAccount(), tracker({**identity, "confirmed": True}, sender_id="conv-delete")
    )
    assert responses(confirmed) == ["utter_deletion_requested"]
    ticket = live_backend.get(f"/v1/tickets/{confirmed.messages[0]['ticket_id']}").json()
    assert ticket["category"] == "account_deletion" and ticket["conversation_id"] == "conv-delete"


def test_complaint_becomes_a_ticket(live_backend: BackendServer, bot_factory: Factory) -> None:
    customer = bot_factory.customer([DELIVERED])
    details = "The courier left my parcel in the rain and it was soaked."
    dispatcher, _ = run(
        ActionFileComplaint(), tracker({"email": customer.email, "complaint_details": details})
    )
    ticket = live_backend.get(f"/v1/tickets/{dispatcher.messages[0]['ticket_id']}").json()
    assert ticket["category"] == "complaint" and ticket["details"]["complaint"] == details


def test_handoff_ticket_carries_transcript_summary_and_reason(
    live_backend: BackendServer, bot_factory: Factory
) -> None:
    person = bot_factory.customer([DELIVERED])
    history = [
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 0.99}}},
        {"event": "action", "name": "utter_greet"},
        {"event": "bot", "text": "Hi! I'm Frontdesk."},
    ]
    current = tracker(
        {"handoff_reason": "low_confidence", **verified_slots(live_backend, person.email)},
        intent="request_human",
        text="a person please",
        history=history,
        sender_id="conv-handoff",
    )
    dispatcher, events = run(ActionHandoff(), current)
    # The console is not running here: no wait time is promised; the verified email gets the reply.
    assert responses(dispatcher) == ["utter_handoff_created", "utter_handoff_reply_by_email"]
    assert dispatcher.messages[1]["masked_email"] == "c***@example.org"
    assert {"event": "pause", "timestamp": None} in events
    ticket = live_backend.get(f"/v1/tickets/{dispatcher.messages[0]['ticket_id']}").json()
    assert ticket["category"] == "handoff" and ticket["conversation_id"] == "conv-handoff"
    assert [(m["author"], m["body"]) for m in ticket["messages"]] == [
        ("customer", "hi"),
        ("bot", "Hi! I'm Frontdesk."),
        ("customer", "a person please"),
    ]
    summary = ticket["details"]["summary"]
    assert ticket["details"]["escalation_reason"] == "low_confidence"
    assert summary["detected_intents"] == ["greet", "request_human"]
    # The details are stored redacted: the address to reply to is the verified ticket's customer_email.
    assert summary["last_nlu_confidence"] == 0.9 and summary["filled_slots"]["email"] == "[EMAIL]"
    assert ticket["customer_id"] == person.id and ticket["customer_email"] == person.email
    assert slot_events(events)["handoff_reason"] is None
    assert slot_events(events)["handoff_ticket_id"] == str(ticket["id"])
    assert summary["verification"] == {"verified": True, "contact": "[EMAIL]"}  # stored redacted, as above


def test_unknown_handoff_reason_falls_back_to_user_requested(live_backend: BackendServer) -> None:
    dispatcher, _ = run(
        ActionHandoff(), tracker({"handoff_reason": "made_up"}, intent="request_human", text="human")
    )
    ticket = live_backend.get(f"/v1/tickets/{dispatcher.messages[0]['ticket_id']}").json()
    assert ticket["details"]["escalation_reason"] == "user_requested"
