"""What of a Rasa event may leave Rasa on the event stream (the SQL broker's file locally, RabbitMQ in
production).

The stream feeds metrics (analytics/events.py), which need intents, confidences, actions, response names
and a few slots, never what the customer typed verbatim or the values of their details. Queues and broker
files are copied and kept in places retention does not reach, so an event is minimised before it is
published: text redacted (common/redaction.py), entity values and every slot value outside KEPT_SLOT_VALUES
replaced, metadata limited to the keys the consumers read. The event's shape stays Rasa's.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Optional, Sequence

from common.redaction import redact
from common.vocabulary import (
    HANDOFF_REASON_SLOT,
    HANDOFF_TICKET_SLOT,
    KB_ARTICLE_ID_SLOT,
    KB_ARTICLE_VERSION_SLOT,
)

WITHHELD = "[WITHHELD]"
# Slots whose values say nothing about who the customer is (the analytics store keeps the first four: the
# knowledge-base article and version the bot answered from are the store's own names and numbers).
KEPT_SLOT_VALUES = frozenset(
    {
        HANDOFF_REASON_SLOT,
        "csat_rating",
        KB_ARTICLE_ID_SLOT,
        KB_ARTICLE_VERSION_SLOT,
        HANDOFF_TICKET_SLOT,
        "faq_topic",
        "form_failures",
        "payment_problem",
        "account_field",
        "confirmed",
        "refund_reason",
    }
)
# Questions whose answer is the customer's detail itself: the whole message is withheld.
PERSONAL_ANSWER_SLOTS = frozenset({"email", "phone", "new_value", "verification_code", "verification_token"})
# Slots holding the customer's details, whose values are masked in the conversation's later text.
REMEMBERED_SLOTS = PERSONAL_ANSWER_SLOTS | {"verified_contact", "verification_sent_to"}
REQUESTED_SLOT = "requested_slot"
# Bounds on what a StreamMinimiser remembers (conversations, values per conversation).
REMEMBERED_CONVERSATIONS = 10_000
REMEMBERED_VALUES = 32
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


def minimised(
    event: Mapping[str, Any], *, known_values: Sequence[str] = (), withhold_text: bool = False
) -> Dict[str, Any]:
    """A copy of a Rasa event (as_dict) fit for the stream; the original is not changed. `known_values`
    are masked in its text wherever they appear; `withhold_text` replaces the text whole."""
    kept = dict(event)
    kind = kept.get("event")
    if "metadata" in kept:
        kept["metadata"] = _metadata(kept["metadata"])
    if kind in ("user", "bot") and isinstance(kept.get("text"), str):
        kept["text"] = WITHHELD if withhold_text else redact(kept["text"], known_values=known_values)
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
    if kind == "slot" and kept.get("value") is not None:
        if kept.get("name") not in KEPT_SLOT_VALUES:
            kept["value"] = WITHHELD
        elif isinstance(kept["value"], str):
            kept["value"] = redact(kept["value"], known_values=known_values)
    if kind == "user_featurization" or kind == "entities":
        kept.pop("entities", None)
    return kept


class _Conversation:
    def __init__(self) -> None:
        self.requested_slot: Optional[str] = None
        self.withheld_values: List[str] = []


class StreamMinimiser:
    """`minimised` with a bounded memory of each conversation (one per broker: Rasa publishes a
    conversation's events in order)."""

    def __init__(self) -> None:
        self._conversations: OrderedDict[str, _Conversation] = OrderedDict()

    def _conversation(self, sender_id: str) -> _Conversation:
        conversation = self._conversations.pop(sender_id, None) or _Conversation()
        self._conversations[sender_id] = conversation  # most recent last
        while len(self._conversations) > REMEMBERED_CONVERSATIONS:
            self._conversations.popitem(last=False)
        return conversation

    def __call__(self, event: Mapping[str, Any]) -> Dict[str, Any]:
        conversation = self._conversation(str(event.get("sender_id")))
        kind, name, value = event.get("event"), event.get("name"), event.get("value")
        if kind == "slot" and name == REQUESTED_SLOT:
            conversation.requested_slot = value if isinstance(value, str) else None
        elif kind == "slot" and name in REMEMBERED_SLOTS and isinstance(value, str) and value.strip():
            others = [known for known in conversation.withheld_values if known != value]
            conversation.withheld_values = [*others, value][-REMEMBERED_VALUES:]
        withhold_text = kind == "user" and conversation.requested_slot in PERSONAL_ANSWER_SLOTS
        return minimised(event, known_values=conversation.withheld_values, withhold_text=withhold_text)
