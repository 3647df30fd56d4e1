"""A whole ticket read with a model trained on chat messages: each piece (the subject, then each sentence of
the cleaned body) goes to Rasa's `/model/parse`, and the pieces' readings are added up per queue.

- Every piece votes with its whole intent ranking, not just its top intent: a sentence that is 0.5 refund and
  0.4 order status moves both queues.
- The subject is a summary the customer wrote for us, so it weighs more than one sentence of the body.
- Conversation pieces ("Hi team,", "Thanks in advance") vote for nothing (routing.queue_of is None).
- The raw confidence is the top queue's share of all the votes; calibration.py turns it into a probability
  that the queue is right.
- A piece read as `sensitive_topic` (by the classifier, or by the safety net's phrases inside Rasa) marks the
  ticket sensitive.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from triage.routing import GENERAL, QUEUES, SENSITIVE_INTENT, queue_of

Parse = Callable[[str], Dict[str, Any]]

SUBJECT_WEIGHT = 2.0
# A reply's or forward's subject is the earlier thread's ("Re: Your returns label for order 11054").
REPLY_SUBJECT_WEIGHT = 0.5
REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|tr|rv|r|antw|doorst)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
# The classifier's own sensitive_topic below this is not trusted to make a ticket urgent: written tickets
# are far from the chat messages it learnt from. The safety net's phrases always are (see _sensitive).
SENSITIVE_MIN_CONFIDENCE = 0.99
# How much an intent's confidence counts as a vote for its queue: out_of_scope is what the model says about
# a sentence it has no intent for ("My neighbour heard the whole thing."), a weak hint of `general` at most.
VOTE_WEIGHTS = {"out_of_scope": 0.5}
# One matching word of lexicon.py counts as much as one sentence's whole ranking.
WORD_WEIGHT = 2.0
# Rankings below this add noise, not votes.
MIN_VOTE = 0.02


@dataclass(frozen=True)
class PieceReading:
    text: str
    intent: str
    confidence: float
    weight: float
    ranking: Tuple[Tuple[str, float], ...]
    entities: Tuple[Tuple[str, str], ...]
    faq_topic: Optional[str] = None
    in_subject: bool = False


@dataclass(frozen=True)
class Classification:
    """The ticket's reading: the queue with the most votes and its share, the intent that gave most of it."""

    queue: str
    share: float
    margin: float
    intent: str
    intent_confidence: float
    sensitive: bool
    votes: Dict[str, float] = field(default_factory=dict)
    readings: Tuple[PieceReading, ...] = ()

    def entity_values(self, name: str, *, in_subject: bool) -> List[str]:
        """The values the model's extractors found for one entity in the subject or in the body, in reading
        order, each once."""
        found: List[str] = []
        for reading in self.readings:
            for entity, value in reading.entities:
                if reading.in_subject == in_subject and entity == name and value not in found:
                    found.append(value)
        return found


def reading_of(text: str, weight: float, parsed: Dict[str, Any], in_subject: bool = False) -> PieceReading:
    intent = parsed.get("intent") or {}
    ranking = tuple(
        (str(ranked.get("name")), float(ranked.get("confidence") or 0.0))
        for ranked in parsed.get("intent_ranking") or [intent]
        if ranked.get("name")
    )
    entities = tuple(
        (str(entity.get("entity")), str(entity.get("value")))
        for entity in parsed.get("entities") or []
        if entity.get("entity") and entity.get("value") is not None
    )
    topic = next((value for name, value in entities if name == "faq_topic"), None)
    return PieceReading(
        text=text,
        intent=str(intent.get("name") or "nlu_fallback"),
        confidence=float(intent.get("confidence") or 0.0),
        weight=weight,
        ranking=ranking,
        entities=entities,
        faq_topic=topic,
        in_subject=in_subject,
    )


def read_pieces(subject: str, body_pieces: List[str], parse: Parse) -> List[PieceReading]:
    readings = []
    if subject.strip():
        weight = REPLY_SUBJECT_WEIGHT if REPLY_PREFIX.match(subject) else SUBJECT_WEIGHT
        readings.append(reading_of(subject, weight, parse(subject), in_subject=True))
    for piece in body_pieces:
        readings.append(reading_of(piece, 1.0, parse(piece)))
    return readings


def _sensitive(reading: PieceReading) -> bool:
    """The safety net's phrases (sensitive_topic at 1.0 with every other intent set to 0), or the classifier
    itself all but certain."""
    if reading.intent != SENSITIVE_INTENT:
        return False
    safety_net = reading.confidence >= 1.0 and all(
        confidence == 0.0 for _name, confidence in reading.ranking[1:]
    )
    return safety_net or reading.confidence >= SENSITIVE_MIN_CONFIDENCE


def aggregate(
    readings: List[PieceReading], words: Optional[Dict[str, float]] = None, *, model_votes: bool = True
) -> Classification:
    """The pieces' votes per queue (unless `model_votes` is off: a language the model does not read) plus
    the votes of words (lexicon.py), and the intent behind the winning queue."""
    votes: Dict[str, float] = defaultdict(float)
    intent_votes: Dict[str, float] = defaultdict(float)
    for word_queue, word_vote in (words or {}).items():
        votes[word_queue] += word_vote * WORD_WEIGHT
    for reading in readings if model_votes else []:
        # The sensitive piece's own words also say which team it is for ("I will call my lawyer about
        # the refund"): its ranking below sensitive_topic still votes.
        for intent, confidence in reading.ranking:
            if confidence < MIN_VOTE:
                continue
            intent_queue = queue_of(intent, reading.faq_topic)
            if intent_queue is None:
                continue
            vote = reading.weight * confidence * VOTE_WEIGHTS.get(intent, 1.0)
            votes[intent_queue] += vote
            intent_votes[intent] += vote
    sensitive = any(_sensitive(reading) for reading in readings)
    total = sum(votes.values())
    if total <= 0:
        return Classification(GENERAL, 0.0, 0.0, "none", 0.0, sensitive, {}, tuple(readings))
    ranked = sorted(((votes.get(queue, 0.0), queue) for queue in QUEUES), reverse=True)
    (top_votes, top_queue), (second_votes, _second) = ranked[0], ranked[1]
    top_intent = max(
        (intent for intent in intent_votes if queue_of(intent) == top_queue or intent == "faq"),
        key=lambda intent: intent_votes[intent],
        default="none",
    )
    return Classification(
        queue=top_queue,
        share=top_votes / total,
        margin=(top_votes - second_votes) / total,
        intent=top_intent,
        intent_confidence=intent_votes.get(top_intent, 0.0) / total,
        sensitive=sensitive,
        votes={queue: round(value / total, 4) for queue, value in votes.items()},
        readings=tuple(readings),
    )


def classify(
    subject: str,
    body_pieces: List[str],
    parse: Parse,
    words: Optional[Dict[str, float]] = None,
    *,
    model_votes: bool = True,
) -> Classification:
    return aggregate(read_pieces(subject, body_pieces, parse), words, model_votes=model_votes)
