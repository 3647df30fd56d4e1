"""Events leave Rasa for the stream minimised (privacy/stream.py), and the metrics built from them are the
same as from the whole events."""

from __future__ import annotations

import json
from dataclasses import replace

from rasa.shared.core.events import BotUttered, SlotSet, UserUttered

from analytics.events import normalize
from privacy.stream import WITHHELD, minimised

EMAIL = "dana.whitfield@example.net"


def _user() -> dict:
    event = UserUttered(
        f"my email is {EMAIL}, code 482913",
        intent={"name": "check_order_status", "confidence": 0.91},
        entities=[{"entity": "email", "value": EMAIL, "start": 12, "end": 38}],
        parse_data={"intent_ranking": [{"name": "check_order_status", "confidence": 0.91}]},
        input_channel="socketio",
        metadata={"model_id": "m1", "name": "Dana Whitfield", "attachments": [{"name": "receipt-dana.pdf"}]},
    ).as_dict()
    event["sender_id"] = "web-1"
    return event


def test_no_text_entity_slot_or_metadata_value_of_the_customer_is_published() -> None:
    events = [
        _user(),
        {
            **BotUttered(f"I sent a code to {EMAIL}", data={"buttons": [{"title": EMAIL}]}).as_dict(),
            "sender_id": "w",
        },
        {**SlotSet("verification_token", "vt_secret_token_value").as_dict(), "sender_id": "w"},
        {**SlotSet("email", EMAIL).as_dict(), "sender_id": "w"},
    ]
    published = json.dumps([minimised(event) for event in events])
    for value in (EMAIL, "482913", "Dana Whitfield", "receipt-dana", "vt_secret_token_value"):
        assert value not in published
    assert published.count(WITHHELD) >= 3
    assert EMAIL in json.dumps(events), "the original events are not changed"


def test_metrics_read_the_same_from_a_minimised_event() -> None:
    for event in (
        _user(),
        {**SlotSet("handoff_reason", "requested").as_dict(), "sender_id": "w"},
        {**SlotSet("csat_rating", "4").as_dict(), "sender_id": "w"},
    ):
        # Everything but the dedup key (a hash of the published body) is the same.
        whole, published = normalize(event), normalize(minimised(event))
        assert whole is not None and published is not None
        assert replace(published, key="") == replace(whole, key="")
