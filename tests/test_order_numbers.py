"""Which digits an order number has does not change what a message means.

"where is order 10043" (a demo order) once parsed as `nlu_fallback` while "where is order 12345" was
`check_order_status`: the sentence embedding saw the digits. The featurizer now embeds every digit as "0";
the last test checks the trained model (the newest in models/, `make train`'s) end to end.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message

from common.paths import REPO_ROOT
from nlu_components.sentence_embeddings import MiniLMSentenceFeaturizer
from tools.nlu_eval import parse_all
from tools.stack import latest_model

# Demo orders (backend/seed.py) and numbers no training example uses.
ORDER_NUMBERS = ["10043", "10051", "10060", "10061", "12345", "17531", "19208"]


def embedding(featurizer: MiniLMSentenceFeaturizer, text: str) -> np.ndarray:
    message = Message(data={"text": text})
    featurizer.process([message])
    (feature,) = message.features
    return np.asarray(feature.features)


def test_the_embedding_does_not_depend_on_which_digits_a_number_has() -> None:
    featurizer = MiniLMSentenceFeaturizer(MiniLMSentenceFeaturizer.get_default_config(), "minilm")
    first, second = (embedding(featurizer, f"where is order {n}") for n in ("10043", "12345"))
    np.testing.assert_array_equal(first, second)
    assert featurizer.normalise("invoice INV-2024-0042, $25.50") == "invoice INV-0000-0000, $00.00"
    # Numbers still count, and the text without them embeds differently.
    assert not np.allclose(first, embedding(featurizer, "where is order"))
    as_written = MiniLMSentenceFeaturizer(
        {**MiniLMSentenceFeaturizer.get_default_config(), "digit": None}, "raw"
    )
    assert as_written.normalise("order 10043") == "order 10043"


@pytest.fixture(scope="module")
def parsed() -> Dict[str, Dict[str, Any]]:
    texts: List[str] = []
    for number in ORDER_NUMBERS:
        texts += [
            f"where is order {number}",
            f"where is my order {number}",
            f"status of order {number}",
            number,
        ]
    return dict(zip(texts, asyncio.run(parse_all(latest_model(REPO_ROOT / "models"), texts)), strict=True))


@pytest.mark.parametrize("number", ORDER_NUMBERS)
def test_any_order_number_asks_for_the_order_status(parsed: Dict[str, Dict[str, Any]], number: str) -> None:
    for text in (f"where is order {number}", f"where is my order {number}", f"status of order {number}"):
        intent = parsed[text]["intent"]
        # nlu_fallback would replace the intent below the fallback's threshold or ambiguity margin.
        assert intent["name"] == "check_order_status", (text, parsed[text]["intent_ranking"][:3])
        assert intent["confidence"] >= 0.6, (text, intent)
        assert [e["value"] for e in parsed[text]["entities"] if e["entity"] == "order_id"] == [number]
    # A bare number answers the bot's question.
    assert parsed[number]["intent"]["name"] == "inform"
