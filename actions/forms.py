"""Form validation: one base class holds the slot rules, re-ask hints, interruptions and give-up logic.

Per-form differences are attributes of the form classes (`accepts_phone`, `accepts_full_amount`), never
form names here; forms that ask for a one-time code mix in VerificationCodeValidation
(actions/verification.py). Slot values are read by the parsers in actions/values.py (`SLOT_PARSERS`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import slots, values
from actions.entry import FLOW_STARTS
from actions.fallback import escalation_loop
from actions.faq import answer_faq
from actions.handover import ACTION_HANDOFF, hand_over

MAX_FAILED_ATTEMPTS = 3

# Small talk inside a form is answered, then the form asks its question again.
SMALL_TALK_RESPONSES = {
    "bot_challenge": "utter_iamabot",
    "greet": "utter_greet_in_form",
    "thank": "utter_youre_welcome_in_form",
    "out_of_scope": "utter_out_of_scope",
    "nlu_fallback": None,  # handled like an invalid answer
}
# Rasa fills these from entities in any form, but validates them only in forms that ask for them: a value
# picked up in passing (a one-time code tagged as an order number) is kept only if it is valid.
CHECKED_IN_PASSING = (slots.ORDER_ID,)
# Slots that take the customer's own words: a message there is the answer unless it is very clearly not.
FREE_TEXT_SLOTS = (slots.COMPLAINT_DETAILS, slots.REFUND_REASON, slots.NEW_VALUE)
# How sure NLU must be that a free-text answer is a plain "no" before the form stops on it.
FREE_TEXT_DENY_CONFIDENCE = 0.8
PAYMENT_PROBLEM_KEYWORDS = (
    ("duplicate_charge", ("twice", "double", "duplicate", "two times", "2 times")),
    ("declined", ("declin", "rejected", "refused", "denied")),
    ("failed", ("fail", "error", "didn't go through", "did not go through", "not going through")),
    ("other", ("other", "something else")),
)


def _slot_value(events: List[Dict[str, Any]], name: str) -> Any:
    """The last value the events give a slot (None when they do not touch it)."""
    for event in reversed(events):
        if event.get("event") == "slot" and event.get("name") == name:
            return event.get("value")
    return None


def value_before_this_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest customer message changed it."""
    latest_user_index = max(
        (index for index, event in enumerate(tracker.events) if event.get("event") == "user"), default=-1
    )
    earlier = [
        event
        for event in tracker.events[: max(latest_user_index, 0)]
        if event.get("event") == "slot" and event.get("name") == slot
    ]
    return earlier[-1].get("value") if earlier else None


