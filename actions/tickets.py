"""Tickets opened by the assistant: payment problems, complaints and handoff to a person."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handoff_queue, slots
from actions.backend import backend
from actions.clients.http import BackendError, BackendUnavailable
from actions.clients.ticketing import NewTicket
from actions.formatting import display_date
from actions.forms import FrontdeskFormValidation
from actions.idempotency import idempotency_key, latest_turn
from actions.submit import FormSubmitAction, slot_text
from actions.transcript import summary, transcript
from actions.values import parse_email

logger = logging.getLogger(__name__)

PAYMENT_PROBLEM_LABELS = {
    "declined": "card declined",
    "duplicate_charge": "charged twice",
    "failed": "payment failed",
    "other": "other payment problem",
}
HANDOFF_REASONS = {
    slots.REASON_USER_REQUESTED,
    slots.REASON_LOW_CONFIDENCE,
    slots.REASON_ESCALATION_LOOP,
    slots.REASON_BACKEND_UNAVAILABLE,
    slots.REASON_POLICY_EXCEPTION,
    "sensitive_topic",
    "verification_failed",
}


def _customer_id_for(email: Optional[str]) -> Optional[int]:
    """The customer with this email, if any (only to attach the ticket to an account; optional)."""
    if not email:
        return None
    try:
        customer = backend().crm.find_by_email(email)
    except BackendUnavailable:
        return None
    return customer.id if customer else None


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
        customer_id = _customer_id_for(email)
        recent = backend().billing.payments(customer_id, limit=5) if customer_id else []
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
                    "card_last4": payment.card_last4,
                    "date": display_date(payment.created_at),
                }
                for payment in recent
            ],
        }
        ticket_id = backend().ticketing.create_ticket(
            NewTicket(
                subject=f"Payment problem: {PAYMENT_PROBLEM_LABELS.get(problem, problem)}",
                category="payment",
                priority="high" if problem == "duplicate_charge" else "normal",
                customer_id=customer_id,
                customer_email=email,
                conversation_id=tracker.sender_id,
                details=details,
                messages=transcript(tracker),
            ),
            idempotency_key=idempotency_key(
                tracker, "payment_issue", problem, slot_text(tracker, slots.AMOUNT)
            ),
        )
        dispatcher.utter_message(
            response="utter_payment_ticket_created",
            ticket_id=ticket_id,
            problem_label=PAYMENT_PROBLEM_LABELS.get(problem, problem),
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
        ticket_id = backend().ticketing.create_ticket(
            NewTicket(
                subject="Customer complaint",
                category="complaint",
                priority="normal",
                customer_id=_customer_id_for(email),
                customer_email=email,
                conversation_id=tracker.sender_id,
                details={"complaint": slot_text(tracker, slots.COMPLAINT_DETAILS)},
                messages=transcript(tracker),
            ),
            idempotency_key=idempotency_key(tracker, "complaint", latest_turn(tracker)),
        )
        dispatcher.utter_message(response="utter_complaint_ticket_created", ticket_id=ticket_id)
        return []


class ActionHandoff(Action):
    """Hand the conversation to a person: a ticket with the transcript, a summary and the reason.

    If ticketing is down the ticket waits in the local queue and is delivered when it recovers.
    """

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        reason = tracker.get_slot(slots.HANDOFF_REASON)
        if reason not in HANDOFF_REASONS:
            reason = slots.REASON_USER_REQUESTED
        email = parse_email(tracker.get_slot(slots.EMAIL))
        ticket = NewTicket(
            subject=f"Conversation handed to a person ({reason.replace('_', ' ')})",
            category="handoff",
            priority="high"
            if reason in (slots.REASON_BACKEND_UNAVAILABLE, slots.REASON_VERIFICATION_FAILED)
            else "normal",
            customer_id=_customer_id_for(email) if reason != slots.REASON_BACKEND_UNAVAILABLE else None,
            customer_email=email,
            conversation_id=tracker.sender_id,
            details={"escalation_reason": reason, "summary": summary(tracker)},
            messages=transcript(tracker),
        )
        key = idempotency_key(tracker, "handoff", reason, latest_turn(tracker))
        ticketing = backend().ticketing
        try:
            ticket_id = ticketing.create_ticket(ticket, idempotency_key=key)
        except (BackendUnavailable, BackendError) as exc:
            logger.warning("handoff queued locally: %s", exc)
            handoff_queue.queue().put(key, ticket)
            handoff_queue.ensure_delivery_worker(ticketing)
            dispatcher.utter_message(response="utter_handoff_queued")
            return [SlotSet(slots.HANDOFF_REASON, None)]
        dispatcher.utter_message(response="utter_handoff_created", ticket_id=ticket_id)
        return [SlotSet(slots.HANDOFF_REASON, None)]
