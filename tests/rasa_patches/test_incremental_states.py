"""The past states extended by new events are exactly the states Rasa rebuilds from the whole history."""

from __future__ import annotations

import random
from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

import nlu_components  # noqa: F401  (importing our components applies the patches, as in `rasa run`)
from common.paths import DOMAIN_PATH
from rasa_patches import incremental_states

DOMAIN = Domain.load(str(DOMAIN_PATH))
OPTIONS: List[Dict[str, Any]] = [
    {},
    {"omit_unset_slots": True},
    {"ignore_rule_only_turns": True, "rule_only_data": {"slots": ["requested_slot"], "loops": []}},
    {"ignore_rule_only_turns": True, "rule_only_data": {"slots": [], "loops": [DOMAIN.form_names[0]]}},
]


def rasa_states(tracker: DialogueStateTracker, options: Dict[str, Any]) -> List[Any]:
    return incremental_states.RASA_STATES_FOR_TRACKER_HISTORY(DOMAIN, tracker, **options)


def random_event(rng: random.Random) -> Event:
    slots = [slot for slot in DOMAIN.slots if slot.influence_conversation] or DOMAIN.slots
    kind = rng.random()
    if kind < 0.25:
        intent = rng.choice(DOMAIN.intents)
        entities = (
            [{"entity": rng.choice(DOMAIN.entities), "value": "x"}]
            if DOMAIN.entities and rng.random() < 0.3
            else []
        )
        return UserUttered(f"text {rng.random()}", {"name": intent, "confidence": 0.9}, entities)
    if kind < 0.55:
        return ActionExecuted(rng.choice(DOMAIN.action_names_or_texts), hide_rule_turn=rng.random() < 0.2)
    if kind < 0.62:
        return ActionExecuted("action_listen")
    if kind < 0.75:
        slot = rng.choice(slots)
        value: Optional[Any] = rng.choice([None, True, "a value", 1.0, ["a", "b"]])
        return SlotSet(slot.name, value)
    if kind < 0.80:
        return ActiveLoop(rng.choice([None, *DOMAIN.form_names]))
    if kind < 0.84:
        return BotUttered("a reply")
    if kind < 0.87:
        return FollowupAction(rng.choice(DOMAIN.action_names_or_texts))
    if kind < 0.91:
        return UserUtteranceReverted()
    if kind < 0.95:
        return ActionReverted()
    if kind < 0.975:
        return SessionStarted()
    return Restarted()


@pytest.mark.parametrize("seed", range(12))
def test_states_after_every_event_equal_rasas_rebuild(seed: int) -> None:
    rng = random.Random(seed)
    tracker = DialogueStateTracker(f"conversation-{seed}", DOMAIN.slots)
    for _ in range(120):
        tracker.update(random_event(rng))
        for options in rng.sample(OPTIONS, k=2):  # the policies ask with different options, in any order
            got = DOMAIN.states_for_tracker_history(tracker, **options)
            assert got == rasa_states(tracker, options)
            if got:  # Rasa's featurizers change states in place: what is kept must not change with them
                got[-1].clear()
                got[0].pop("prev_action", None)
    assert incremental_states._ATTRIBUTE in tracker.__dict__  # the kept replay was used, not bypassed


def test_a_long_session_is_extended_not_replayed(monkeypatch: pytest.MonkeyPatch) -> None:
    tracker = DialogueStateTracker("long", DOMAIN.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    applied: List[Event] = []
    update = DialogueStateTracker.update

    def counted(self: DialogueStateTracker, event: Event, *args: Any, **kwargs: Any) -> None:
        if self is not tracker:
            applied.append(event)
        update(self, event, *args, **kwargs)

    monkeypatch.setattr(DialogueStateTracker, "update", counted)
    for turn in range(50):
        tracker.update(UserUttered(f"turn {turn}", {"name": DOMAIN.intents[0], "confidence": 0.9}))
        tracker.update(ActionExecuted(DOMAIN.action_names_or_texts[5]))
        tracker.update(ActionExecuted("action_listen"))
        applied.clear()
        assert DOMAIN.states_for_tracker_history(tracker) == rasa_states(tracker, {})
        # Rasa's rebuild replays the whole session (above, through `counted`); ours only the new events.
        replayed_by_rasa = len(tracker.applied_events())
        assert len(applied) == replayed_by_rasa + (3 if turn else len(tracker.applied_events()))
