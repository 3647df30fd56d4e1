"""Events leave Rasa for the stream minimised (privacy/stream.py), and the metrics built from them are the
same as from the whole events."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from rasa.shared.core.events import BotUttered, SlotSet, UserUttered

from analytics.events import normalize
from privacy.stream import WITHHELD, StreamMinimiser, minimised

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


def test_a_refund_reason_is_kept_but_redacted() -> None:
    card = "4124 9817 2011 0489"
    event = {
        **SlotSet("refund_reason", f"it arrived broken, refund my card {card}").as_dict(),
        "sender_id": "w",
    }
    published = minimised(event)
    assert card not in json.dumps(published) and published["value"].startswith("it arrived broken")
    for name, value in (
        ("handoff_reason", "requested"),
        ("csat_rating", "4"),
        ("payment_problem", "declined"),
    ):
        assert minimised({**SlotSet(name, value).as_dict(), "sender_id": "w"})["value"] == value


def test_the_stream_remembers_which_answers_and_values_are_the_customers() -> None:
    """An address the redactor has no pattern for: withheld as the answer to the form's question, and
    masked when the bot repeats it; another conversation is not affected."""
    address = "421 Larkspur Hollow, Thistlewick, TW4 2HQ, United Kingdom"
    minimise = StreamMinimiser()

    def event(sender: str, rasa_event: Any) -> dict:
        return minimise({**rasa_event.as_dict(), "sender_id": sender})

    event("a", SlotSet("account_field", "address"))
    event("a", SlotSet("requested_slot", "new_value"))
    event("b", SlotSet("requested_slot", "order_id"))
    answer = event("a", UserUttered(address, intent={"name": "inform", "confidence": 0.9}))
    other = event("b", UserUttered("it's ORD-12345", intent={"name": "inform", "confidence": 0.9}))
    event("a", SlotSet("new_value", address))
    event("a", SlotSet("requested_slot", None))
    done = event("a", BotUttered(f"Done: your address is now {address}."))
    later = event("a", UserUttered("thanks", intent={"name": "thank", "confidence": 0.9}))

    published = json.dumps([answer, done])
    assert "Larkspur" not in published and "Thistlewick" not in published
    assert answer["text"] == WITHHELD and answer["parse_data"]["intent"]["name"] == "inform"
    assert done["text"].startswith("Done: your address is now [")
    assert later["text"] == "thanks"  # the question was answered: later messages are redacted, not withheld
    assert other["text"] != WITHHELD
