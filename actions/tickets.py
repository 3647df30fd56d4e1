"""Tickets opened by the assistant: payment problems and complaints (handoff to a person: actions/handoff.py).

A ticket names the customer's account only when they verified in this conversation; otherwise the email
they typed is kept as what it is, a claim, and no account data is attached to it.
"""

from __future__ import annotations

import logging
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.backend import backend
from actions.conversation import latest_message_id
from actions.formatting import display_date, phrase
from actions.forms import FrontdeskFormValidation
from actions.idempotency import idempotency_key
from actions.submit import FormSubmitAction, slot_text
from actions.transcript import transcript
from actions.verification import FreshVerification, fresh_verification
from clients.backend.ticketing import NewTicket

logger = logging.getLogger(__name__)


def problem_label(domain: DomainDict, problem: str) -> str:
    """How a payment problem is named to the customer and on the ticket (utter_phrase_payment_<problem>)."""
    return phrase(domain, f"utter_phrase_payment_{problem}")


def verified_account(tracker: Tracker) -> Optional[FreshVerification]:
    """The account to link a ticket to: only one the customer proved is theirs in this conversation."""
    return fresh_verification(tracker)


class ValidatePaymentIssueForm(FrontdeskFormValidation):
    def name(self) -> str:
        return "validate_payment_issue_form"


class ValidateComplaintForm(FrontdeskFormValidation):
    def name(self) -> str:
        return "validate_complaint_form"


class ActionReportPaymentIssue(FormSubmitAction):
    form_slots = (slots.PAYMENT_PROBLEM, slots.EMAIL, slots.AMOUNT)
    slots_to_clear = (slots.PAYMENT_PROBLEM, slots.AMOUNT)

    def name(self) -> str:
        return "action_report_payment_issue"

    def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        problem = slot_text(tracker, slots.PAYMENT_PROBLEM)
        email = slot_text(tracker, slots.EMAIL)
        account = verified_account(tracker)
        recent = (
            backend().billing.payments(account.customer_id, verification_token=account.token, limit=5)
            if account
            else []
        )
        # The payments by id, amount, status and date: enough for an agent to find each in billing (which they
        # read with their own scope); the card's last digits stay in billing, not copied onto the ticket.
        details = {
            "problem": problem,
            "amount_reported": slot_text(tracker, slots.AMOUNT),
            "order_id": tracker.get_slot(slots.ORDER_ID),
            "recent_payments": [
                {
                    "id": payment.id,
                    "order_id": payment.order_id,
                    "amount": str(payment.amount),
                    "status": payment.status,
                    "decline_reason": payment.decline_reason,
                    "date": display_date(payment.created_at, "?"),
                }
                for payment in recent
            ],
        }
        ticket_id = backend().ticketing.create_ticket(
            NewTicket(
                subject=f"Payment problem: {problem_label(domain, problem)}",
                category="payment",
                priority="high" if problem == "duplicate_charge" else "normal",
                customer_id=account.customer_id if account else None,
                customer_email=email,
                conversation_id=tracker.sender_id,
                details=details,
                messages=transcript(tracker),
            ),
            idempotency_key=idempotency_key(
                tracker, "payment_issue", problem, slot_text(tracker, slots.AMOUNT)
            ),
            verification_token=account.token if account else None,
        )
        dispatcher.utter_message(
            response="utter_payment_ticket_created",
            ticket_id=ticket_id,
            problem_label=problem_label(domain, problem),
            reported_amount=slot_text(tracker, slots.AMOUNT),
        )
        return []


class ActionFileComplaint(FormSubmitAction):
    form_slots = (slots.EMAIL, slots.COMPLAINT_DETAILS)
    slots_to_clear = (slots.COMPLAINT_DETAILS,)

    def name(self) -> str:
        return "action_file_complaint"

    def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        email = slot_text(tracker, slots.EMAIL)
        account = verified_account(tracker)
        ticket_id = backend().ticketing.create_ticket(
            NewTicket(
                subject="Customer complaint",
                category="complaint",
                priority="normal",
                customer_id=account.customer_id if account else None,
                customer_email=email,
                conversation_id=tracker.sender_id,
                details={"complaint": slot_text(tracker, slots.COMPLAINT_DETAILS)},
                messages=transcript(tracker),
            ),
            idempotency_key=idempotency_key(tracker, "complaint", latest_message_id(tracker)),
            verification_token=account.token if account else None,
        )
        dispatcher.utter_message(response="utter_complaint_ticket_created", ticket_id=ticket_id)
        return []
