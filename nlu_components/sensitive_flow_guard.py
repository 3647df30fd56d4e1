"""Sensitive flows start only when NLU is sure: a refund, a cancellation, an account change, a deletion or
a password reset below `threshold`, or too close to the runner-up (`margin`), becomes `nlu_fallback`.

The bot then asks one line ("Do you want to cancel an order with us?") instead of starting the form: an
off-topic "cancel my flight" read as `cancel_order` with 0.5 must not ask for an order number. The
original intent stays first in the ranking and is named in `guarded_intent`, for that question.
Runs after FallbackClassifier; the thresholds are tuned on tests/nlu_dev (README, "Fallback thresholds").

    - name: nlu_components.sensitive_flow_guard.SensitiveFlowGuard
      intents: [request_refund, cancel_order, update_account, delete_account, reset_password]
      threshold: 0.6
      margin: 0.2
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

FALLBACK_INTENT = "nlu_fallback"
GUARDED_INTENT = "guarded_intent"
SENSITIVE_FLOWS = ["request_refund", "cancel_order", "update_account", "delete_account", "reset_password"]


def needs_confirmation(
    ranking: List[Dict[str, Any]], guarded: List[str], threshold: float, margin: float
) -> bool:
    """Whether the top intent is a guarded one that NLU is not sure enough of."""
    ranked = [item for item in ranking if item.get("name") != FALLBACK_INTENT]
    if not ranked or ranked[0].get("name") not in guarded:
        return False
    top = float(ranked[0].get("confidence") or 0)
    second = float(ranked[1].get("confidence") or 0) if len(ranked) > 1 else 0.0
    return top < threshold or top - second < margin


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SensitiveFlowGuard(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"intents": SENSITIVE_FLOWS, "threshold": 0.6, "margin": 0.2}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SensitiveFlowGuard:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") == FALLBACK_INTENT:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            if not needs_confirmation(
                ranking, self.config["intents"], self.config["threshold"], self.config["margin"]
            ):
                continue
            message.set(
                INTENT,
                {"name": FALLBACK_INTENT, "confidence": float(self.config["threshold"])},
                add_to_output=True,
            )
            message.set(GUARDED_INTENT, intent.get("name"), add_to_output=True)
        return messages
