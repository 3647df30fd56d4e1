"""Base class for the actions that run when a form completes: the one place for shared failure handling."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import ClassVar, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.blocking import off_loop
from actions.channel_link import offer_channel_link
from actions.handover import hand_over
from actions.values import as_text
from actions.verification import FreshVerification, fresh_verification
from clients.http import ServiceRefused, ServiceUnavailable

logger = logging.getLogger(__name__)


class FormSubmitAction(Action, ABC):
    """Runs after a form closes. Does nothing if the form was stopped before all its slots were filled.

    `submit` does the flow's blocking backend calls; it runs in a worker thread (actions/blocking.py).
    """

    form_slots: ClassVar[Tuple[str, ...]] = ()
    # Per-flow answers that must not leak into the next flow (order number and email are kept on purpose).
    slots_to_clear: ClassVar[Tuple[str, ...]] = ()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if any(tracker.get_slot(name) is None for name in self.form_slots):
            return [SlotSet(slots.FORM_FAILURES, 0.0)]
        try:
            events = await off_loop(self.submit, dispatcher, tracker, domain)
        except ServiceUnavailable as exc:
            logger.warning("backend unavailable in %s: %s", self.name(), exc)
            # Say so plainly and route the conversation to a person, instead of hanging or pretending.
            dispatcher.utter_message(response="utter_backend_unavailable")
            events = hand_over(slots.REASON_BACKEND_UNAVAILABLE)
        except ServiceRefused as exc:
            if exc.code == "lookup_budget_exhausted":
                # Too many failed lookups for this email or from this address: stop, offer a person.
                dispatcher.utter_message(response="utter_lookup_limit_reached")
                return forget_identity() + [
                    SlotSet(slots.HANDOFF_REASON, slots.REASON_VERIFICATION_FAILED),
                    SlotSet(slots.FORM_FAILURES, 0.0),
                ]
            # A refusal the flow did not expect: say so plainly and offer a person rather than guess.
            logger.warning("unexpected backend refusal in %s: %s", self.name(), exc)
            dispatcher.utter_message(response="utter_request_failed")
            events = [SlotSet(slots.HANDOFF_REASON, slots.REASON_POLICY_EXCEPTION)]
        return (
            events
            + [SlotSet(name, None) for name in self.slots_to_clear]
            + [SlotSet(slots.FORM_FAILURES, 0.0)]
        )

    @abstractmethod
    def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Do the flow's work against the backend and tell the customer the outcome."""


class VerifiedSubmitAction(FormSubmitAction, ABC):
    """A form's action that acts for the customer: only with a live verification from this channel session.

    With `confirmation_slot` set, a "no" to the confirmation question ends it first (`declined_response`).
    """

    confirmation_slot: ClassVar[Optional[str]] = None
    declined_response: ClassVar[str] = ""

    def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if self.confirmation_slot and tracker.get_slot(self.confirmation_slot) is not True:
            dispatcher.utter_message(response=self.declined_response)
            return []
        verification = verified_customer(dispatcher, tracker)
        if verification is None:
            return []
        events = self.submit_verified(dispatcher, tracker, domain, verification)
        offer_channel_link(dispatcher, tracker, verification)
        return events

    @abstractmethod
    def submit_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        verification: FreshVerification,
    ) -> List[EventType]:
        """Do the work for the verified customer."""


def slot_text(tracker: Tracker, name: str) -> str:
    """A slot's value as text."""
    return as_text(tracker.get_slot(name))


def verified_customer(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[FreshVerification]:
    """The live verification, checked here where the action happens; otherwise say so and return None."""
    verification = fresh_verification(tracker)
    if verification is None:
        dispatcher.utter_message(response="utter_verification_required")
    return verification


def forget_identity() -> List[EventType]:
    """Clear the email and order number so the next attempt asks for them again."""
    return [SlotSet(slots.ORDER_ID, None), SlotSet(slots.EMAIL, None)]
