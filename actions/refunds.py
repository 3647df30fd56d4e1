"""Refund requests under the written policy, and refund status.

A refund is asked for in this order: the order and its email, a one-time code, then the amount (shown
beside the order total and what is left to refund, from the backend's quote for the verified owner), the
reason, and a last confirmation. An order the policy can't refund ends the form right after the code.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots, values
from actions.backend import backend
from actions.blocking import off_loop
from actions.conversation import client_address
from actions.formatting import display_date, display_money, phrase
from actions.forms import FrontdeskFormValidation
from actions.idempotency import idempotency_key
from actions.submit import FormSubmitAction, VerifiedSubmitAction, forget_identity, slot_text
from actions.verification import VERIFIED, FreshVerification, VerifiedFormValidation, fresh_verification
from clients.http import ServiceRefused, ServiceUnavailable

# Backend policy codes -> the canned answer (with its policy link) for each refusal.
REFUSALS = {
    "refund_window_expired": "utter_refund_refused_window_expired",
    "order_not_delivered": "utter_refund_refused_not_delivered",
    "order_cancelled": "utter_refund_refused_order_cancelled",
    "already_refunded": "utter_refund_refused_already_refunded",
    "amount_exceeds_refundable": "utter_refund_refused_amount_too_high",
    "order_not_found": "utter_refund_refused_order_not_found",
}


def quote_of(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The refund quote this form fetched after verification (None before that)."""
    quote = tracker.get_slot(slots.REFUND_QUOTE)
    return quote if isinstance(quote, dict) and "refundable" in quote else None


def money_of(quote: Dict[str, Any], field: str) -> str:
    return display_money(Decimal(str(quote[field])), str(quote["currency"]))


def quote_values(tracker: Tracker, quote: Dict[str, Any]) -> Dict[str, str]:
    """The values every refund question and answer shows (order total, refunded so far, what is left)."""
    return {
        "order_id": slot_text(tracker, slots.ORDER_ID),
        "order_total": money_of(quote, "order_total"),
        "already_refunded": money_of(quote, "already_refunded"),
        "refundable_amount": money_of(quote, "refundable"),
    }


def fetch_quote(tracker: Tracker, token: str) -> Dict[str, Any]:
    """The backend's refund quote for this order, as a slot value (a refusal becomes eligible=False)."""
    try:
        quote = backend().billing.refund_quote(
            int(slot_text(tracker, slots.ORDER_ID)), slot_text(tracker, slots.EMAIL), verification_token=token
        )
    except ServiceRefused as exc:
        if exc.status not in (403, 404):
            raise
        return {"eligible": False, "code": "order_not_found", "refundable": "0", "currency": ""}
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in asdict(quote).items()}


