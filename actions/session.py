"""Session start that keeps a handed-off conversation paused.

Rasa's default action_session_start resets the tracker, which un-pauses it: a customer writing after
the session expired would get the bot back while an agent still has the conversation.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import slots


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
        events.append(ActionExecuted("action_listen"))
        return events
