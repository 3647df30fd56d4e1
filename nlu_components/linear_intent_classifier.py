"""A linear intent classifier over all sentence features: sparse n-gram counts and dense embeddings.

The features are nlu_components/features.py's blocks (TF-IDF n-grams and weighted embeddings). The model
is a linear SVM (`model: svm`, fast; confidences are a softmax of its margins times `temperature`) or a
multinomial logistic regression (`model: logistic`, slower, probabilities).

    - name: nlu_components.linear_intent_classifier.LinearIntentClassifier
      model: svm
      C: 0.5
      dense_weight: 2.0
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from nlu_components.features import SentenceFeatures
from nlu_components.persistence import load_state, save_state


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
            # "balanced" weighs each intent by the inverse of its share of the examples; a mapping weighs the
            # intents it names ({out_of_scope: 0.5} halves the pull of the large off-topic class).
            "class_weight": None,
            "random_seed": 42,
        }

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self.storage, self.resource = model_storage, resource
        self.features = SentenceFeatures(self.config["dense_weight"])
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

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        self.features = SentenceFeatures(self.config["dense_weight"]).fit(examples)
        c, seed, iters = self.config["C"], self.config["random_seed"], self.config["max_iter"]
        if self.config["model"] == "svm":
            self.clf = LinearSVC(
                C=c, random_state=seed, max_iter=iters, class_weight=self.config["class_weight"]
            )
        else:
            self.clf = LogisticRegression(
                C=c, random_state=seed, max_iter=iters, class_weight=self.config["class_weight"]
            )
        self.clf.fit(self.features.matrix(examples), [e.get(INTENT) for e in examples])
        self.persist()
        return self.resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.clf is None or not messages:
            return messages
        features = self.features.matrix(messages)
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
        save_state(self.storage, self.resource, "linear.skops", {"clf": self.clf, "idf": self.features.idf})

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource)
        state = load_state(model_storage, resource, "linear.skops")
        if state is None:
            return component
        component.clf = state["clf"]
        component.features = SentenceFeatures(component.config["dense_weight"], state["idf"])
        return component
