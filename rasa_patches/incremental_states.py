"""The policies' past states of a conversation, extended by the new events instead of rebuilt per prediction.

Rasa 3.6 `Domain.states_for_tracker_history` replays every applied event of the session on a fresh copy of
the tracker and turns the tracker before each action into a state, for every prediction of every policy
(MemoizationPolicy and RulePolicy here, about 2.3 predictions per message). At turn 200 of one session that
is 1746 events replayed per call: one prediction cost 2.7 ms of CPU at turn 10 and 33.9 ms at turn 200
(bench/LONG_AND_CAPACITY.md), although each new message adds a handful of events.

The replay only appends: the states of a history's first actions are the same whatever comes after them.
So each tracker keeps, per set of options (domain, `omit_unset_slots`, `ignore_rule_only_turns`,
`rule_only_data`), the replayed tracker, the states so far and the loop's two variables, with the applied
events they came from. A call whose applied events begin with exactly those event objects (compared by
identity) replays only the rest; any other history (a rewind, a restart, another tracker) is replayed from
the start as Rasa does. The state after the last event, which depends on what follows, is never kept.
Callers get copies of the states (Rasa's featurizers change states in place), so nothing kept is ever
changed. The loop below is Rasa's, step for step, so the states are the same list Rasa builds:
`tests/rasa_patches/test_incremental_states.py` compares them after every event of random conversations.

The tracker keeps these as an attribute and the tracker cache (`privacy/tracker_cache.py`) hands the same
tracker object to the next message of the conversation, so the replay carries over between messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

# Rasa's own method, kept for the tests' comparison.
RASA_STATES_FOR_TRACKER_HISTORY = Domain.states_for_tracker_history
_ATTRIBUTE = "_frontdesk_past_states"


@dataclass
class _Replay:
    """Rasa's loop stopped after `events`: its replayed tracker, states so far and loop variables."""

    domain: Domain
    replayed: DialogueStateTracker
    events: List[Event] = field(default_factory=list)
    states: List[State] = field(default_factory=list)
    last_ml_action_sub_state: Optional[Dict[str, str]] = None
    turn_was_hidden: bool = False


def _copy(state: State) -> State:
    """Each sub-state copied: Rasa's featurizers pop keys from them (sub-state values are immutable)."""
    return {kind: dict(sub_state) for kind, sub_state in state.items()}


def _step(
    replay: _Replay,
    hide_rule_turn: bool,
    states: List[State],
    options: Tuple[bool, bool, Optional[Dict[str, Any]]],
) -> Tuple[Optional[Dict[str, str]], bool]:
    """One turn of Rasa's loop in `states_for_tracker_history`, on the replayed tracker as it stands;
    returns the loop's two variables."""
    omit_unset_slots, ignore_rule_only_turns, rule_only_data = options
    domain, tracker = replay.domain, replay.replayed
    last_ml_action_sub_state, turn_was_hidden = replay.last_ml_action_sub_state, replay.turn_was_hidden
    if ignore_rule_only_turns:
        if not turn_was_hidden:
            last_ml_action_sub_state = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and tracker.latest_action_name != tracker.active_loop_name:
            turn_was_hidden = hide_rule_turn
        if turn_was_hidden:
            return last_ml_action_sub_state, turn_was_hidden
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = last_ml_action_sub_state
    states.append(domain._clean_state(state))
    return last_ml_action_sub_state, turn_was_hidden


def _resumable(replay: Optional[_Replay], domain: Domain, applied: List[Event]) -> bool:
    if replay is None or replay.domain is not domain or len(replay.events) > len(applied):
        return False
    return all(kept is new for kept, new in zip(replay.events, applied, strict=False))


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[State]:
    if type(tracker) is not DialogueStateTracker:
        # Training's trackers (TrackerWithCachedStates, each asked once): keeping a replay per tracker would
        # only cost memory.
        return RASA_STATES_FOR_TRACKER_HISTORY(
            self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    options = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    rules = json.dumps(rule_only_data, sort_keys=True, default=repr)
    key = (id(self), omit_unset_slots, ignore_rule_only_turns, rules)
    kept: Dict[Any, _Replay] = tracker.__dict__.setdefault(_ATTRIBUTE, {})
    applied = tracker.applied_events()
    replay = kept.get(key)
    if replay is None or not _resumable(replay, self, applied):
        replay = kept[key] = _Replay(domain=self, replayed=tracker.init_copy())

    for event in applied[len(replay.events) :]:
        if isinstance(event, ActionExecuted):
            replay.last_ml_action_sub_state, replay.turn_was_hidden = _step(
                replay, event.hide_rule_turn, replay.states, options
            )
        replay.replayed.update(event)
    replay.events = applied

    # The state after the last event: computed on copies, since the next message's events follow it.
    states = [_copy(state) for state in replay.states]
    _step(replay, False, states, options)
    if len(states) > len(replay.states):
        states[-1] = _copy(states[-1])
    return states


def apply() -> None:
    Domain.states_for_tracker_history = states_for_tracker_history