class ValidateRefundForm(VerifiedFormValidation):
    accepts_full_amount = True

    def name(self) -> str:
        return "validate_refund_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        quote = next((e.get("value") for e in reversed(events) if e.get("name") == slots.REFUND_QUOTE), None)
        if isinstance(quote, dict) and not quote.get("eligible"):
            # Nothing to ask about: say why (with the policy link) and end the form here.
            dispatcher.utter_message(
                response=REFUSALS.get(str(quote.get("code")), "utter_request_failed"),
                order_id=slot_text(tracker, slots.ORDER_ID),
            )
            return events + self._stop_form([]) + [SlotSet(slots.REFUND_QUOTE, None)]
        return events

    async def validate_verification_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        result = await super().validate_verification_code(value, dispatcher, tracker, domain)
        if result.get(slots.VERIFICATION_CODE) != VERIFIED:
            return result
        earlier = fresh_verification(tracker)
        token = result.get(slots.VERIFICATION_TOKEN) or (earlier.token if earlier else None)
        if not token:
            return result
        try:
            result[slots.REFUND_QUOTE] = await off_loop(fetch_quote, tracker, str(token))
        except ServiceUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            result[slots.HANDOFF_REASON] = slots.REASON_BACKEND_UNAVAILABLE
        return result

    def handles_itself(self, tracker: Tracker, requested: str) -> bool:
        # "How much did I pay?" while the amount is asked reads as a balance question to NLU; it is
        # answered here from the refund quote, and the amount asked again.
        text = tracker.latest_message.get("text", "")
        return requested == slots.AMOUNT and quote_of(tracker) is not None and values.is_question(text)

    def validate_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        quote = quote_of(tracker)
        if quote is None:
            # Picked up before the code was checked (in the first message): read it, judge it later.
            return super().validate_amount(value, dispatcher, tracker, domain)
        if values.is_question(value) and not values.has_digits(value):
            # "How much did I pay in total?" is answered from the backend, then the amount is asked again.
            dispatcher.utter_message(response="utter_refund_quote", **quote_values(tracker, quote))
            return {slots.AMOUNT: None}
        amount = self.parse(slots.AMOUNT, value)
        if amount is None:
            return self._reject(dispatcher, tracker, slots.AMOUNT, "utter_invalid_refund_amount")
        refundable = Decimal(str(quote["refundable"]))
        if amount == values.FULL_AMOUNT:
            return self._accept(slots.AMOUNT, f"{refundable:.2f}")
        if Decimal(amount) > refundable:
            dispatcher.utter_message(
                response="utter_refund_amount_over_refundable", **quote_values(tracker, quote)
            )
            return {slots.AMOUNT: None}
        return self._accept(slots.AMOUNT, amount)

    def validate_refund_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        reason = values.parse_free_text(value, min_length=3)
        if reason is None:
            return self._reject(dispatcher, tracker, slots.REFUND_REASON, "utter_invalid_refund_reason")
        return self._accept(slots.REFUND_REASON, reason[: values.MAX_REASON])


class ActionAskRefundAmount(Action):
    """Asks for the amount beside the order total and what is left to refund."""

    def name(self) -> str:
        return "action_ask_refund_form_amount"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        quote = quote_of(tracker)
        if quote is None:  # not reachable in the form's order (code first), but never ask without numbers
            dispatcher.utter_message(response="utter_invalid_refund_amount")
            return []
        dispatcher.utter_message(response="utter_ask_refund_form_amount", **quote_values(tracker, quote))
        return []


class ActionAskRefundConfirmation(Action):
    """The last question: the amount, the order total and the reason, before anything is requested."""

    def name(self) -> str:
        return "action_ask_refund_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        quote = quote_of(tracker) or {}
        shown = quote_values(tracker, quote) if quote else {}
        dispatcher.utter_message(
            response="utter_ask_refund_form_confirmed",
            refund_amount=display_money(
                Decimal(slot_text(tracker, slots.AMOUNT)), str(quote.get("currency", ""))
            ),
            refund_reason=slot_text(tracker, slots.REFUND_REASON),
            **shown,
        )
        return []


class ValidateRefundStatusForm(FrontdeskFormValidation):
    def name(self) -> str:
        return "validate_refund_status_form"


class ActionRequestRefund(VerifiedSubmitAction):
    form_slots = (
        slots.ORDER_ID,
        slots.EMAIL,
        slots.VERIFICATION_CODE,
        slots.AMOUNT,
        slots.REFUND_REASON,
        slots.CONFIRMED,
    )
    slots_to_clear = (slots.AMOUNT, slots.REFUND_REASON, slots.CONFIRMED, slots.REFUND_QUOTE)

    confirmation_slot = slots.CONFIRMED
    declined_response = "utter_refund_not_requested"

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
        amount = None if amount_text == values.FULL_AMOUNT else Decimal(amount_text)
        try:
            refund = backend().billing.request_refund(
                order_id,
                slot_text(tracker, slots.EMAIL),
                amount,
                reason=slot_text(tracker, slots.REFUND_REASON),
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
