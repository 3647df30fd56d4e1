"""Account balance and invoices (list, or a copy to the email on file)."""

from __future__ import annotations

import json
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.backend import backend
from actions.formatting import display_date, display_money, phrase
from actions.submit import VerifiedSubmitAction
from actions.values import parse_invoice_id
from actions.verification import AccountFormValidation, FreshVerification
from clients.http import ServiceRefused


class ValidateBalanceForm(AccountFormValidation):
    def name(self) -> str:
        return "validate_balance_form"


class ValidateInvoiceForm(AccountFormValidation):
    def name(self) -> str:
        return "validate_invoice_form"


class ActionCheckBalance(VerifiedSubmitAction):
    form_slots = (slots.VERIFICATION_CODE,)

    def name(self) -> str:
        return "action_check_balance"

    def submit_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        verification: FreshVerification,
    ) -> List[EventType]:
        balance = backend().billing.balance(verification.customer_id, verification_token=verification.token)
        dispatcher.utter_message(
            response="utter_balance",
            store_credit=display_money(balance.store_credit, balance.currency),
            amount_due=display_money(balance.amount_due, balance.currency),
        )
        return []


class ActionGetInvoice(VerifiedSubmitAction):
    form_slots = (slots.VERIFICATION_CODE,)
    slots_to_clear = (slots.INVOICE_ID,)

    def name(self) -> str:
        return "action_get_invoice"

    def submit_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        verification: FreshVerification,
    ) -> List[EventType]:
        customer_id = verification.customer_id
        invoice_id = parse_invoice_id(tracker.get_slot(slots.INVOICE_ID))
        if invoice_id:
            try:
                sent_to = backend().billing.send_invoice_copy(
                    invoice_id, customer_id, verification_token=verification.token
                )
            except ServiceRefused as exc:
                if exc.status not in (404, 422):
                    raise
                dispatcher.utter_message(response="utter_invoice_not_found", invoice_id=invoice_id)
                return []
            dispatcher.utter_message(
                response="utter_invoice_copy_sent", invoice_id=invoice_id, masked_email=sent_to
            )
            return []
        invoices = backend().billing.invoices(customer_id, verification_token=verification.token, limit=5)
        if not invoices:
            dispatcher.utter_message(response="utter_no_invoices")
            return []
        dispatcher.utter_message(response="utter_invoice_list_intro")
        for invoice in invoices:
            dispatcher.utter_message(
                response="utter_invoice_line",
                invoice_id=invoice.id,
                issued_on=display_date(invoice.issued_at, phrase(domain, "utter_phrase_date_not_known")),
                invoice_amount=display_money(invoice.amount, invoice.currency),
                invoice_status=invoice.status,
            )
        buttons = [
            {"title": invoice.id, "payload": "/get_invoice" + json.dumps({"invoice_id": invoice.id})}
            for invoice in invoices
        ]
        dispatcher.utter_message(response="utter_offer_invoice_copy", buttons=buttons)
        return [SlotSet(slots.INVOICE_ID, None)]
