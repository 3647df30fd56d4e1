"""Refund requests under the written policy, and refund status."""

from __future__ import annotations

from decimal import Decimal
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.backend import backend
from actions.conversation import client_address
from actions.formatting import display_date, display_money, phrase
from actions.forms import FrontdeskFormValidation
from actions.idempotency import idempotency_key
from actions.submit import FormSubmitAction, VerifiedSubmitAction, forget_identity, slot_text
from actions.verification import FreshVerification, VerifiedFormValidation
from clients.http import ServiceRefused

# Backend policy codes -> the canned answer (with its policy link) for each refusal.
REFUSALS = {
    "refund_window_expired": "utter_refund_refused_window_expired",
    "order_not_delivered": "utter_refund_refused_not_delivered",
    "order_cancelled": "utter_refund_refused_order_cancelled",
    "already_refunded": "utter_refund_refused_already_refunded",
    "amount_exceeds_refundable": "utter_refund_refused_amount_too_high",
}


class ValidateRefundForm(VerifiedFormValidation):
    accepts_full_amount = True

    def name(self) -> str:
        return "validate_refund_form"


class ValidateRefundStatusForm(FrontdeskFormValidation):
    def name(self) -> str:
        return "validate_refund_status_form"


class ActionRequestRefund(VerifiedSubmitAction):
    form_slots = (slots.ORDER_ID, slots.EMAIL, slots.AMOUNT, slots.VERIFICATION_CODE)
    slots_to_clear = (slots.AMOUNT,)

    def name(self) -> str:
        return "action_request_refund"

    def submit_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        verification: FreshVerification,
    ) -> List[EventType]:
        order_id = int(slot_text(tracker, slots.ORDER_ID))
        amount_text = slot_text(tracker, slots.AMOUNT)
        amount = None if amount_text == "full" else Decimal(amount_text)
        try:
            refund = backend().billing.request_refund(
                order_id,
                slot_text(tracker, slots.EMAIL),
                amount,
                reason=f"requested through the assistant: {tracker.latest_message.get('text', '')[:200]}",
                verification_token=verification.token,
                idempotency_key=idempotency_key(tracker, "refund", order_id, amount_text),
            )
        except ServiceRefused as exc:
            if exc.status == 404:
                dispatcher.utter_message(response="utter_order_not_found")
                return forget_identity()
            if exc.code in REFUSALS:
                dispatcher.utter_message(
                    response=REFUSALS[exc.code],
                    refundable_amount=exc.details.get("refundable_amount", "0.00"),
                )
                return []
            raise
        dispatcher.utter_message(
            response="utter_refund_created",
            refund_id=refund.id,
            refund_amount=display_money(refund.amount, refund.currency),
        )
        return []


class ActionCheckRefundStatus(FormSubmitAction):
    form_slots = (slots.ORDER_ID, slots.EMAIL)

    def name(self) -> str:
        return "action_check_refund_status"

    def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        order_id = int(slot_text(tracker, slots.ORDER_ID))
        try:
            refunds = backend().billing.refund_status(
                order_id, slot_text(tracker, slots.EMAIL), client_address=client_address(tracker)
            )
        except ServiceRefused as exc:
            if exc.status != 404:
                raise
            dispatcher.utter_message(response="utter_order_not_found")
            return forget_identity()
        if not refunds:
            dispatcher.utter_message(response="utter_no_refunds")
            return []
        for refund in refunds[:5]:
            dispatcher.utter_message(
                response=f"utter_refund_status_{refund.status}",
                refund_id=refund.id,
                refund_amount=display_money(refund.amount, refund.currency),
                requested_on=display_date(refund.created_at, phrase(domain, "utter_phrase_date_not_known")),
            )
        return []
