"""Rasa's event brokers with Prometheus counters: the broker sees every event of the Rasa process it runs
in, so NLU confidence, fallbacks, handoffs and knowledge-base answers and abstentions are counted here, then the event is published minimised
(privacy/stream.py: no verbatim text, no slot values that identify the customer).

endpoints.yml names these classes (`type: analytics.rasa_broker.MeteredSQLEventBroker`; in production
`analytics.rasa_broker.MeteredPikaEventBroker`); the metrics channel (channels/metrics.py) exposes them.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Set

from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.brokers.sql import SQLEventBroker

from analytics.conversations import KB_ABSTENTION_RESPONSE, STORE_QUESTION_INTENT
from analytics.events import FALLBACK_INTENT, MAX_TEXT
from common.database import pool_rasa_sqlite_store
from common.telemetry import FALLBACKS, HANDOFFS, KB_ABSTENTIONS, KB_ANSWERS, NLU_CONFIDENCE
from common.vocabulary import ACTION_HANDOFF, HANDOFF_REASON_SLOT, KB_ARTICLE_ID_SLOT
from privacy.stream import StreamMinimiser

SERVICE = "rasa"


class _Meter:
    """Counts one process's events.

    action_handoff records the reason it used as a slot event right after its own ActionExecuted (Rasa logs
    the action first, then the events it returned), so a handoff is counted when that reason arrives. A
    store question is an abstention when the bot's first answer to it is "I don't know".
    """

    def __init__(self) -> None:
        self.awaiting_reason: Set[str] = set()
        self.open_store_questions: Set[str] = set()

    def count(self, event: Dict[str, Any]) -> None:
        kind = event.get("event")
        sender = str(event.get("sender_id"))
        if kind == "user":
            if sender in self.awaiting_reason:  # no reason came: still a handoff
                self.awaiting_reason.discard(sender)
                HANDOFFS.labels(SERVICE, "unrecorded").inc()
            intent = (event.get("parse_data") or {}).get("intent") or {}
            confidence = intent.get("confidence")
            if isinstance(confidence, int | float):
                NLU_CONFIDENCE.labels(SERVICE).observe(float(confidence))
            if intent.get("name") == FALLBACK_INTENT:
                FALLBACKS.labels(SERVICE).inc()
            if intent.get("name") == STORE_QUESTION_INTENT:
                self.open_store_questions.add(sender)
            else:
                self.open_store_questions.discard(sender)
        elif kind == "bot" and sender in self.open_store_questions:
            self.open_store_questions.discard(sender)
            if (event.get("metadata") or {}).get("utter_action") == KB_ABSTENTION_RESPONSE:
                KB_ABSTENTIONS.labels(SERVICE).inc()
        elif kind == "slot" and event.get("name") == KB_ARTICLE_ID_SLOT and event.get("value"):
            KB_ANSWERS.labels(SERVICE, str(event["value"])[:MAX_TEXT]).inc()
        elif kind == "action" and event.get("name") == ACTION_HANDOFF:
            self.awaiting_reason.add(sender)
        elif kind == "slot" and event.get("name") == HANDOFF_REASON_SLOT and event.get("value"):
            if sender in self.awaiting_reason:
                self.awaiting_reason.discard(sender)
                HANDOFFS.labels(SERVICE, str(event["value"])).inc()


_meter = _Meter()
_minimised = StreamMinimiser()


class MeteredSQLEventBroker(SQLEventBroker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pool_rasa_sqlite_store(self)

    def publish(self, event: Dict[str, Any]) -> None:
        _meter.count(event)
        super().publish(_minimised(event))


class MeteredPikaEventBroker(PikaEventBroker):
    def publish(self, event: Dict[str, Any], headers: Optional[Dict[str, str]] = None) -> None:
        _meter.count(event)
        super().publish(_minimised(event), headers)
