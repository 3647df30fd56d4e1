"""Honest uncertainty: ask once to rephrase with the likely topics, then admit it and offer a person."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.handover import hand_over

FALLBACK_INTENT = "nlu_fallback"
MAX_SUGGESTIONS = 3
# Intents worth offering as a button; small talk and yes/no are never what a confused customer meant.
SUGGESTIBLE_INTENTS = (
    "check_order_status",
    "cancel_order",
    "request_refund",
    "check_refund_status",
    "check_balance",
    "get_invoice",
    "payment_issue",
    "reset_password",
    "update_account",
    "delete_account",
    "complaint",
    "faq",
    "request_human",
)


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the customer's latest messages in a row the bot did not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


# Bot answers that mean "we are not getting anywhere" (besides every utter_invalid_* re-ask hint).
CONFUSION_RESPONSES = (
    "utter_ask_rephrase",
    "utter_dont_know_offer_human",
    "utter_offer_human_after_failures",
)
LOOP_WINDOW_MESSAGES = 8
LOOP_THRESHOLD = 3


def confusions_in_recent_turns(tracker: Tracker, window: int = LOOP_WINDOW_MESSAGES) -> int:
    """How many of the customer's last `window` messages ended in a fallback or a confused answer."""
    confused_turns = 0
    turns = 0
    turn_confused = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "bot":
            response = (event.get("metadata") or {}).get("utter_action") or ""
            turn_confused |= response in CONFUSION_RESPONSES or response.startswith("utter_invalid_")
        elif kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            confused_turns += turn_confused or intent == FALLBACK_INTENT
            turn_confused = False
            turns += 1
            if turns == window:
                break
    return confused_turns


def escalation_loop(tracker: Tracker) -> bool:
    """Bot and customer ping-ponging through fallbacks and clarifications: time for a person, unasked."""
    return confusions_in_recent_turns(tracker) >= LOOP_THRESHOLD


def suggestion_buttons(tracker: Tracker, domain: DomainDict) -> List[Dict[str, str]]:
    """Buttons for the likeliest intents, titled with their `utter_topic_<intent>` response text."""
    responses = domain.get("responses", {})
    buttons = []
    for ranked in tracker.latest_message.get("intent_ranking", []):
        name = ranked.get("name")
        title_variants = responses.get(f"utter_topic_{name}")
        if name in SUGGESTIBLE_INTENTS and title_variants:
            buttons.append({"title": title_variants[0]["text"], "payload": f"/{name}"})
        if len(buttons) == MAX_SUGGESTIONS:
            break
    return buttons


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        events: List[EventType] = []
        if escalation_loop(tracker):
            return hand_over(slots.REASON_ESCALATION_LOOP)
        if consecutive_fallbacks(tracker) <= 1:
            buttons = suggestion_buttons(tracker, domain)
            buttons.append(
                {
                    "title": domain["responses"]["utter_topic_request_human"][0]["text"],
                    "payload": "/request_human",
                }
            )
            dispatcher.utter_message(response="utter_ask_rephrase", buttons=_unique(buttons))
            return events
        dispatcher.utter_message(response="utter_dont_know_offer_human")
        return [SlotSet(slots.HANDOFF_REASON, slots.REASON_LOW_CONFIDENCE)]


def _unique(buttons: List[Dict[str, str]]) -> List[Dict[str, str]]:
    seen = set()
    unique = []
    for button in buttons:
        key = json.dumps(button, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(button)
    return unique


class ActionAskWhatToDo(Action):
    """An order number or email given out of the blue: offer what can be done with it instead of guessing."""

    def name(self) -> str:
        return "action_ask_what_to_do"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        if tracker.get_slot(slots.ORDER_ID):
            dispatcher.utter_message(response="utter_ask_what_to_do_with_order")
        else:
            dispatcher.utter_message(response="utter_what_else")
        return []
