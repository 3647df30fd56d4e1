"""The customer's 1-5 satisfaction rating: after a person resolved their conversation, and once after the bot
itself helped (a thank-you after a finished request), so CSAT can be compared between bots and people."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots, values
from actions.backend import backend
from actions.blocking import off_loop
from actions.conversation import finished_a_request
from actions.forms import FrontdeskFormValidation
from clients.http import ServiceRefused, ServiceUnavailable
from common.vocabulary import ACTION_HANDOFF

logger = logging.getLogger(__name__)
SKIPPED = "skipped"
CSAT_FORM = "csat_form"


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
        if rating is None:
            dispatcher.utter_message(response="utter_csat_skipped")
            return done
        # The rating stays in the conversation (slot csat_rating, read by analytics); a handed-over one is
        # also copied to its ticket for the agents.
        if ticket_id:
            try:
                await off_loop(backend().ticketing.rate, int(ticket_id), rating)
            except (ServiceUnavailable, ServiceRefused) as exc:
                logger.warning("CSAT for ticket %s not stored on the ticket: %s", ticket_id, exc)
        dispatcher.utter_message(response="utter_csat_thanks")
        return done


def bot_rating_due(tracker: Tracker) -> bool:
    """Ask once, in a conversation the bot handled alone, after it finished something the customer asked for."""
    handed_over = any(
        event.get("event") == "action" and event.get("name") == ACTION_HANDOFF for event in tracker.events
    )
    asked_before = tracker.get_slot(slots.CSAT_RATING) is not None or any(
        event.get("event") == "active_loop" and event.get("name") == CSAT_FORM for event in tracker.events
    )
    return finished_a_request(tracker) and not handed_over and not asked_before


class ActionThankYou(Action):
    """ "You're welcome", and after the bot finished a request on its own, the same 1-5 rating question a
    person's conversation gets (asked once; any other answer skips it)."""

    def name(self) -> str:
        return "action_thank_you"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_youre_welcome")
        return [FollowupAction(CSAT_FORM)] if bot_rating_due(tracker) else []
