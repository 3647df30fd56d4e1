"""What of a Rasa event may leave Rasa on the event stream (the SQL broker's file locally, RabbitMQ in
production).

The stream feeds metrics (analytics/events.py), which need intents, confidences, actions, response names
and a few slots, never what the customer typed verbatim or the values of their details. Queues and broker
files are copied and kept in places retention does not reach, so an event is minimised before it is
published: text redacted (common/redaction.py), entity values and every slot value outside KEPT_SLOT_VALUES
replaced, metadata limited to the keys the consumers read. The event's shape stays Rasa's.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from common.redaction import redact
from common.vocabulary import HANDOFF_REASON_SLOT, HANDOFF_TICKET_SLOT

WITHHELD = "[WITHHELD]"
# Slots whose values say nothing about who the customer is (the analytics store keeps the first two).
KEPT_SLOT_VALUES = frozenset(
    {
        HANDOFF_REASON_SLOT,
        "csat_rating",
        HANDOFF_TICKET_SLOT,
        "faq_topic",
        "form_failures",
        "payment_problem",
        "account_field",
        "confirmed",
        "refund_reason",
    }
)
KEPT_METADATA = frozenset({"model_id", "assistant_id", "utter_action", "agent", "notice"})
PARSE_DATA_KEPT = ("intent", "intent_ranking", "response_selector")


def _metadata(metadata: Any) -> Dict[str, Any]:
    if not isinstance(metadata, Mapping):
        return {}
    return {key: value for key, value in metadata.items() if key in KEPT_METADATA}


def _entities(entities: Any) -> list:
    if not isinstance(entities, list):
        return []
    return [
        {"entity": entity.get("entity"), "value": WITHHELD}
        for entity in entities
        if isinstance(entity, Mapping)
    ]


def minimised(event: Mapping[str, Any]) -> Dict[str, Any]:
    """A copy of a Rasa event (as_dict) fit for the stream; the original is not changed."""
    kept = dict(event)
    kind = kept.get("event")
    if "metadata" in kept:
        kept["metadata"] = _metadata(kept["metadata"])
    if kind in ("user", "bot") and isinstance(kept.get("text"), str):
        kept["text"] = redact(kept["text"])
    if kind == "bot":
        kept["data"] = {}  # buttons and custom payloads may repeat the customer's details
    if kind == "user":
        original = kept.get("parse_data")
        parse_data: Mapping[str, Any] = original if isinstance(original, Mapping) else {}
        reduced: Dict[str, Any] = {key: parse_data[key] for key in PARSE_DATA_KEPT if key in parse_data}
        reduced["entities"] = _entities(parse_data.get("entities"))
        if isinstance(kept.get("text"), str):
            reduced["text"] = kept["text"]
        kept["parse_data"] = reduced
    if kind == "slot" and kept.get("name") not in KEPT_SLOT_VALUES and kept.get("value") is not None:
        kept["value"] = WITHHELD
    if kind == "user_featurization" or kind == "entities":
        kept.pop("entities", None)
    return kept
