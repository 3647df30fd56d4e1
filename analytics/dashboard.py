"""What the support leads' dashboard and `make report` show, built once from conversation facts: every
metric with its interval, per day and per week, handoff reasons, CSAT bot vs human, the top fallback
messages (redacted at ingestion), the knowledge-base articles most answered from (with the handovers that
followed them), the replies agents sent from suggestions (how many, how much edited) and a comparison between
model versions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Sequence

from analytics.articles import top_articles
from analytics.conversations import ConversationFacts
from analytics.definitions import DEFINITIONS
from analytics.metrics import MetricSet, breakdown, compute, top_fallback_messages
from analytics.stats import Estimate

PERIODS = ("day", "week")
# What the model comparison shows side by side.
MODEL_COMPARISON = ("containment", "resolution", "escalation", "fallback_rate", "csat_human")


def period_start(timestamp: float, period: str) -> str:
    day = datetime.fromtimestamp(timestamp, tz=timezone.utc).date()
    if period == "week":
        day = day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    return day.isoformat()


def estimate_json(estimate: Estimate) -> Dict[str, Any]:
    return asdict(estimate)


def metrics_json(metrics: MetricSet) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    for definition in DEFINITIONS:
        if definition.kind == "proportion":
            values[definition.key] = estimate_json(metrics.proportions[definition.key])
        else:
            duration = metrics.durations[definition.key]
            values[definition.key] = {
                "median": estimate_json(duration.median),
                "p90": estimate_json(duration.p90),
                "missing": duration.missing,
            }
    return {
        "conversations": metrics.conversations,
        "pending": metrics.pending,
        "degraded": metrics.degraded,
        "kb_answers": metrics.kb_answers,
        "suggestions_sent": metrics.suggestions_sent,
        "mean_edit_rate": metrics.mean_edit_rate,
        "values": values,
        "handoff_reasons": dict(sorted(metrics.handoff_reasons.items(), key=lambda item: -item[1])),
    }


def series(facts: Sequence[ConversationFacts], period: str, *, as_of: float) -> List[Dict[str, Any]]:
    """The metrics of the conversations started in each day or week, oldest first (a ticket without a bot
    conversation counts from its first reply sent from a suggestion)."""
    groups: Dict[str, List[ConversationFacts]] = defaultdict(list)
    for each in facts:
        if each.counted_from is not None:
            groups[period_start(each.counted_from, period)].append(each)
    return [
        {"start": start, **metrics_json(compute(items, as_of=as_of))}
        for start, items in sorted(groups.items())
    ]


def build(facts: Sequence[ConversationFacts], *, as_of: float) -> Dict[str, Any]:
    overall = compute(facts, as_of=as_of)
    by_model = breakdown(facts, "model_id", as_of=as_of)
    return {
        "as_of": as_of,
        "definitions": [
            {"key": each.key, "name": each.name, "formula": each.formula, "kind": each.kind}
            for each in DEFINITIONS
        ],
        "overall": metrics_json(overall),
        "series": {period: series(facts, period, as_of=as_of) for period in PERIODS},
        "csat": {
            "bot": estimate_json(overall.proportions["csat_bot"]),
            "human": estimate_json(overall.proportions["csat_human"]),
        },
        "top_fallbacks": [{"text": text, "count": count} for text, count in top_fallback_messages(facts)],
        "top_articles": [asdict(use) for use in top_articles(facts)],
        "models": [
            {
                "model_id": model_id,
                "conversations": metrics.conversations,
                "values": {key: estimate_json(metrics.proportions[key]) for key in MODEL_COMPARISON},
            }
            for model_id, metrics in by_model.items()
            if metrics.conversations
        ],
        "breakdowns": {
            dimension: {
                value: {key: estimate_json(metrics.proportions[key]) for key in MODEL_COMPARISON}
                for value, metrics in breakdown(facts, dimension, as_of=as_of).items()
                if metrics.conversations
            }
            for dimension in ("channel", "intent")
        },
    }
