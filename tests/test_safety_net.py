"""The sensitive-topic safety net catches unmistakable phrases and leaves ordinary requests alone."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu_components.safety_net import SensitiveTopicSafetyNet


def classify(text: str, predicted: str = "stop") -> str:
    message = Message(data={"text": text})
    message.set("intent", {"name": predicted, "confidence": 0.87})
    message.set("intent_ranking", [{"name": predicted, "confidence": 0.87}])
    SensitiveTopicSafetyNet().process([message])
    return message.get("intent")["name"]


@pytest.mark.parametrize(
    "text",
    [
        "honestly i just want to end it all",
        "I don't want to live anymore",
        "thinking about suicide",
        "someone stole my card and bought stuff here",
        "my account got hacked",
        "my lawyer will be in touch",
        "I'm going to sue you",
        "the kettle caught fire",
        "the lamp gave me an electric shock",
        "my son ended up going to the hospital after eating it",
        "my ex is threatening me",
    ],
)
def test_unmistakable_phrases_become_sensitive_topic(text: str) -> None:
    assert classify(text) == "sensitive_topic"


@pytest.mark.parametrize(
    "text, intent",
    [
        ("stop, I want to end this chat", "stop"),
        ("never mind, forget it", "stop"),
        ("my card was declined", "payment_issue"),
        ("I was charged twice", "payment_issue"),
        ("the parcel arrived damaged", "complaint"),
        ("this deal is fire", "faq"),
        ("I want to cancel order 10044", "cancel_order"),
    ],
)
def test_ordinary_requests_are_left_alone(text: str, intent: str) -> None:
    assert classify(text, intent) == intent
