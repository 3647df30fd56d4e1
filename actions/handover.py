"""The one way an action asks for a person: record why, then run action_handoff next."""

from __future__ import annotations

from typing import List

from rasa_sdk.events import EventType, FollowupAction, SlotSet

from actions import slots
from common.vocabulary import ACTION_HANDOFF

__all__ = ["ACTION_HANDOFF", "hand_over"]


def hand_over(reason: str) -> List[EventType]:
    """Events that hand the conversation to a person for `reason` (one of slots.HANDOFF_REASONS)."""
    return [SlotSet(slots.HANDOFF_REASON, reason), FollowupAction(ACTION_HANDOFF)]
