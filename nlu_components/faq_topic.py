"""Which knowledge-base topic a store question is about, as the `faq_topic` entity.

Customers name a topic in many ways, or not at all ("in which cases can I get my money back?"), so the
topic is learnt from the whole sentence, on the FAQ training examples annotated with a topic. It is added
only to `faq` messages that carry no topic yet, and only when the classifier is reasonably sure; otherwise
the bot asks which topic is meant.

    - name: nlu_components.faq_topic.FaqTopicClassifier
      min_confidence: 0.4
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from nlu_components.features import SentenceFeatures
from nlu_components.persistence import load_state, save_state

FAQ_INTENT = "faq"
TOPIC_ENTITY = "faq_topic"


def tagged_topic(message: Message) -> Optional[str]:
    for entity in message.get(ENTITIES) or []:
        if entity.get("entity") == TOPIC_ENTITY and entity.get("value"):
            return str(entity["value"])
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class FaqTopicClassifier(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"min_confidence": 0.4, "C": 5.0, "dense_weight": 2.0, "random_seed": 42}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self.storage, self.resource = model_storage, resource
        self.features = SentenceFeatures(self.config["dense_weight"])
        self.clf: Optional[LogisticRegression] = None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FaqTopicClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            e
            for e in training_data.intent_examples
            if e.get(INTENT) == FAQ_INTENT and e.get(TEXT) and tagged_topic(e)
        ]
        topics = [tagged_topic(e) for e in examples]
        if len(set(topics)) >= 2:
            self.features.fit(examples)
            self.clf = LogisticRegression(
                C=self.config["C"], random_state=self.config["random_seed"], max_iter=3000
            )
            self.clf.fit(self.features.matrix(examples), topics)
        self.persist()
        return self.resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.clf is None:
            return messages
        asked = [
            m
            for m in messages
            if (m.get(INTENT) or {}).get("name") == FAQ_INTENT and tagged_topic(m) is None and m.get(TEXT)
        ]
        if not asked:
            return messages
        probabilities = self.clf.predict_proba(self.features.matrix(asked))
        for message, row in zip(asked, probabilities, strict=True):
            best = int(row.argmax())
            if row[best] < self.config["min_confidence"]:
                continue
            text = message.get(TEXT)
            entity = {
                "entity": TOPIC_ENTITY,
                "value": str(self.clf.classes_[best]),
                "start": 0,
                "end": len(text),
                "confidence_entity": float(row[best]),
            }
            message.set(
                ENTITIES,
                self.add_extractor_name([entity]) + (message.get(ENTITIES) or []),
                add_to_output=True,
            )
        return messages

    def persist(self) -> None:
        save_state(
            self.storage, self.resource, "faq_topic.skops", {"clf": self.clf, "idf": self.features.idf}
        )

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FaqTopicClassifier:
        component = cls(config, model_storage, resource)
        state = load_state(model_storage, resource, "faq_topic.skops")
        if state is None:
            return component
        component.clf = state["clf"]
        component.features = SentenceFeatures(component.config["dense_weight"], state["idf"])
        return component
