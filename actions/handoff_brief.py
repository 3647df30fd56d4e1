"""The handoff summary written for the person who picks the conversation up.

An agent reads one paragraph ("The customer came about: Where is my order. The bot looked up the order.
Handed over because the customer asked for a person."), the customer's goal, what the bot already did, what is
still open and the verification state in words; the ticket's subject is the customer's topic. Every phrase is
in handoff_briefs.yml; the only facts quoted are the bot's own last answer and the contact the customer gave.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional

import yaml

from actions.conversation import FINISHED_BY
from common.paths import REPO_ROOT
from common.texts import fill
from common.transcript import redact_secrets

BRIEFS_PATH = REPO_ROOT / "handoff_briefs.yml"

# What the customer did not come for: greetings, answers to the bot's questions, small talk.
NOT_A_GOAL = {
    "greet", "goodbye", "thank", "affirm", "deny", "stop", "inform", "bot_challenge", "out_of_scope",
    "nlu_fallback", "request_human",
}  # fmt: skip
UNKNOWN_GOAL = "unknown"
ASKED_FOR_A_PERSON = "request_human"


@dataclass(frozen=True)
class Brief:
    subject: str
    description: str
    goal: str
    done: List[str]
    unresolved: str
    verification: str
    last_answer: Optional[str]

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=1)
def phrases() -> Dict[str, Dict[str, str]]:
    loaded: Dict[str, Dict[str, str]] = yaml.safe_load(BRIEFS_PATH.read_text(encoding="utf-8"))
    return loaded


def goal_intent(intents: Iterable[Optional[str]]) -> str:
    """The customer's first real request; "asked for a person" if that was all; else unknown."""
    seen = [intent for intent in intents if intent]
    for intent in seen:
        if intent not in NOT_A_GOAL and intent in phrases()["goals"]:
            return intent
    return ASKED_FOR_A_PERSON if ASKED_FOR_A_PERSON in seen else UNKNOWN_GOAL


def _actions_and_answers(events: Iterable[Dict[str, Any]]) -> tuple[List[str], Dict[str, str]]:
    """The actions that ran, in order, and the last text each one said."""
    actions: List[str] = []
    answers: Dict[str, str] = {}
    current: Optional[str] = None
    for event in events:
        if event.get("event") == "action":
            current = event.get("name")
            if current and current not in actions:
                actions.append(current)
        elif event.get("event") == "bot" and current and event.get("text"):
            answers[current] = str(event["text"])
    return actions, answers


def verification_words(*, verified: bool, contact: Optional[str], typed_email: Optional[str]) -> str:
    words = phrases()["verification"]
    if verified:
        return fill(words["verified"], {"contact": contact or typed_email or ""})
    if typed_email:
        return fill(words["claimed"], {"email": typed_email})
    return words["unknown"]


def brief(
    events: List[Dict[str, Any]],
    *,
    reason: str,
    verified: bool,
    contact: Optional[str],
    typed_email: Optional[str],
) -> Brief:
    """The summary of a conversation handed over for `reason`, from its tracker events."""
    words = phrases()
    intents = [
        ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        for event in events
        if event.get("event") == "user"
    ]
    goal_name = goal_intent(intents)
    goal = words["goals"][goal_name]
    actions, answers = _actions_and_answers(events)
    done = [words["done"][action] for action in actions if action in words["done"]]
    sentences = words["sentences"]
    done_sentence = (
        fill(sentences["done"], {"actions": "; ".join(done)}) if done else sentences["nothing_done"]
    )
    finished = FINISHED_BY.get(goal_name) in actions
    answered_by = [action for action in actions if action in answers and action in FINISHED_BY.values()]
    last_answer = redact_secrets(answers[answered_by[-1]]) if answered_by else None
    return Brief(
        subject=goal,
        description=fill(
            sentences["description"],
            {"goal": goal, "done": done_sentence, "reason": words["reasons"].get(reason, reason)},
        ),
        goal=goal,
        done=done,
        unresolved=sentences["unresolved_done"]
        if finished
        else fill(sentences["unresolved_open"], {"goal": goal}),
        verification=verification_words(verified=verified, contact=contact, typed_email=typed_email),
        last_answer=fill(sentences["last_answer"], {"answer": last_answer}) if last_answer else None,
    )