class FrontdeskFormValidation(FormValidationAction, ABC):
    """Shared validation for every form; subclasses name their form (`validate_<form>`) and say how it differs."""

    # The customer may identify with a phone number instead of an email (the code then comes by SMS).
    accepts_phone: ClassVar[bool] = False
    # The amount may be "full": the whole refundable amount.
    accepts_full_amount: ClassVar[bool] = False
    # A plain "no" stops the form (not where "no" is an answer, like the rating or a confirmation).
    stops_on_deny: ClassVar[bool] = True

    def parse(self, slot: str, value: Any) -> Any:
        """The clean value of a slot (None when the value is not valid), as this form reads it."""
        parser = values.SLOT_PARSERS.get(slot)
        if slot == slots.EMAIL:
            return values.parse_email(value) or (values.parse_phone(value) if self.accepts_phone else None)
        if slot == slots.AMOUNT:
            return values.parse_amount(value, allow_full=self.accepts_full_amount)
        return parser(value) if parser else None

    @abstractmethod
    def name(self) -> str:
        """validate_<form name>"""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        requested = tracker.get_slot(slots.REQUESTED_SLOT)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # Captured now: validation below appends its own results to the tracker.
        message_slots = list(tracker.slots_to_validate())
        if requested:
            interruption = self._handle_interruption(dispatcher, tracker, intent, requested, message_slots)
            if interruption is not None:
                return interruption
        events = await super().run(dispatcher, tracker, domain)
        events += await self._drop_invalid_passing_values(message_slots, dispatcher, tracker, domain)
        reason = _slot_value(events, slots.HANDOFF_REASON)
        if reason in (slots.REASON_VERIFICATION_FAILED, slots.REASON_BACKEND_UNAVAILABLE):
            # A failed verification never reaches the action: the form ends and a person takes over.
            return events + self._stop_form([slots.VERIFICATION_CODE]) + [FollowupAction(ACTION_HANDOFF)]
        if self._failures(events, tracker) >= MAX_FAILED_ATTEMPTS:
            if escalation_loop(tracker):
                # Offered a person before and still stuck: hand over without asking again.
                return events + self._stop_form(message_slots) + hand_over(slots.REASON_ESCALATION_LOOP)
            dispatcher.utter_message(response="utter_offer_human_after_failures")
            return (
                events
                + self._stop_form(message_slots)
                + [SlotSet(slots.HANDOFF_REASON, slots.REASON_ESCALATION_LOOP)]
            )
        return events

    async def _drop_invalid_passing_values(
        self, message_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return [
            SlotSet(name, value_before_this_message(tracker, name))
            for name in message_slots
            if name in CHECKED_IN_PASSING
            and name not in required
            and self.parse(name, tracker.get_slot(name)) is None
        ]

    def _handle_interruption(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        intent: Optional[str],
        requested: str,
        message_slots: List[str],
    ) -> Optional[List[EventType]]:
        if intent == "stop":
            dispatcher.utter_message(response="utter_form_stopped")
            return self._stop_form(message_slots)
        if intent == "goodbye":
            dispatcher.utter_message(response="utter_goodbye")
            return self._stop_form(message_slots)
        if intent in ("request_human", "sensitive_topic"):
            reason = (
                slots.REASON_USER_REQUESTED if intent == "request_human" else slots.REASON_SENSITIVE_TOPIC
            )
            return self._stop_form(message_slots) + hand_over(reason)
        if self._answers_requested_slot(tracker, requested) or self.handles_itself(tracker, requested):
            return None
        if intent == "deny" and self._denial_stops(tracker, requested):
            # "No, I don't want a refund, I was only asking" ends the form instead of being re-asked.
            dispatcher.utter_message(response="utter_form_stopped")
            return self._stop_form(message_slots)
        if requested in FREE_TEXT_SLOTS:
            # The customer's own words ("it arrived scratched") are the answer, whatever NLU thought of them.
            return None
        switch_to = self._switch_to(tracker, intent)
        if switch_to:
            # Another request mid-form: this form stops and the new request starts with the same message.
            return self._stop_form(message_slots) + [FollowupAction(switch_to)]
        if intent == "faq":
            answer_faq(dispatcher, tracker, offer_person=False)
            return self._keep_going(tracker)
        response = SMALL_TALK_RESPONSES.get(intent or "")
        if response:
            dispatcher.utter_message(response=response)
            return self._keep_going(tracker)
        return None

    def handles_itself(self, tracker: Tracker, requested: str) -> bool:
        """Whether this form's own validator answers the message, whatever NLU made of it (a subclass says
        so for questions it can answer while asking, such as "how much did I pay?" for a refund)."""
        return False

    def _denial_stops(self, tracker: Tracker, requested: str) -> bool:
        if not self.stops_on_deny or requested == slots.CONFIRMED:
            return False
        confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0)
        return requested not in FREE_TEXT_SLOTS or confidence >= FREE_TEXT_DENY_CONFIDENCE

    @staticmethod
    def _switch_to(tracker: Tracker, intent: Optional[str]) -> Optional[str]:
        """The action that starts the customer's new request, if the message asks for another one."""
        start = FLOW_STARTS.get(intent or "")
        if start is None:
            return None
        return start if start != (tracker.active_loop or {}).get("name") else None

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        """In account forms a phone number can stand in for the email (Rasa's dynamic forms)."""
        if self.accepts_phone and tracker.get_slot(slots.PHONE) and not tracker.get_slot(slots.EMAIL):
            return [slots.PHONE if slot == slots.EMAIL else slot for slot in domain_slots]
        return domain_slots

    def _answers_requested_slot(self, tracker: Tracker, requested: str) -> bool:
        """Whether the message holds a usable value for the slot being asked, whatever the intent."""
        candidate = tracker.slots_to_validate().get(requested)
        if candidate is None or requested not in values.SLOT_PARSERS:
            return False
        return self.parse(requested, candidate) is not None

    @staticmethod
    def _discard(message_slots: List[str]) -> List[EventType]:
        # Rasa already copied this message into the requested slot; it was not an answer, so undo that.
        return [SlotSet(name, None) for name in message_slots]

    def _keep_going(self, tracker: Tracker) -> List[EventType]:
        # A SlotSet other than requested_slot stops Rasa from rejecting the form; it then re-asks.
        return self._discard(list(tracker.slots_to_validate())) + [
            SlotSet(slots.FORM_FAILURES, tracker.get_slot(slots.FORM_FAILURES) or 0.0)
        ]

    def _stop_form(self, message_slots: List[str]) -> List[EventType]:
        return self._discard(message_slots) + [
            SlotSet(slots.FORM_FAILURES, 0.0),
            SlotSet(slots.REQUESTED_SLOT, None),
            ActiveLoop(None),
        ]

    @staticmethod
    def _failures(events: List[Dict[str, Any]], tracker: Tracker) -> float:
        for event in reversed(events):
            if event.get("event") == "slot" and event.get("name") == slots.FORM_FAILURES:
                return float(event.get("value") or 0)
        return float(tracker.get_slot(slots.FORM_FAILURES) or 0)

    # Each validator returns the clean value, or None plus a hint and one more failed attempt.

    def _accept(self, slot: str, value: Any) -> Dict[str, Any]:
        return {slot: value, slots.FORM_FAILURES: 0.0}

    def _reject(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, hint: str
    ) -> Dict[str, Any]:
        if tracker.get_slot(slots.REQUESTED_SLOT) not in (None, slot):
            # Picked up in passing (say a one-time code tagged as an order number): keep what we had, quietly.
            return {slot: value_before_this_message(tracker, slot)}
        dispatcher.utter_message(response=hint)
        return {slot: None, slots.FORM_FAILURES: float(tracker.get_slot(slots.FORM_FAILURES) or 0) + 1}

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        order_id = self.parse(slots.ORDER_ID, value)
        if order_id is None:
            return self._reject(dispatcher, tracker, slots.ORDER_ID, "utter_invalid_order_id")
        return self._accept(slots.ORDER_ID, order_id)

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot(slots.REQUESTED_SLOT) == slots.NEW_VALUE:
            # A new address typed while changing the account email is the new value, not who the customer is.
            return {slots.EMAIL: value_before_this_message(tracker, slots.EMAIL)}
        email = values.parse_email(value)
        phone = values.parse_phone(value) if email is None and self.accepts_phone else None
        if phone is not None:
            return {slots.EMAIL: None, slots.PHONE: phone, slots.FORM_FAILURES: 0.0}
        if email is None:
            hint = "utter_invalid_email_or_phone" if self.accepts_phone else "utter_invalid_email"
            return self._reject(dispatcher, tracker, slots.EMAIL, hint)
        return self._accept(slots.EMAIL, email)

    def validate_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        amount = self.parse(slots.AMOUNT, value)
        if amount is None:
            hint = "utter_invalid_refund_amount" if self.accepts_full_amount else "utter_invalid_amount"
            return self._reject(dispatcher, tracker, slots.AMOUNT, hint)
        return self._accept(slots.AMOUNT, amount)

    def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "affirm":
            return self._accept(slots.CONFIRMED, True)
        if intent in ("deny", "stop"):
            return self._accept(slots.CONFIRMED, False)
        return self._reject(dispatcher, tracker, slots.CONFIRMED, "utter_invalid_confirmation")

    def validate_payment_problem(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = values.as_text(value).lower()
        for problem, keywords in PAYMENT_PROBLEM_KEYWORDS:
            if text == problem or any(keyword in text for keyword in keywords):
                return self._accept(slots.PAYMENT_PROBLEM, problem)
        return self._reject(dispatcher, tracker, slots.PAYMENT_PROBLEM, "utter_invalid_payment_problem")

    def validate_account_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = values.as_text(value).lower()
        if "mail" in text:
            return self._accept(slots.ACCOUNT_FIELD, "email")
        if "address" in text or "adress" in text:
            return self._accept(slots.ACCOUNT_FIELD, "address")
        return self._reject(dispatcher, tracker, slots.ACCOUNT_FIELD, "utter_invalid_account_field")

    def validate_new_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if tracker.get_slot(slots.ACCOUNT_FIELD) == "email":
            email = values.parse_email(value)
            if email is None:
                return self._reject(dispatcher, tracker, slots.NEW_VALUE, "utter_invalid_email")
            return self._accept(slots.NEW_VALUE, email)
        address = values.parse_free_text(value, min_length=10)
        if address is None or len(address) > 500:
            return self._reject(dispatcher, tracker, slots.NEW_VALUE, "utter_invalid_address")
        return self._accept(slots.NEW_VALUE, address)

    def validate_complaint_details(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        details = values.parse_free_text(value, min_length=10)
        if details is None:
            return self._reject(
                dispatcher, tracker, slots.COMPLAINT_DETAILS, "utter_invalid_complaint_details"
            )
        return self._accept(slots.COMPLAINT_DETAILS, details)
