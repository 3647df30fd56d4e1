"""Order status and cancellation."""

from __future__ import annotations

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

CANCEL_REFUSALS = {
    "order_already_shipped": "utter_cancel_refused_shipped",
    "order_already_delivered": "utter_cancel_refused_delivered",
    "order_already_cancelled": "utter_cancel_refused_cancelled",
}


class ValidateOrderStatusForm(FrontdeskFormValidation):
    def name(self) -> str:
        return "validate_order_status_form"


class ValidateCancelOrderForm(VerifiedFormValidation):
    def name(self) -> str:
        return "validate_cancel_order_form"


class ActionCheckOrderStatus(FormSubmitAction):
    form_slots = (slots.ORDER_ID, slots.EMAIL)

    def name(self) -> str:
        return "action_check_order_status"

    def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        try:
            order = backend().orders.lookup(
                int(slot_text(tracker, slots.ORDER_ID)),
                slot_text(tracker, slots.EMAIL),
                client_address=client_address(tracker),
            )
        except ServiceRefused as exc:
            if exc.status != 404:
                raise
            dispatcher.utter_message(response="utter_order_not_found")
            return forget_identity()
        not_known = phrase(domain, "utter_phrase_date_not_known")
        dispatcher.utter_message(
            response=f"utter_order_status_{order.status}",
            placed_on=display_date(order.placed_at, not_known),
            shipped_on=display_date(order.shipped_at, not_known),
            delivered_on=display_date(order.delivered_at, not_known),
            estimated_delivery=display_date(order.estimated_delivery, not_known),
            cancelled_on=display_date(order.cancelled_at, not_known),
            carrier=order.carrier or phrase(domain, "utter_phrase_unknown_carrier"),
            tracking_number=order.tracking_number or phrase(domain, "utter_phrase_tracking_pending"),
            order_total=display_money(order.total, order.currency),
        )
        return []


class ActionCancelOrder(VerifiedSubmitAction):
    """Cancels only for a customer who proved they own the email (a guessed order number is not enough)."""

    form_slots = (slots.ORDER_ID, slots.EMAIL, slots.VERIFICATION_CODE, slots.CONFIRMED)
    slots_to_clear = (slots.CONFIRMED,)

    confirmation_slot = slots.CONFIRMED
    declined_response = "utter_cancel_kept"

    def name(self) -> str:
        return "action_cancel_order"

    def submit_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        verification: FreshVerification,
    ) -> List[EventType]:
        try:
            order_id = int(slot_text(tracker, slots.ORDER_ID))
            backend().orders.cancel(
                order_id,
                slot_text(tracker, slots.EMAIL),
                verification_token=verification.token,
                idempotency_key=idempotency_key(tracker, "cancel", order_id),
                client_address=client_address(tracker),
            )
        except ServiceRefused as exc:
            if exc.status == 404:
                dispatcher.utter_message(response="utter_order_not_found")
                return forget_identity()
            if exc.code in CANCEL_REFUSALS:
                dispatcher.utter_message(response=CANCEL_REFUSALS[exc.code])
                return []
            raise
        dispatcher.utter_message(response="utter_order_cancelled")
        return []
