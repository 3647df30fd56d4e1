"""A copy of the customer's data (right of access): after step-up verification the bot opens a `data_copy`
ticket for the verified customer; privacy/customer_requests.py makes the export and emails an expiring
download link to the address on file, never to an address given in the chat."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.backend import backend
from actions.conversation import latest_message_id
from actions.idempotency import idempotency_key
from actions.submit import VerifiedSubmitAction
from actions.verification import AccountFormValidation, FreshVerification


class ValidateDataCopyForm(AccountFormValidation):
    def name(self) -> str:
        return "validate_data_copy_form"


class ActionRequestDataCopy(VerifiedSubmitAction):
    # Nothing is changed or sent to the chat, so no confirmation: the link goes to the mailbox on file.
    form_slots = (slots.VERIFICATION_CODE,)

    def name(self) -> str:
        return "action_request_data_copy"

    def submit_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        verification: FreshVerification,
    ) -> List[EventType]:
        ticket_id = backend().crm.request_data_copy(
            verification.customer_id,
            verification_token=verification.token,
            conversation_id=tracker.sender_id,
            # A retry of the same message (Rasa's, the client's) answers with the first ticket; asking again
            # later (say, once the link has expired) is a new message and a new request.
            idempotency_key=idempotency_key(
                tracker, "request_data_copy", verification.customer_id, latest_message_id(tracker)
            ),
        )
        dispatcher.utter_message(response="utter_data_copy_requested", ticket_id=ticket_id)
        return []
