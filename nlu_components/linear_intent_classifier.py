"""A linear intent classifier over all sentence features: sparse n-gram counts and dense embeddings.

Each featurizer's sentence vector becomes one block: sparse blocks get sublinear TF-IDF weighting, every
block is L2-normalised, dense blocks are multiplied by `dense_weight`. The model is a linear SVM
(`model: svm`, fast; confidences are a softmax of its margins times `temperature`) or a multinomial
logistic regression (`model: logistic`, slower, probabilities).

    - name: nlu_components.linear_intent_classifier.LinearIntentClassifier
      model: svm
      C: 0.5
      dense_weight: 2.0
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "model": "svm",
            "C": 0.5,
            "temperature": 5.0,
            "dense_weight": 2.0,
            "max_iter": 3000,
            "ranking_length": 10,
            "random_seed": 42,
        }

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self.storage, self.resource = model_storage, resource
        self.idf: Dict[str, np.ndarray] = {}
        self.clf: Optional[Any] = None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def _blocks(message: Message) -> Dict[str, Any]:
        return {
            f"{f.origin}:{'sparse' if f.is_sparse() else 'dense'}": f.features
            for f in message.features
            if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
        }

    def _matrix(self, messages: List[Message]) -> sp.csr_matrix:
        per_message = [self._blocks(m) for m in messages]
        columns = []
        for key in sorted(self.idf):
            rows = [blocks[key] for blocks in per_message]
            if key.endswith(":sparse"):
                block = sp.vstack([sp.csr_matrix(r) for r in rows]).tocsr().astype(np.float64)
                block.data = np.log1p(block.data)
                block = normalize(block @ sp.diags(self.idf[key]))
            else:
                block = sp.csr_matrix(normalize(np.vstack(rows)) * self.config["dense_weight"])
            columns.append(block)
        return sp.hstack(columns).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        blocks = [self._blocks(e) for e in examples]
        keys = set(blocks[0]) if blocks else set()
        for key in sorted(keys):
            if key.endswith(":sparse"):
                present = sp.vstack([sp.csr_matrix(b[key]) for b in blocks]) > 0
                df = np.asarray(present.sum(axis=0)).ravel()
                self.idf[key] = np.log((1 + len(blocks)) / (1 + df)) + 1
            else:
                self.idf[key] = np.ones(1)
        c, seed, iters = self.config["C"], self.config["random_seed"], self.config["max_iter"]
        if self.config["model"] == "svm":
            self.clf = LinearSVC(C=c, random_state=seed, max_iter=iters)
        else:
            self.clf = LogisticRegression(C=c, random_state=seed, max_iter=iters)
        self.clf.fit(self._matrix(examples), [e.get(INTENT) for e in examples])
        self.persist()
        return self.resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.clf is None or not messages:
            return messages
        features = self._matrix(messages)
        if isinstance(self.clf, LinearSVC):
            margins = np.atleast_2d(self.clf.decision_function(features)) * self.config["temperature"]
            if len(self.clf.classes_) == 2:  # binary: one margin for the second class
                margins = np.hstack([-margins.T, margins.T]) / 2
            margins = np.exp(margins - margins.max(axis=1, keepdims=True))
            probabilities = margins / margins.sum(axis=1, keepdims=True)
        else:
            probabilities = self.clf.predict_proba(features)
        for message, row in zip(messages, probabilities, strict=True):
            order = np.argsort(-row)[: self.config["ranking_length"]]
            ranking = [{"name": str(self.clf.classes_[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        import skops.io as sio

        with self.storage.write_to(self.resource) as directory:
            sio.dump({"clf": self.clf, "idf": self.idf}, directory / "linear.skops")

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import skops.io as sio

        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / "linear.skops"
                state = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        except ValueError:
            return component  # not trained (no intent examples)
        component.clf, component.idf = state["clf"], state["idf"]
        return component
