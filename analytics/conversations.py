"""Per-conversation facts folded from stored stream events, in time order: the unit every metric counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Optional

from analytics.events import (
    CSAT_SLOT,
    EDITED,
    FALLBACK_INTENT,
    SOURCE_BACKEND,
    SOURCE_CONSOLE,
    StreamEvent,
)
from common.event_stream import (
    AGENT_REPLIED,
    HANDOFF_RATED,
    SUGGESTION_SENT,
    TICKET_CLAIMED,
    TICKET_RATED,
    TICKET_RESOLVED,
    TICKET_TRANSFERRED,
    TICKET_UNASSIGNED,
)
from common.vocabulary import (
    ACTION_HANDOFF,
    HANDOFF_REASON_SLOT,
    KB_ARTICLE_ID_SLOT,
    KB_ARTICLE_VERSION_SLOT,
    HandoffReason,
)

# Customer messages that say nothing about a need: a chat made only of these is not a bot conversation.
SMALL_TALK_INTENTS = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "stop", "bot_challenge"})
CONFIRMING_INTENTS = frozenset({"thank"})
CLARIFYING_RESPONSES = (
    "utter_ask_rephrase",
    "utter_dont_know_offer_human",
    "utter_offer_human_after_failures",
)
CLARIFYING_PREFIX = "utter_invalid_"
UNKNOWN = "unknown"
# What a new conversation hears when the store's systems fail (actions/session.py) before it goes to a person.
DEGRADED_RESPONSE = "utter_backend_unavailable"
# NLU's intent for a question about the store's policies (data/rules.yml: answered by action_answer_faq).
STORE_QUESTION_INTENT = "faq"
# The knowledge base had no article good enough: "I don't know", with a person offered (actions/faq.py).
KB_ABSTENTION_RESPONSE = "utter_dont_know_offer_human"


@dataclass(frozen=True)
class KbAnswer:
    """One answer the bot gave from a knowledge-base article (the kb_article_id/kb_article_version slots)."""

    article_id: str
    version: str
    at: float

    @property
    def article(self) -> str:
        return f"{self.article_id}@{self.version}"


@dataclass(frozen=True)
class SuggestionUse:
    """One reply an agent sent from an agent-assist draft (the console's suggestion_sent event)."""

    kind: str
    edited: bool
    # Levenshtein distance / length of the longer text: 0.0 sent as suggested, 1.0 nothing of it kept.
    edit_rate: float
    at: float
    # id@version of a knowledge-base draft's article.
    article: Optional[str] = None


@dataclass
class ConversationFacts:
    conversation_id: str
    channel: str = UNKNOWN
    model_id: str = UNKNOWN
    intent: str = UNKNOWN
    language: str = UNKNOWN
    started_at: Optional[float] = None
    last_event_at: float = 0.0
    customer_messages: int = 0
    fallback_messages: int = 0
    fallback_texts: List[str] = field(default_factory=list)
    clarifications: int = 0
    handed_off: bool = False
    handoff_reason: Optional[str] = None
    handoff_at: Optional[float] = None
    first_bot_response_seconds: Optional[float] = None
    first_human_response_seconds: Optional[float] = None
    handle_seconds: Optional[float] = None
    confirmed: bool = False
    last_message_understood: bool = True
    form_open_at_end: bool = False
    csat: Optional[int] = None
    handoff_quality: Optional[int] = None
    # The first thing the bot said was that the store's systems are down (sent to a person at once).
    degraded: bool = False
    kb_answers: List[KbAnswer] = field(default_factory=list)
    store_questions: int = 0
    kb_abstentions: int = 0
    suggestions_sent: List[SuggestionUse] = field(default_factory=list)

    @property
    def is_bot_conversation(self) -> bool:
        return self.intent != UNKNOWN

    def settled(self, as_of: float, settle_seconds: float) -> bool:
        return as_of - self.last_event_at >= settle_seconds

    @property
    def abandoned(self) -> bool:
        return self.form_open_at_end and not self.handed_off

    @property
    def resolved(self) -> bool:
        return not self.handed_off and not self.abandoned and self.last_message_understood

    @property
    def answered_from_kb(self) -> bool:
        return bool(self.kb_answers)

    @property
    def kb_articles(self) -> List[str]:
        """The articles answered from (id@version), each once, in the order first used."""
        return list(dict.fromkeys(answer.article for answer in self.kb_answers))

    @property
    def counted_from(self) -> Optional[float]:
        """When the conversation counts in a day or week: its first customer message; for a ticket that never
        was a bot conversation (an email), the first reply an agent sent in it from a suggestion."""
        if self.started_at is not None:
            return self.started_at
        return self.suggestions_sent[0].at if self.suggestions_sent else None

    def handed_off_after(self, answer: KbAnswer) -> bool:
        """Whether the conversation went to a person after this answer (a sign it did not do the job)."""
        return self.handoff_at is not None and self.handoff_at >= answer.at


class _Folder:
    """Walks one conversation's events in order and fills its facts."""

    def __init__(self, conversation_id: str) -> None:
        self.facts = ConversationFacts(conversation_id)
        self.first_customer_at: Optional[float] = None
        self.pending_reason: Optional[str] = None
        self.awaiting_reason = False
        self.spoke_first = False
        self.last_intent: Optional[str] = None
        self.answered_since_customer = False
        self.assigned_since: Optional[float] = None
        self.handled = 0.0
        self.resolved_by_agent = False
        # A store question the bot has not answered yet: its first answer tells whether the KB abstained (one
        # a person answers, the bot being paused after a handoff, never reached the KB and is not counted).
        self.store_question_open = False

    def add(self, event: StreamEvent) -> None:
        facts = self.facts
        facts.last_event_at = max(facts.last_event_at, event.occurred_at)
        if event.source == SOURCE_CONSOLE:
            self._console(event)
            return
        if event.source == SOURCE_BACKEND:
            # The ticket's copy of the rating counts when the conversation's own (the csat_rating slot) is
            # missing, e.g. a rating given on another channel; a ticket opening adds nothing the handoff lacks.
            if event.kind == TICKET_RATED and facts.csat is None and event.value and event.value.isdigit():
                facts.csat = int(event.value)
            return
        if event.model_id and facts.model_id == UNKNOWN:
            facts.model_id = event.model_id
        handler = getattr(self, f"_{event.kind}", None)
        if handler is not None:
            handler(event)

    def _user(self, event: StreamEvent) -> None:
        facts = self.facts
        self.awaiting_reason = False
        facts.customer_messages += 1
        intent = event.name or UNKNOWN
        self.store_question_open = intent == STORE_QUESTION_INTENT
        if facts.started_at is None:
            facts.started_at = event.occurred_at
            facts.channel = event.channel or UNKNOWN
        if self.first_customer_at is None:
            self.first_customer_at = event.occurred_at
            if self.spoke_first:  # what the bot said at session start went out in answer to this message
                facts.first_bot_response_seconds = 0.0
        if facts.intent == UNKNOWN and intent not in SMALL_TALK_INTENTS and intent != UNKNOWN:
            facts.intent = intent
        # Inside a form a free-text answer is an answer whatever NLU made of it (a rating of "5", a name):
        # only messages outside forms can be fallbacks; bad answers show as clarifications instead.
        understood = intent != FALLBACK_INTENT or facts.form_open_at_end
        facts.last_message_understood = understood
        if not understood:
            facts.fallback_messages += 1
            if event.text:
                facts.fallback_texts.append(event.text)
        # Thanks after a bot answer confirms it; thanks to a person (or with nothing answered) does not.
        facts.confirmed = (
            intent in CONFIRMING_INTENTS and self.answered_since_customer and not facts.handed_off
        ) or (facts.confirmed and intent in SMALL_TALK_INTENTS)
        self.last_intent = intent
        self.answered_since_customer = False

    def _bot(self, event: StreamEvent) -> None:
        facts = self.facts
        if event.agent:
            return
        response = event.name or ""
        if response in CLARIFYING_RESPONSES or response.startswith(CLARIFYING_PREFIX):
            facts.clarifications += 1
        if self.store_question_open:
            self.store_question_open = False
            facts.store_questions += 1
            facts.kb_abstentions += response == KB_ABSTENTION_RESPONSE
        if facts.first_bot_response_seconds is None and response == DEGRADED_RESPONSE:
            # Said at session start, before the first message is logged, and sent in answer to it.
            facts.degraded = True
        if self.first_customer_at is None:
            self.spoke_first = True
        elif facts.first_bot_response_seconds is None:
            facts.first_bot_response_seconds = event.occurred_at - self.first_customer_at
        self.answered_since_customer = True

    def _slot(self, event: StreamEvent) -> None:
        if event.name == HANDOFF_REASON_SLOT and event.value:
            # Before the handoff: the reason the deciding action set. Right after it: the reason
            # action_handoff recorded having used (authoritative, inferred reasons included).
            if self.awaiting_reason:
                self.facts.handoff_reason = event.value
                self.awaiting_reason = False
            self.pending_reason = event.value
        elif event.name == CSAT_SLOT and event.value and event.value.isdigit():
            self.facts.csat = int(event.value)
        elif event.name == KB_ARTICLE_ID_SLOT and event.value:
            # Every answer from an article sets both slots, the id first (actions/faq.py, Rasa keeps the order).
            self.facts.kb_answers.append(KbAnswer(event.value, UNKNOWN, event.occurred_at))
        elif event.name == KB_ARTICLE_VERSION_SLOT and event.value and self.facts.kb_answers:
            answers = self.facts.kb_answers
            if answers[-1].version == UNKNOWN:
                answers[-1] = replace(answers[-1], version=event.value)

    def _action(self, event: StreamEvent) -> None:
        facts = self.facts
        if event.name == ACTION_HANDOFF and not facts.handed_off:
            facts.handed_off = True
            facts.handoff_at = event.occurred_at
            self.awaiting_reason = True
            facts.handoff_reason = self.pending_reason or (
                HandoffReason.SENSITIVE_TOPIC.value
                if self.last_intent == "sensitive_topic"
                else HandoffReason.USER_REQUESTED.value
            )

    def _active_loop(self, event: StreamEvent) -> None:
        self.facts.form_open_at_end = bool(event.name)

    def _console(self, event: StreamEvent) -> None:
        facts = self.facts
        if event.kind in (TICKET_CLAIMED, TICKET_TRANSFERRED):
            if self.assigned_since is None:
                self.assigned_since = event.occurred_at
        elif event.kind in (TICKET_UNASSIGNED, TICKET_RESOLVED):
            if self.assigned_since is not None:
                self.handled += event.occurred_at - self.assigned_since
                self.assigned_since = None
            if event.kind == TICKET_RESOLVED:
                facts.handle_seconds = self.handled
        elif event.kind == AGENT_REPLIED:
            if facts.handoff_at is not None and facts.first_human_response_seconds is None:
                facts.first_human_response_seconds = event.occurred_at - facts.handoff_at
        elif event.kind == HANDOFF_RATED and event.value and event.value.isdigit():
            facts.handoff_quality = int(event.value)
        elif event.kind == SUGGESTION_SENT and event.confidence is not None:
            facts.suggestions_sent.append(
                SuggestionUse(
                    kind=event.name or UNKNOWN,
                    edited=event.value == EDITED,
                    edit_rate=event.confidence,
                    at=event.occurred_at,
                    article=event.text,
                )
            )


def fold(events: Iterable[StreamEvent]) -> List[ConversationFacts]:
    """Facts for every conversation the events mention; events may come in any order."""
    by_conversation: Dict[str, List[StreamEvent]] = defaultdict(list)
    for event in events:
        by_conversation[event.conversation_id].append(event)
    facts = []
    for conversation_id, items in by_conversation.items():
        folder = _Folder(conversation_id)
        for event in sorted(items, key=lambda each: (each.occurred_at, each.source != SOURCE_CONSOLE)):
            folder.add(event)
        facts.append(folder.facts)
    return facts
