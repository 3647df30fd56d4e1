"""Parcels that never arrived: a claim ticket with the carrier details, within the missing-parcel policy.

The backend applies the policy (data/kb/missing-parcel.md); this flow asks for the order and its email,
then tells the customer the claim number or why no claim can be opened yet.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.backend import backend
from actions.conversation import client_address
from actions.formatting import display_date, phrase
from actions.forms import FrontdeskFormValidation
from actions.idempotency import idempotency_key
from actions.submit import FormSubmitAction, forget_identity, slot_text
from actions.transcript import transcript
from clients.http import ServiceRefused

REFUSALS = {
    "in_transit": "utter_missing_parcel_in_transit",
    "order_not_shipped": "utter_missing_parcel_not_shipped",
    "order_cancelled": "utter_missing_parcel_order_cancelled",
    "claim_window_expired": "utter_missing_parcel_too_late",
}


class ValidateMissingParcelForm(FrontdeskFormValidation):
    def name(self) -> str:
        return "validate_missing_parcel_form"


class ActionReportMissingParcel(FormSubmitAction):
    form_slots = (slots.ORDER_ID, slots.EMAIL)

    def name(self) -> str:
        return "action_report_missing_parcel"

    def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        order_id = int(slot_text(tracker, slots.ORDER_ID))
        email = slot_text(tracker, slots.EMAIL)
        try:
            claim = backend().orders.claim_missing_parcel(
                order_id,
                email,
                conversation_id=tracker.sender_id,
                messages=transcript(tracker),
                idempotency_key=idempotency_key(tracker, "missing_parcel", order_id),
                client_address=client_address(tracker),
            )
        except ServiceRefused as exc:
            if exc.status == 404:
                dispatcher.utter_message(response="utter_order_not_found")
                return forget_identity()
            if exc.code not in REFUSALS:
                raise
            # The order's details for the answer come from an ordinary lookup (same ownership check).
            order = backend().orders.lookup(order_id, email, client_address=client_address(tracker))
            not_known = phrase(domain, "utter_phrase_date_not_known")
            dispatcher.utter_message(
                response=REFUSALS[exc.code],
                carrier=order.carrier or phrase(domain, "utter_phrase_unknown_carrier"),
                tracking_number=order.tracking_number or phrase(domain, "utter_phrase_tracking_pending"),
                estimated_delivery=display_date(order.estimated_delivery, not_known),
                delivered_on=display_date(order.delivered_at, not_known),
                claim_from=display_date(exc.details.get("claim_from"), not_known),
                policy_url=exc.details.get("policy_url", ""),
            )
            return []
        dispatcher.utter_message(
            response="utter_missing_parcel_claim_opened",
            ticket_id=claim.ticket_id,
            carrier=claim.carrier or phrase(domain, "utter_phrase_unknown_carrier"),
            tracking_number=claim.tracking_number or phrase(domain, "utter_phrase_tracking_pending"),
            policy_url=claim.policy_url,
        )
        return []
