"""Metrics over hand-written event sequences, against values worked out by hand in the comments."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from analytics.conversations import fold
from analytics.events import normalize
from analytics.metrics import breakdown, compute, top_fallback_messages

DAY = 24 * 3600.0
T0 = 1_700_000_000.0


class Script:
    """Rasa-shaped raw events for one conversation, a second apart unless told."""

    def __init__(self, sender: str, channel: str = "rest", model: str = "model-a") -> None:
        self.sender, self.channel, self.model = sender, channel, model
        self.clock = T0
        self.raw: List[Dict[str, Any]] = []

    def _add(self, event: Dict[str, Any], after: float = 1.0) -> Script:
        self.clock += after
        self.raw.append({"sender_id": self.sender, "timestamp": self.clock, **event})
        return self

    def user(self, intent: str, text: str = "...", after: float = 1.0) -> Script:
        return self._add(
            {
                "event": "user",
                "text": text,
                "input_channel": self.channel,
                "parse_data": {"intent": {"name": intent, "confidence": 0.9}},
                "metadata": {"model_id": self.model},
            },
            after,
        )

    def bot(self, response: str, after: float = 1.0, agent: Optional[str] = None) -> Script:
        metadata = {"utter_action": response, "model_id": self.model}
        if agent:
            metadata["agent"] = agent
        return self._add({"event": "bot", "text": "...", "metadata": metadata}, after)

    def action(self, name: str, after: float = 0.1) -> Script:
        return self._add({"event": "action", "name": name}, after)

    def slot(self, name: str, value: Any, after: float = 0.1) -> Script:
        return self._add({"event": "slot", "name": name, "value": value}, after)

    def form(self, name: Optional[str], after: float = 0.1) -> Script:
        return self._add({"event": "active_loop", "name": name}, after)

    def console(self, kind: str, after: float, **fields: Any) -> Script:
        return self._add({"event": kind, "source": "console", "event_id": len(self.raw), **fields}, after)


def corpus() -> List[Script]:
    return [
        # 1 contained and confirmed: answered in 2 s, then "thanks".
        Script("c1").user("faq").bot("utter_faq_answer", after=2).user("thank").bot("utter_youre_welcome"),
        # 2 contained, assumed resolved: answered in 4 s, never came back.
        Script("c2").user("check_order_status").bot("utter_order_status", after=4),
        # 3 abandoned: a form asked for the order number, the customer left.
        #   Its answer "blah" is an answer to the form, not a fallback, whatever NLU made of it.
        Script("c3")
        .user("request_refund")
        .form("refund_form")
        .bot("utter_ask_order_id", after=6)
        .user("nlu_fallback", text="blah"),
        # 4 greeting only: not a bot conversation at all.
        Script("c4").user("greet").bot("utter_greet"),
        # 5 handed over on request from the web chat: agent replies 60 s after the handoff, handles 300 s,
        #   customer rates 5.
        Script("c5", channel="socketio")
        .user("request_human")
        .bot("utter_handoff", after=1)
        .slot("handoff_reason", "user_requested")
        .slot("handoff_reason", None)
        .action("action_handoff", after=0)
        .console("ticket_claimed", after=30, agent="alice")
        .bot("utter_agent_joined", after=0, agent="Alice")
        .console("agent_replied", after=30, agent="alice")
        .console("ticket_resolved", after=270, agent="alice")
        .slot("csat_rating", "5"),
        # 6 a loop: two fallbacks and two rephrase requests, then handed over for escalation_loop; claimed,
        #   unassigned after 100 s, claimed again 50 s later, resolved 20 s after that (handle 120 s), no reply,
        #   rated 2.
        Script("c6", model="model-b")
        .user("nlu_fallback", text="my thingy 12345 broke, mail me at x@y.com")
        .bot("utter_ask_rephrase", after=3)
        .user("nlu_fallback", text="THINGY broke")
        .bot("utter_ask_rephrase", after=1)
        .slot("handoff_reason", "escalation_loop")
        .action("action_handoff")
        .console("ticket_claimed", after=10)
        .console("ticket_unassigned", after=100)
        .console("ticket_claimed", after=50)
        .console("ticket_resolved", after=20)
        .slot("csat_rating", "2"),
        # 7 sensitive topic, reason inferred from the intent; nobody answered yet.
        Script("c7").user("sensitive_topic").action("action_handoff").bot("utter_handoff_sensitive_topic"),
    ]


def facts_of(scripts: List[Script]):
    events = [normalize(raw) for script in scripts for raw in script.raw]
    return fold([event for event in events if event is not None])


def test_metrics_equal_the_hand_worked_values() -> None:
    facts = facts_of(corpus())
    metrics = compute(facts, as_of=T0 + 2 * DAY)
    share = {key: (value.numerator, value.denominator) for key, value in metrics.proportions.items()}
    # Bot conversations: c1 c2 c3 c5 c6 c7 (c4 is greeting only) = 6; handed over c5 c6 c7.
    assert metrics.conversations == 6
    assert share["containment"] == (3, 6)
    assert share["escalation"] == (3, 6)
    # Resolved: c1 (confirmed) and c2 (assumed); c3 abandoned; the rest handed over.
    assert share["resolution"] == (2, 6)
    assert share["abandonment"] == (1, 6)
    assert metrics.handoff_reasons == {"user_requested": 1, "escalation_loop": 1, "sensitive_topic": 1}
    assert share["escalation_loops"] == (1, 6)
    assert share["repeated_clarifications"] == (1, 6)
    # Customer messages in bot conversations: c1 2, c2 1, c3 2, c5 1, c6 2, c7 1 = 9; fallbacks 2 (c6).
    assert share["fallback_rate"] == (2, 9)
    assert share["csat_human"] == (1, 2)
    # The bot asks for ratings only after a handoff: no bot-only ratings, an empty estimate.
    assert share["csat_bot"] == (0, 0) and metrics.proportions["csat_bot"].value is None
    # First bot answers: 2, 4, 6.1 (after the form event), 1 (c5), 3 (c6), 1.1 (c7) -> median (2 + 3) / 2.
    bot_first = metrics.durations["first_response_bot"]
    assert bot_first.median.value == pytest.approx(2.5)
    human_first = metrics.durations["first_response_human"]
    assert human_first.median.value == pytest.approx(60) and human_first.missing == 2
    assert metrics.durations["handle_time"].median.value == pytest.approx((300 + 120) / 2)


def test_recent_conversations_are_pending_not_resolved() -> None:
    metrics = compute(facts_of(corpus()), as_of=T0 + 3600)
    assert metrics.pending == 6
    assert metrics.proportions["resolution"].denominator == 0
    assert metrics.proportions["resolution"].value is None


def test_breakdown_by_channel_and_model() -> None:
    facts = facts_of(corpus())
    by_channel = breakdown(facts, "channel", as_of=T0 + 2 * DAY)
    assert by_channel["socketio"].conversations == 1
    assert by_channel["rest"].conversations == 5
    by_model = breakdown(facts, "model_id", as_of=T0 + 2 * DAY)
    assert by_model["model-b"].proportions["escalation"].value == 1.0
    with pytest.raises(ValueError):
        breakdown(facts, "colour", as_of=T0)


def test_fallback_messages_are_redacted_and_counted() -> None:
    top = dict(top_fallback_messages(facts_of(corpus())))
    assert top == {"my thingy # broke, mail me at <email>": 1, "thingy broke": 1}


def test_secret_slots_and_unused_events_are_not_kept() -> None:
    base = {"sender_id": "s", "timestamp": T0}
    assert normalize({**base, "event": "slot", "name": "verification_token", "value": "secret"}) is None
    assert normalize({**base, "event": "slot", "name": "verification_code", "value": "123456"}) is None
    understood = normalize(
        {**base, "event": "user", "text": "my code is 123456", "parse_data": {"intent": {"name": "inform"}}}
    )
    assert understood is not None and understood.text is None
    assert normalize({**base, "event": "restart"}) is None


def test_the_same_event_twice_has_one_key() -> None:
    script = corpus()[0]
    first = normalize(dict(script.raw[0]))
    again = normalize(dict(script.raw[0]))
    other = normalize(script.raw[1])
    assert first is not None and again is not None and other is not None
    assert first.key == again.key != other.key


def test_the_reason_action_handoff_records_after_itself_wins() -> None:
    # Rasa logs ActionExecuted before the events the action returned: the recorded reason comes second.
    script = (
        Script("r1").user("nlu_fallback").action("action_handoff").slot("handoff_reason", "low_confidence")
    )
    script.slot("handoff_reason", None)
    (facts,) = facts_of([script])
    assert facts.handed_off and facts.handoff_reason == "low_confidence"


def test_the_rasa_broker_meter_counts_handoffs_by_recorded_reason() -> None:
    from analytics.rasa_broker import _Meter
    from common.telemetry import FALLBACKS, HANDOFFS

    meter = _Meter()
    before = HANDOFFS.labels("rasa", "escalation_loop")._value.get()
    fallbacks = FALLBACKS.labels("rasa")._value.get()
    script = (
        Script("m1").user("nlu_fallback").action("action_handoff").slot("handoff_reason", "escalation_loop")
    )
    for raw in script.raw:
        meter.count(raw)
    assert HANDOFFS.labels("rasa", "escalation_loop")._value.get() == before + 1
    assert FALLBACKS.labels("rasa")._value.get() == fallbacks + 1


def test_a_conversation_sent_to_a_person_at_session_start_counts_as_degraded() -> None:
    # actions/session.py: the bot speaks and hands over before Rasa logs the first message.
    script = Script("d1").bot("utter_backend_unavailable").action("action_handoff")
    script.slot("handoff_reason", "backend_unavailable").slot("handoff_reason", None).user(
        "check_order_status"
    )
    (facts,) = facts_of([script])
    assert facts.degraded and facts.handed_off and facts.handoff_reason == "backend_unavailable"
    assert facts.first_bot_response_seconds == 0.0
    metrics = compute([facts], as_of=T0 + 2 * DAY)
    assert metrics.degraded == 1 and metrics.proportions["escalation"].value == 1.0
    (normal,) = facts_of(corpus()[:1])
    assert not normal.degraded
