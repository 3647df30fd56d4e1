"""Step-up verification in the conversation: send a one-time code, check it with the backend.

Only this action code, after the backend confirmed a code, sets the verification slots; their domain
mappings are `custom`, so no entity, payload or typed text can fill them. A verification counts only in
the channel session that earned it (same channel, same customer address): a message posted into the
conversation from anywhere else has to verify again. The token also travels to the backend, which refuses
sensitive operations without a live token it issued for that very customer.
"""

from __future__ import annotations

import time
from abc import ABC
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.backend import backend
from actions.blocking import off_loop
from actions.conversation import channel_context, latest_message_id
from actions.forms import FrontdeskFormValidation
from actions.handover import hand_over
from actions.idempotency import idempotency_key
from actions.values import as_text, parse_email, parse_phone, parse_verification_code
from clients.backend.identity import Challenge
from clients.http import ServiceRefused, ServiceUnavailable

# The value the code slot holds once verified; the token and expiry slots are what actually count.
VERIFIED = "verified"


@dataclass(frozen=True)
class FreshVerification:
    customer_id: int
    token: str


def contact(tracker: Tracker) -> Optional[str]:
    """How the customer identified: the email in the conversation, else the phone number they gave."""
    return parse_email(tracker.get_slot(slots.EMAIL)) or parse_phone(tracker.get_slot(slots.PHONE))


def fresh_verification(tracker: Tracker) -> Optional[FreshVerification]:
    """The live verification for the email or phone in the conversation, earned in this channel session."""
    token = tracker.get_slot(slots.VERIFICATION_TOKEN)
    until = tracker.get_slot(slots.VERIFIED_UNTIL)
    customer_id = tracker.get_slot(slots.VERIFIED_CUSTOMER_ID)
    identified_by = contact(tracker)
    if not token or until is None or customer_id is None or identified_by is None:
        return None
    if identified_by != tracker.get_slot(slots.VERIFIED_CONTACT) or time.time() >= float(until):
        return None
    if tracker.get_slot(slots.VERIFIED_BINDING) != channel_context(tracker).binding:
        return None
    return FreshVerification(int(customer_id), str(token))


VERIFICATION_SLOTS = (
    slots.VERIFICATION_CODE,
    slots.VERIFICATION_TOKEN,
    slots.VERIFIED_CONTACT,
    slots.VERIFIED_CUSTOMER_ID,
    slots.VERIFIED_UNTIL,
    slots.VERIFIED_BINDING,
    slots.VERIFICATION_CHALLENGE_ID,
    slots.VERIFICATION_SENT_TO,
)


def forget_verification() -> List[EventType]:
    """Drop every trace of a verification (after failure, expiry or a change of email)."""
    return [SlotSet(name, None) for name in VERIFICATION_SLOTS]


def _epoch(iso_timestamp: str) -> float:
    moment = datetime.fromisoformat(iso_timestamp.replace("Z", ""))
    return moment.replace(tzinfo=timezone.utc).timestamp()


