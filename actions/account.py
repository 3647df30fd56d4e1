"""Password reset, account changes and account deletion."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.backend import backend
from actions.idempotency import idempotency_key
from actions.submit import VerifiedSubmitAction, slot_text
from actions.verification import AccountFormValidation, FreshVerification
from clients.http import ServiceRefused


class ValidatePasswordResetForm(AccountFormValidation):
    def name(self) -> str:
        return "validate_password_reset_form"


class ValidateUpdateAccountForm(AccountFormValidation):
    def name(self) -> str:
        return "validate_update_account_form"


class ValidateDeleteAccountForm(AccountFormValidation):
    def name(self) -> str:
        return "validate_delete_account_form"


class ActionResetPassword(VerifiedSubmitAction):
    # Verification implies the email or phone was given; either may identify the customer here.
    form_slots = (slots.VERIFICATION_CODE,)

    def name(self) -> str:
        return "action_reset_password"

    def submit_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        verification: FreshVerification,
    ) -> List[EventType]:
        # Only the owner of the email could verify; the answer still says nothing about other accounts.
        backend().crm.request_password_reset(verification.customer_id, verification_token=verification.token)
        dispatcher.utter_message(response="utter_password_reset_sent")
        return []


class ActionUpdateAccount(VerifiedSubmitAction):
    form_slots = (slots.VERIFICATION_CODE, slots.ACCOUNT_FIELD, slots.NEW_VALUE)
    slots_to_clear = (slots.ACCOUNT_FIELD, slots.NEW_VALUE)

    def name(self) -> str:
        return "action_update_account"

    def submit_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        verification: FreshVerification,
    ) -> List[EventType]:
        field = slot_text(tracker, slots.ACCOUNT_FIELD)
        new_value = slot_text(tracker, slots.NEW_VALUE)
        key = idempotency_key(tracker, "update_account", field, new_value)
        try:
            if field == "email":
                # Confirmed from the new mailbox; the answer is the same whether or not it has an account.
                sent_to = backend().crm.request_email_change(
                    verification.customer_id,
                    new_value,
                    verification_token=verification.token,
                    idempotency_key=key,
                )
                dispatcher.utter_message(response="utter_account_email_change_sent", masked_email=sent_to)
                return []
            backend().crm.update_address(
                verification.customer_id,
                new_value,
                verification_token=verification.token,
                idempotency_key=key,
            )
        except ServiceRefused as exc:
            if exc.status == 422:
                dispatcher.utter_message(
                    response="utter_invalid_address" if field == "address" else "utter_invalid_email"
                )
                return []
            raise
        dispatcher.utter_message(response="utter_account_address_updated", new_address=new_value)
        return []


class ActionDeleteAccount(VerifiedSubmitAction):
    form_slots = (slots.VERIFICATION_CODE, slots.CONFIRMED)
    slots_to_clear = (slots.CONFIRMED,)

    confirmation_slot = slots.CONFIRMED
    declined_response = "utter_deletion_not_requested"

    def name(self) -> str:
        return "action_delete_account"

    def submit_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        verification: FreshVerification,
    ) -> List[EventType]:
        ticket_id = backend().crm.request_deletion(
            verification.customer_id,
            tracker.sender_id,
            verification_token=verification.token,
            idempotency_key=idempotency_key(tracker, "delete_account", verification.customer_id),
        )
        dispatcher.utter_message(response="utter_deletion_requested", ticket_id=ticket_id)
        return []
