"""A safety net after the intent classifier: unmistakable crisis, fraud, legal and injury phrases always
become `sensitive_topic`, whatever the statistical classifier thought.

The classifier learns `sensitive_topic` from examples, but a miss there is the costliest mistake the bot can
make (held-out: "honestly i just want to end it all" was read as `stop` with 0.87). These patterns are few
and high-precision on purpose: a false alarm only brings in a person early.

    - name: nlu_components.safety_net.SensitiveTopicSafetyNet
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

SENSITIVE_INTENT = "sensitive_topic"
PATTERNS = {
    "crisis": r"suicid\w*|kill(ing)? my ?self|end(ing)? (it all|my life)|take my (own )?life|self[- ]harm"
    r"|hurt(ing)? my ?self|(don'?t|do not) want to (live|be alive)|want to die|better off dead",
    "fraud": r"identity theft|stole my (identity|card)|stolen (credit |debit )?card|(account|email) (was |got |has been )?hack(ed)?"
    r"|hacked my|phishing|unauthori[sz]ed (charges?|transactions?|purchases?)",
    "legal": r"\b(my )?(lawyer|solicitor|attorney)s?\b|\bsu(e|ing) (you|your)\b|lawsuit|legal action|small claims",
    "injury": r"caught (on )?fire|electric(al)? shock|(burn(ed|t)|injur(ed|ing)|hurt) (me|my (son|daughter|child|kid|baby|hand|face|arm|leg))"
    r"|(went|taken|going|go|been) to (the )?(hospital|a&e|er)\b|allergic reaction|chok(ed|ing) (on|hazard)",
    "threat": r"threaten(ed|ing)? (me|my)|stalk(ed|ing)|domestic (abuse|violence)",
}
MATCHER = re.compile("|".join(f"(?:{pattern})" for pattern in PATTERNS.values()), re.IGNORECASE)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SensitiveTopicSafetyNet(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SensitiveTopicSafetyNet:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not MATCHER.search(text):
                continue
            ranking = [{"name": SENSITIVE_INTENT, "confidence": 1.0}] + [
                {**ranked, "confidence": 0.0}
                for ranked in message.get("intent_ranking") or []
                if ranked.get("name") != SENSITIVE_INTENT
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
