"""The metrics of analytics/definitions.py computed over conversation facts, with their intervals."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from analytics.conversations import ConversationFacts
from analytics.definitions import DIMENSIONS, GOOD_RATINGS, SETTLE_SECONDS
from analytics.stats import Estimate, bootstrap_quantile, wilson


@dataclass(frozen=True)
class Duration:
    median: Estimate
    p90: Estimate
    # Conversations the metric applies to that had no such time yet (never answered, not resolved).
    missing: int


@dataclass
class MetricSet:
    conversations: int
    proportions: Dict[str, Estimate] = field(default_factory=dict)
    durations: Dict[str, Duration] = field(default_factory=dict)
    handoff_reasons: Dict[str, int] = field(default_factory=dict)
    pending: int = 0
    # Bot conversations sent to a person at once because the store's systems were failing.
    degraded: int = 0
    # Answers given from knowledge-base articles (a conversation may have several).
    kb_answers: int = 0
    # Replies agents sent from agent-assist drafts, and the mean of their edit rates (None without any).
    suggestions_sent: int = 0
    mean_edit_rate: Optional[float] = None


def _share(items: Sequence[ConversationFacts], hit: Callable[[ConversationFacts], bool]) -> Estimate:
    return wilson(sum(1 for each in items if hit(each)), len(items))


def _csat(items: Sequence[ConversationFacts]) -> Estimate:
    rated = [each for each in items if each.csat is not None]
    return _share(rated, lambda each: each.csat in GOOD_RATINGS)


def _duration(values: Sequence[Optional[float]]) -> Duration:
    present = [value for value in values if value is not None]
    return Duration(
        bootstrap_quantile(present, 0.5), bootstrap_quantile(present, 0.9), len(values) - len(present)
    )


def compute(
    facts: Sequence[ConversationFacts], *, as_of: float, settle_seconds: float = SETTLE_SECONDS
) -> MetricSet:
    """Every metric over the bot conversations among `facts`, as things stood at `as_of` (unix seconds)."""
    bot = [each for each in facts if each.is_bot_conversation]
    settled = [each for each in bot if each.settled(as_of, settle_seconds)]
    handed = [each for each in bot if each.handed_off]
    bot_only = [each for each in bot if not each.handed_off]
    from_kb = [each for each in bot if each.answered_from_kb]
    messages = sum(each.customer_messages for each in bot)
    # Agents reply in every conversation handed to them, bot conversations or not (an email ticket).
    suggestions = [use for each in facts for use in each.suggestions_sent]
    result = MetricSet(
        conversations=len(bot),
        pending=len(bot) - len(settled),
        degraded=sum(1 for each in bot if each.degraded),
        kb_answers=sum(len(each.kb_answers) for each in bot),
        suggestions_sent=len(suggestions),
        mean_edit_rate=(
            sum(use.edit_rate for use in suggestions) / len(suggestions) if suggestions else None
        ),
    )
    result.proportions = {
        "containment": _share(bot, lambda each: not each.handed_off),
        "resolution": _share(settled, lambda each: each.resolved),
        "escalation": _share(bot, lambda each: each.handed_off),
        "csat_bot": _csat(bot_only),
        "csat_human": _csat(handed),
        "fallback_rate": wilson(sum(each.fallback_messages for each in bot), messages),
        "repeated_clarifications": _share(bot, lambda each: each.clarifications >= 2),
        "escalation_loops": _share(bot, lambda each: each.handoff_reason == "escalation_loop"),
        "abandonment": _share(settled, lambda each: each.abandoned),
        "handoff_quality": _share(
            [each for each in handed if each.handoff_quality is not None],
            lambda each: each.handoff_quality in GOOD_RATINGS,
        ),
        "kb_answered": _share(bot, lambda each: each.answered_from_kb),
        "kb_abstention": wilson(
            sum(each.kb_abstentions for each in bot), sum(each.store_questions for each in bot)
        ),
        "kb_containment": _share(from_kb, lambda each: not each.handed_off),
        "agent_edit_rate": wilson(sum(1 for use in suggestions if use.edited), len(suggestions)),
    }
    result.durations = {
        "first_response_bot": _duration([each.first_bot_response_seconds for each in bot]),
        "first_response_human": _duration([each.first_human_response_seconds for each in handed]),
        "handle_time": _duration([each.handle_seconds for each in handed]),
    }
    result.handoff_reasons = dict(Counter(each.handoff_reason or "unknown" for each in handed))
    return result


def breakdown(
    facts: Sequence[ConversationFacts],
    dimension: str,
    *,
    as_of: float,
    settle_seconds: float = SETTLE_SECONDS,
) -> Dict[str, MetricSet]:
    """The metrics per value of one dimension (channel, intent, model_id or language)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; one of {', '.join(DIMENSIONS)}")
    groups: Dict[str, List[ConversationFacts]] = defaultdict(list)
    for each in facts:
        groups[getattr(each, dimension)].append(each)
    return {
        value: compute(items, as_of=as_of, settle_seconds=settle_seconds)
        for value, items in sorted(groups.items())
    }


def top_fallback_messages(facts: Sequence[ConversationFacts], limit: int = 10) -> List[Tuple[str, int]]:
    """The redacted customer messages the bot most often did not understand."""
    counts = Counter(text.lower().strip() for each in facts for text in each.fallback_texts)
    return counts.most_common(limit)
