"""Requests a store gets that the assistant can't carry out (change an order, open an account, ...).

The answer says so in one line (`utter_cannot_<intent>`), then gives the route from the knowledge-base
article and offers a person. No flow starts: these requests used to be mistaken for account changes,
cancellations and deletions.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.faq import article_for_topic

# Each unsupported request and the knowledge-base article (data/kb, by topic) that gives its route.
ROUTES = {
    "change_order": "order_changes",
    "place_order": "placing_orders",
    "account_registration": "accounts",
    "add_delivery_address": "delivery_addresses",
    "newsletter": "newsletter",
    "leave_review": "reviews",
}


class ActionExplainUnsupported(Action):
    def name(self) -> str:
        return "action_explain_unsupported"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        article = article_for_topic(ROUTES.get(intent))
        if article is None:
            dispatcher.utter_message(response="utter_dont_know_offer_human")
            return [SlotSet(slots.HANDOFF_REASON, slots.REASON_LOW_CONFIDENCE)]
        dispatcher.utter_message(response=f"utter_cannot_{intent}")
        dispatcher.utter_message(
            response="utter_kb_route", faq_answer=article.answer, faq_title=article.title, faq_url=article.url
        )
        return [
            SlotSet(slots.KB_ARTICLE_ID, article.id),
            SlotSet(slots.KB_ARTICLE_VERSION, str(article.version)),
        ]
