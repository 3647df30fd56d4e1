"""Session start that keeps a handed-off conversation paused, and sends new conversations to a person at once
while the store's systems are failing.

Rasa's default action_session_start resets the tracker, which un-pauses it: a customer writing after
the session expired would get the bot back while an agent still has the conversation.

Degrading to humans: when a breaker to a store API is open (its calls are failing), a bot that cannot look
anything up would only walk the customer through a form to fail at the end. The new conversation is told so
(utter_backend_unavailable), handed over here (reason backend_unavailable) and paused, so the first message,
which Rasa logs right after this action, waits for the agent instead of starting a flow. (A FollowupAction
would not do: logging the message clears it.) The ticket is queued if ticketing is down too; the pause holds
either way, because the bot could not act anyway.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ConversationPaused,
    EventType,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots
from actions.backend import backend
from actions.handoff import ActionHandoff
from actions.handover import ACTION_HANDOFF
from common.telemetry import DEGRADED


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        if tracker.is_paused():
            # Only what the agent's side needs survives; the new session starts clean otherwise.
            ticket_id = tracker.get_slot(slots.HANDOFF_TICKET_ID)
            if ticket_id:
                events.append(SlotSet(slots.HANDOFF_TICKET_ID, ticket_id))
            events.append(ConversationPaused())
        elif backend().failing():
            DEGRADED.labels("actions").inc()
            dispatcher.utter_message(response="utter_backend_unavailable")
            handed = await ActionHandoff().hand_over(dispatcher, tracker, slots.REASON_BACKEND_UNAVAILABLE)
            # Recorded as Rasa records an action (its ActionExecuted, then its events): metrics count it.
            events += [ActionExecuted(ACTION_HANDOFF), *handed]
            if not any(event.get("event") == "pause" for event in handed):
                events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
