"""Agent assist in Prometheus, on the console's /metrics (common/telemetry.py serves the registry).

The mean edit rate over any window is rate(..._edit_rate_sum) / rate(..._edit_rate_count); the share of
replies that started from a suggestion is the `suggestion` label of frontdesk_agent_replies_total.
"""

from __future__ import annotations

from typing import Optional

from prometheus_client import Counter, Histogram

SERVICE = "console"
NO_SUGGESTION = "none"

SUGGESTIONS_SHOWN = Counter(
    "frontdesk_agent_suggestions_shown_total",
    "Reply drafts shown to agents (each draft once per ticket and day), by kind (kb, past_reply).",
    ["service", "kind"],
)
REPLIES_SENT = Counter(
    "frontdesk_agent_replies_total",
    "Replies agents sent, by the kind of suggestion they started from (none: typed without one).",
    ["service", "suggestion"],
)
EDIT_RATE = Histogram(
    "frontdesk_agent_suggestion_edit_rate",
    "How much of a used suggestion the agent changed: edit distance / length of the longer text.",
    ["service", "kind"],
    buckets=(0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0),
)


def shown(kind: str) -> None:
    SUGGESTIONS_SHOWN.labels(SERVICE, kind).inc()


def sent(kind: Optional[str], rate: Optional[float]) -> None:
    REPLIES_SENT.labels(SERVICE, kind or NO_SUGGESTION).inc()
    if kind is not None and rate is not None:
        EDIT_RATE.labels(SERVICE, kind).observe(rate)
