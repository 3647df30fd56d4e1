"""The customer's 1-5 satisfaction rating after a person resolved their conversation."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots, values
from actions.backend import backend
from actions.blocking import off_loop
from actions.forms import FrontdeskFormValidation
from clients.http import ServiceRefused, ServiceUnavailable

logger = logging.getLogger(__name__)
SKIPPED = "skipped"


class ValidateCsatForm(FrontdeskFormValidation):
    stops_on_deny = False  # "no" to a rating means no rating (validate_csat_rating skips it)

    def name(self) -> str:
        return "validate_csat_form"

    def validate_csat_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        # Asking twice for a rating is worse than not having one: anything else means "skip".
        rating = values.parse_rating(value)
        return {slots.CSAT_RATING: str(rating) if rating else SKIPPED}


class ActionStoreCsat(Action):
    """Store the rating on the handoff ticket and thank the customer (or accept a skipped rating)."""

    def name(self) -> str:
        return "action_store_csat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        rating = values.parse_rating(tracker.get_slot(slots.CSAT_RATING))
        ticket_id = tracker.get_slot(slots.HANDOFF_TICKET_ID)
        done = [SlotSet(slots.HANDOFF_TICKET_ID, None)]
        if rating is None or not ticket_id:
            dispatcher.utter_message(response="utter_csat_skipped")
            return done
        try:
            await off_loop(backend().ticketing.rate, int(ticket_id), rating)
        except (ServiceUnavailable, ServiceRefused) as exc:
            # The rating is still in the conversation (slot csat_rating); only the ticket copy is missing.
            logger.warning("CSAT for ticket %s not stored on the ticket: %s", ticket_id, exc)
        dispatcher.utter_message(response="utter_csat_thanks")
        return done
