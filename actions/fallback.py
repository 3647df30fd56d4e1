"""Honest uncertainty: ask once to rephrase with the likely topics, then admit it and offer a person.

A sensitive flow NLU was not sure of (nlu_components/sensitive_flow_guard.py) gets a one-line yes/no
question instead ("Do you want to cancel an order with us?"). Guesses offered as buttons are never
sensitive or destructive: a wrong guess there costs a customer an order or an account.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.blocking import off_loop
from actions.entry import FLOW_STARTS
from actions.faq import article_for_question, send_article
from actions.formatting import phrase, response_text
from actions.handover import ACTION_HANDOFF, hand_over

FALLBACK_INTENT = "nlu_fallback"
# Set by the NLU guard on a sensitive intent it did not let through.
GUARDED_INTENT = "guarded_intent"
MAX_SUGGESTIONS = 3
# A guess below this confidence is noise, not a suggestion.
MIN_SUGGESTION_CONFIDENCE = 0.15
# Intents worth offering as a button: what a confused customer may have meant, and harmless if not.
# Small talk and yes/no never are; refunds, cancellations and account changes are never guessed.
SUGGESTIBLE_INTENTS = (
    "check_order_status",
    "report_missing_parcel",
    "check_refund_status",
    "check_balance",
    "get_invoice",
    "payment_issue",
    "complaint",
    "faq",
)
# How far back an earlier unclear message counts: the second one in this many gets a person offered.
UNCLEAR_WINDOW = 3


def recent_fallbacks(tracker: Tracker, window: int = UNCLEAR_WINDOW) -> int:
    """How many of the customer's latest `window` messages the bot did not understand."""
    count = 0
    seen = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        count += intent == FALLBACK_INTENT
        seen += 1
        if seen == window:
            break
    return count


# Bot answers that mean "we are not getting anywhere" (besides every utter_invalid_* re-ask hint).
CONFUSION_RESPONSES = (
    "utter_ask_rephrase",
    "utter_default",
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
    buttons = []
    for ranked in tracker.latest_message.get("intent_ranking", []):
        name = ranked.get("name")
        title = response_text(domain, f"utter_topic_{name}")
        confident = float(ranked.get("confidence") or 0) >= MIN_SUGGESTION_CONFIDENCE
        if name in SUGGESTIBLE_INTENTS and title and confident:
            buttons.append({"title": title, "payload": f"/{name}"})
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
        first_unclear = recent_fallbacks(tracker) <= 1
        guarded = tracker.latest_message.get(GUARDED_INTENT)
        if first_unclear and guarded and response_text(domain, f"utter_confirm_{guarded}"):
            dispatcher.utter_message(response=f"utter_confirm_{guarded}")
            return events
        # A question that matches no flow may still be one the knowledge base answers (never a guarded
        # flow: "Do you want to cancel?" is asked above instead).
        text = str(tracker.latest_message.get("text") or "")
        article = None if guarded else await off_loop(article_for_question, text)
        if article is not None:
            return send_article(dispatcher, article)
        if first_unclear:
            buttons = suggestion_buttons(tracker, domain)
            buttons.append(
                {"title": phrase(domain, "utter_topic_request_human"), "payload": "/request_human"}
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


# Questions the bot ends with that a plain "yes" answers by bringing in a person.
OFFERS_OF_A_PERSON = (
    "utter_dont_know_offer_human",
    "utter_offer_human_after_failures",
    "utter_kb_route",
    "utter_lookup_limit_reached",
    "utter_too_many_codes",
    "utter_request_failed",
    "utter_missing_parcel_too_late",
)
CONFIRM_PREFIX = "utter_confirm_"


def last_bot_response(tracker: Tracker) -> str:
    """The response the bot last sent before the customer's latest message ('' if none)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return ""
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            return str((event.get("metadata") or {}).get("utter_action") or "")
    return ""


class ActionAnswerYes(Action):
    """A typed "yes" outside a form answers the bot's last question: a person, or the flow it checked."""

    def name(self) -> str:
        return "action_answer_yes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        asked = last_bot_response(tracker)
        if asked in OFFERS_OF_A_PERSON:
            return [FollowupAction(ACTION_HANDOFF)]
        # Imported here: actions.channel_link needs actions.verification, which needs this module.
        from actions.channel_link import ACTION_LINK_CHANNEL, OFFER

        if asked == OFFER:
            return [FollowupAction(ACTION_LINK_CHANNEL)]
        flow = FLOW_STARTS.get(asked[len(CONFIRM_PREFIX) :]) if asked.startswith(CONFIRM_PREFIX) else None
        if flow:
            return [FollowupAction(flow)]
        dispatcher.utter_message(response="utter_what_else")
        return []
