"""The agent edit rate of suggestions over hand-written event sequences: the console's suggestion_sent events
(console/suggestions/service.py publish_sent) folded per conversation, against values worked out in the
comments, through the stream consumer, the dashboard and the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pytest

from analytics import dashboard, service
from analytics.consumer import SqlStreamConsumer, open_store
from analytics.events import AS_SUGGESTED, EDITED, normalize
from analytics.metrics import compute
from common.event_stream import SUGGESTION_SENT, Publisher
from tests.analytics.test_metrics import DAY, T0, Script, facts_of
from tests.analytics.test_report import report_page


def sent(
    script: Script, kind: str, rate: float, article: str = "", version: int = 0, after: float = 20
) -> Script:
    """A reply sent from a draft, as the console publishes it (edited exactly when the rate is above 0)."""
    fields: dict[str, Any] = {"ticket_id": 40, "suggestion": kind, "edited": rate > 0, "edit_rate": rate}
    if article:
        fields.update(article_id=article, article_version=version)
    return script.console(SUGGESTION_SENT, after=after, **fields)


def assist_corpus() -> List[Script]:
    # a1: handed over; the agent sends the delivery article as suggested, then an edited copy of it (0.3),
    #     then a reply typed without a draft (agent_replied only: not counted).
    a1 = Script("a1").user("check_order_status").bot("utter_order_status").user("request_human")
    a1.action("action_handoff").console("ticket_claimed", after=10, agent="alice")
    sent(a1, "kb", 0.0, "delivery-times", 2).console("agent_replied", after=0, agent="alice")
    sent(a1, "kb", 0.3, "delivery-times", 2).console("agent_replied", after=0, agent="alice")
    a1.console("agent_replied", after=30, agent="alice")
    # a2: handed over; a past reply, half of it rewritten.
    a2 = Script("a2").user("complaint").action("action_handoff")
    sent(a2, "past_reply", 0.5)
    # a3: an email ticket (no bot conversation): the return policy as suggested, the day after.
    a3 = Script("ticket-77")
    sent(a3, "kb", 0.0, "return-policy", 3, after=DAY)
    # a4: the bot answered; no agent, no suggestion.
    a4 = Script("a4").user("faq").bot("utter_faq_answer")
    # Broken events are left out: no edited flag, an edited flag the rate contradicts, a rate above 1.
    broken = Script("a5").user("complaint").action("action_handoff")
    broken.console(SUGGESTION_SENT, after=5, suggestion="kb", edit_rate=0.2)
    broken.console(SUGGESTION_SENT, after=5, suggestion="kb", edited=True, edit_rate=0.0)
    broken.console(SUGGESTION_SENT, after=5, suggestion="kb", edited=True, edit_rate=1.5)
    broken.console(SUGGESTION_SENT, after=5, suggestion="kb", edited="yes", edit_rate=0.4)
    return [a1, a2, a3, a4, broken]


def test_the_edit_rate_equals_the_hand_worked_values() -> None:
    metrics = compute(facts_of(assist_corpus()), as_of=T0 + 3 * DAY)
    rate = metrics.proportions["agent_edit_rate"]
    # Replies sent from drafts: a1 2, a2 1, a3 1 (an email ticket counts too) = 4; edited: a1's second, a2's.
    assert (rate.numerator, rate.denominator) == (2, 4)
    assert rate.value == 0.5 and rate.low is not None and rate.high is not None
    assert 0 < rate.low < 0.5 < rate.high < 1
    assert metrics.suggestions_sent == 4
    # (0 + 0.3 + 0.5 + 0) / 4
    assert metrics.mean_edit_rate == pytest.approx(0.2)
    # The email ticket is no bot conversation: the bot's metrics do not change.
    assert metrics.conversations == 4
    assert metrics.proportions["escalation"].denominator == 4


def test_without_suggestions_the_metric_is_empty_not_zero() -> None:
    metrics = compute(facts_of([Script("b1").user("faq").bot("utter_faq_answer")]), as_of=T0 + DAY)
    rate = metrics.proportions["agent_edit_rate"]
    assert (rate.value, rate.denominator) == (None, 0)
    assert (metrics.suggestions_sent, metrics.mean_edit_rate) == (0, None)


def test_each_conversation_keeps_its_replies_from_suggestions() -> None:
    facts = {each.conversation_id: each for each in facts_of(assist_corpus())}
    uses = facts["a1"].suggestions_sent
    assert [(use.kind, use.edited, use.edit_rate, use.article) for use in uses] == [
        ("kb", False, 0.0, "delivery-times@2"),
        ("kb", True, 0.3, "delivery-times@2"),
    ]
    assert [(use.kind, use.article) for use in facts["a2"].suggestions_sent] == [("past_reply", None)]
    assert facts["a5"].suggestions_sent == []
    # The email ticket counts from its first reply sent from a suggestion.
    email = facts["ticket-77"]
    assert email.started_at is None and email.counted_from == email.suggestions_sent[0].at


def test_the_store_keeps_no_text_of_the_event() -> None:
    raw = {
        "event": SUGGESTION_SENT,
        "source": "console",
        "sender_id": "c9",
        "timestamp": T0,
        "event_id": "e1",
        "ticket_id": 12,
        "suggestion": "kb",
        "article_id": "delivery-times",
        "article_version": 2,
        "edited": True,
        "edit_rate": 0.25,
        # Nothing the console sends, but were it there, none of it would be stored.
        "text": "Hi Jane, your order 10042 ships today",
        "note": "jane@example.com",
        "agent": "alice",
    }
    event = normalize(raw)
    assert event is not None
    assert (event.source, event.kind, event.conversation_id) == ("console", SUGGESTION_SENT, "c9")
    assert (event.name, event.value, event.text, event.confidence) == ("kb", EDITED, "delivery-times@2", 0.25)
    assert event.agent is None and event.channel is None and event.model_id is None
    unedited = normalize(
        {**raw, "event_id": "e2", "edited": False, "edit_rate": 0, "suggestion": "past_reply"}
    )
    assert unedited is not None and (unedited.value, unedited.confidence) == (AS_SUGGESTED, 0.0)
    past = {key: value for key, value in raw.items() if not key.startswith("article")}
    past_event = normalize({**past, "event_id": "e3", "suggestion": "past_reply"})
    assert past_event is not None and past_event.text is None


def test_the_console_publisher_through_the_consumer_to_the_number(tmp_path: Path) -> None:
    stream_url = f"sqlite:///{tmp_path}/events.db"
    console = Publisher("console", stream_url, "unused")
    for rate in (0.0, 0.1, 0.0):
        console.emit(
            SUGGESTION_SENT, "d1", ticket_id=5, suggestion="past_reply", edited=rate > 0, edit_rate=rate
        )
    sessions = open_store(f"sqlite:///{tmp_path}/analytics.db")
    SqlStreamConsumer(stream_url, sessions).drain()
    SqlStreamConsumer(stream_url, sessions).drain()  # read again from a fresh consumer: nothing counted twice
    with sessions() as db_session:
        facts = service.conversation_facts(db_session=db_session)
    metrics = compute(facts, as_of=T0)
    rate = metrics.proportions["agent_edit_rate"]
    assert (rate.numerator, rate.denominator) == (1, 3)
    assert metrics.mean_edit_rate == pytest.approx(0.1 / 3)


def test_the_dashboard_and_the_report_show_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripts = assist_corpus()
    board = dashboard.build(facts_of(scripts), as_of=T0 + 3 * DAY)
    overall = board["overall"]
    assert overall["suggestions_sent"] == 4 and overall["mean_edit_rate"] == pytest.approx(0.2)
    assert (
        overall["values"]["agent_edit_rate"]["numerator"],
        overall["values"]["agent_edit_rate"]["denominator"],
    ) == (
        2,
        4,
    )
    # By day: a1 and a2 started on the first day (3 replies, 2 edited); the email ticket's reply came the next.
    days = {day["start"]: day for day in board["series"]["day"]}
    assert sorted(day["suggestions_sent"] for day in days.values()) == [1, 3]
    assert sum(day["values"]["agent_edit_rate"]["numerator"] for day in days.values()) == 2

    page = report_page([raw for script in scripts for raw in script.raw], tmp_path, monkeypatch)
    assert "4 replies sent from agent-assist suggestions (mean edit rate 20.0%)" in page
    assert "Agent edit rate of suggestions</td><td>50.0% (" in page