async def check_code(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
    """Validate the code slot: the slots to set, with `handoff_reason` set when verification has failed."""
    if as_text(value) == VERIFIED:
        # A verification from earlier in the conversation counts only while it is live for this email.
        return {slots.VERIFICATION_CODE: VERIFIED if fresh_verification(tracker) else None}
    code = parse_verification_code(value)
    if code is None:
        dispatcher.utter_message(response="utter_invalid_verification_code")
        return {slots.VERIFICATION_CODE: None}
    challenge_id = tracker.get_slot(slots.VERIFICATION_CHALLENGE_ID)
    if not challenge_id:
        return {slots.VERIFICATION_CODE: None}
    # Keyed by the customer's message: the same message resent after a crash gets the first verdict back
    # (a code the backend already accepted still verifies; a wrong one is not counted twice).
    key = idempotency_key(tracker, "check_code", challenge_id, latest_message_id(tracker))
    try:
        verification = await off_loop(backend().identity.check_code, challenge_id, code, idempotency_key=key)
    except ServiceUnavailable:
        dispatcher.utter_message(response="utter_backend_unavailable")
        return {slots.VERIFICATION_CODE: None, slots.HANDOFF_REASON: slots.REASON_BACKEND_UNAVAILABLE}
    except ServiceRefused as exc:
        if exc.code == "code_invalid":
            attempts_left = exc.details.get("attempts_left", 0)
            if attempts_left == 1:
                dispatcher.utter_message(response="utter_verification_code_wrong_last_try")
            else:
                dispatcher.utter_message(
                    response="utter_verification_code_wrong", attempts_left=attempts_left
                )
            return {slots.VERIFICATION_CODE: None}
        dispatcher.utter_message(response="utter_verification_failed")
        return {
            slots.VERIFICATION_CODE: None,
            slots.VERIFICATION_CHALLENGE_ID: None,
            slots.HANDOFF_REASON: slots.REASON_VERIFICATION_FAILED,
        }
    dispatcher.utter_message(response="utter_verified")
    return {
        slots.VERIFICATION_CODE: VERIFIED,
        slots.VERIFICATION_TOKEN: verification.token,
        slots.VERIFIED_CUSTOMER_ID: float(verification.customer_id),
        slots.VERIFIED_CONTACT: contact(tracker),
        slots.VERIFIED_UNTIL: _epoch(verification.expires_at),
        slots.VERIFIED_BINDING: channel_context(tracker).binding,
        slots.VERIFICATION_CHALLENGE_ID: None,
    }


class VerificationCodeValidation:
    """Mixed into the validation of every form that asks for a one-time code (before FrontdeskFormValidation)."""

    async def validate_verification_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        result = await check_code(value, dispatcher, tracker)
        if result[slots.VERIFICATION_CODE] is None and slots.HANDOFF_REASON not in result:
            # A wrong code is a failed answer, like any other (the form gives up after three).
            wrong = 0 if as_text(value) == VERIFIED else 1
            result[slots.FORM_FAILURES] = float(tracker.get_slot(slots.FORM_FAILURES) or 0) + wrong
        return result


class VerifiedFormValidation(VerificationCodeValidation, FrontdeskFormValidation, ABC):
    """The validation of a form that asks for a one-time code."""


class AccountFormValidation(VerifiedFormValidation, ABC):
    """An account form: the customer may identify by phone number instead of email (the code comes by SMS)."""

    accepts_phone = True


def _send_code(identified_by: Optional[str], email: Optional[str], key: str) -> Challenge:
    if email:
        return backend().identity.send_code(email=email, idempotency_key=key)
    return backend().identity.send_code(phone=identified_by or "", idempotency_key=key)


class ActionAskVerificationCode(Action):
    """Asked by a form for the code: sends one (once per challenge), then asks for it."""

    def name(self) -> str:
        return "action_ask_verification_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        email = parse_email(tracker.get_slot(slots.EMAIL))
        identified_by = contact(tracker)
        if (
            tracker.get_slot(slots.VERIFICATION_CHALLENGE_ID)
            and tracker.get_slot(slots.VERIFIED_CONTACT) == identified_by
        ):
            dispatcher.utter_message(response="utter_ask_verification_code_again")
            return []
        # Keyed by the customer's message: the same message resent after a crash gets the code already sent.
        key = idempotency_key(tracker, "send_code", identified_by, latest_message_id(tracker))
        try:
            challenge = await off_loop(_send_code, identified_by, email, key)
        except ServiceUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return _stop_form() + hand_over(slots.REASON_BACKEND_UNAVAILABLE)
        except ServiceRefused as exc:
            if exc.code == "identifier_ambiguous":
                # More than one account answers to this identifier: it proves nothing, a person takes over.
                dispatcher.utter_message(response="utter_cannot_verify_identifier")
                return _stop_form() + hand_over(slots.REASON_VERIFICATION_FAILED)
            dispatcher.utter_message(
                response="utter_too_many_codes" if exc.status == 429 else "utter_verification_failed"
            )
            return _stop_form() + [SlotSet(slots.HANDOFF_REASON, slots.REASON_VERIFICATION_FAILED)]
        dispatcher.utter_message(
            response="utter_verification_code_sent", verification_sent_to=challenge.sent_to
        )
        return forget_verification() + [
            SlotSet(slots.VERIFICATION_CHALLENGE_ID, challenge.challenge_id),
            SlotSet(slots.VERIFICATION_SENT_TO, challenge.sent_to),
            # Whose pending code this is; it counts as verified only once the token slots are set too.
            SlotSet(slots.VERIFIED_CONTACT, identified_by),
        ]


def _stop_form() -> List[EventType]:
    return [SlotSet(slots.REQUESTED_SLOT, None), ActiveLoop(None)]
