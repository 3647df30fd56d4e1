"""Scores the trained model on every held-out set and gates `make test` on them.

Sets (each example parsed by the real model, FallbackClassifier and the sensitive-flow guard included, so
a fallback counts as a miss):
- `tests/nlu`: written with the training data (gated);
- `tests/nlu_independent`: written blind, without seeing the training data (gated);
- `tests/nlu_dev`: the dev split for tuning thresholds and pipelines (reported, never gated: it was tuned on);
- Banking77's test split, for the intents that map onto ours (cross-domain check, gated when present).

Besides per-intent precision, recall and F1, every set reports the safety measures:
- off-topic rejected: `out_of_scope` examples answered `out_of_scope` or `nlu_fallback`;
- dangerous: `out_of_scope` examples that would start a refund, cancellation, account change, deletion
  or password reset;
- unsupported into a sensitive flow: requests we have no flow for (change an order, open an account, ...)
  that would start one of those flows.
The bars are in GATES below and justified in the README ("NLU quality gates").

    python -m tools.nlu_eval [--model models/X.tar.gz] [--sets nlu independent dev banking77] [--no-gate]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from common.paths import REPO_ROOT, banking77_dir
from tools.check_nlu_data import load_dir

FALLBACK = "nlu_fallback"
OFF_TOPIC = "out_of_scope"
SENSITIVE_FLOWS = ("request_refund", "cancel_order", "update_account", "delete_account", "reset_password")
UNSUPPORTED = (
    "change_order",
    "place_order",
    "account_registration",
    "add_delivery_address",
    "newsletter",
    "leave_review",
)
# Banking77 intents that mean the same as one of ours.
BANKING77_MAP = {
    "request_refund": "request_refund",
    "Refund_not_showing_up": "check_refund_status",
    "declined_card_payment": "payment_issue",
    "transaction_charged_twice": "payment_issue",
    "edit_personal_details": "update_account",
    "passcode_forgotten": "reset_password",
    "terminate_account": "delete_account",
}
SETS = {
    "nlu": REPO_ROOT / "tests" / "nlu",
    "independent": REPO_ROOT / "tests" / "nlu_independent",
    "dev": REPO_ROOT / "tests" / "nlu_dev",
}


@dataclass(frozen=True)
class Gate:
    """The bars one set must clear (None: not gated)."""

    min_macro_f1: Optional[float] = None
    min_accuracy: Optional[float] = None
    min_intent_f1: Optional[float] = None
    min_intent_recall: Optional[float] = None
    min_sensitive_topic_recall: Optional[float] = None
    min_off_topic_rejected: Optional[float] = None
    max_dangerous: Optional[float] = None
    max_unsupported_into_sensitive: Optional[float] = None


# Why these bars: README, "NLU quality gates". The independent set stands in for real customers, so it
# carries the bars the store needs (accuracy 0.90, off-topic rejected 0.90, no off-topic message into a
# sensitive flow); per-intent floors catch one intent collapsing while the averages still look fine.
GATES: Dict[str, Gate] = {
    "nlu": Gate(
        min_macro_f1=0.93,
        min_intent_f1=0.75,
        min_sensitive_topic_recall=0.80,
        min_off_topic_rejected=0.90,
        max_dangerous=0.005,
        max_unsupported_into_sensitive=0.02,
    ),
    "independent": Gate(
        min_accuracy=0.90,
        min_intent_recall=0.75,
        min_sensitive_topic_recall=0.85,
        min_off_topic_rejected=0.90,
        max_dangerous=0.005,
        max_unsupported_into_sensitive=0.01,
    ),
    "banking77": Gate(min_accuracy=0.75),
}


@dataclass
class SetScore:
    name: str
    truth: List[str]
    predicted: List[str]
    texts: List[str]
    per_intent: Dict[str, Dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for intent in sorted(set(self.truth)):
            tp = sum(t == intent and p == intent for t, p in zip(self.truth, self.predicted, strict=True))
            fp = sum(t != intent and p == intent for t, p in zip(self.truth, self.predicted, strict=True))
            support = self.truth.count(intent)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / support if support else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            self.per_intent[intent] = {"precision": precision, "recall": recall, "f1": f1, "support": support}

    @property
    def accuracy(self) -> float:
        return sum(t == p for t, p in zip(self.truth, self.predicted, strict=True)) / max(len(self.truth), 1)

    @property
    def macro_f1(self) -> float:
        return sum(row["f1"] for row in self.per_intent.values()) / max(len(self.per_intent), 1)

    def _share(self, of: Sequence[str], predicted_in: Sequence[str]) -> Optional[float]:
        rows = [p for t, p in zip(self.truth, self.predicted, strict=True) if t in of]
        return sum(p in predicted_in for p in rows) / len(rows) if rows else None

    @property
    def off_topic_rejected(self) -> Optional[float]:
        return self._share([OFF_TOPIC], [OFF_TOPIC, FALLBACK])

    @property
    def dangerous(self) -> Optional[float]:
        return self._share([OFF_TOPIC], SENSITIVE_FLOWS)

    @property
    def unsupported_into_sensitive(self) -> Optional[float]:
        return self._share(UNSUPPORTED, SENSITIVE_FLOWS)

    def summary(self) -> Dict[str, object]:
        return {
            "examples": len(self.truth),
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "off_topic_rejected": self.off_topic_rejected,
            "dangerous": self.dangerous,
            "unsupported_into_sensitive": self.unsupported_into_sensitive,
            "fallback_share": self.predicted.count(FALLBACK) / max(len(self.predicted), 1),
            "per_intent": self.per_intent,
            "confusions": self.confusions(),
        }

    def confusions(self, top: int = 15) -> List[Tuple[str, int]]:
        pairs = Counter(f"{t} -> {p}" for t, p in zip(self.truth, self.predicted, strict=True) if t != p)
        return pairs.most_common(top)


def banking77_examples() -> List[Tuple[str, str]]:
    """Banking77 test-split examples of the intents that map onto ours, with our intent names."""
    test_csv = banking77_dir() / "test.csv"
    if not test_csv.exists():
        return []
    with test_csv.open(newline="") as handle:
        return [
            (BANKING77_MAP[row["category"]], row["text"])
            for row in csv.DictReader(handle)
            if row["category"] in BANKING77_MAP
        ]


async def parse_all(model: Path, texts: List[str], batch_size: int = 64) -> List[Dict[str, Any]]:
    """What the model makes of each text (Rasa's parse result: intent, ranking, entities).

    The model's NLU graph runs on batches of messages (every component takes a list): the sentence encoder
    then embeds a batch at once, about five times faster than one message at a time, with the same
    predictions (checked on 300 held-out messages: 300 of 300 the same)."""
    import logging

    import structlog
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger("rasa").setLevel(logging.WARNING)
    processor = Agent.load(str(model)).processor
    assert processor is not None, f"{model} has no model to parse with"
    target = processor.model_metadata.nlu_target
    tracker = DialogueStateTracker.from_events("nlu-eval", [])
    parsed: List[Dict[str, Any]] = []
    for start in range(0, len(texts), batch_size):
        batch = [UserMessage(text) for text in texts[start : start + batch_size]]
        results = processor.graph_runner.run(
            inputs={PLACEHOLDER_MESSAGE: batch, PLACEHOLDER_TRACKER: tracker}, targets=[target]
        )
        parsed += [message.as_dict(only_output_properties=True) for message in results[target]]
    return parsed


async def predict(model: Path, texts: List[str]) -> List[str]:
    """The final intent of each text, fallbacks and the guard included."""
    parsed = await parse_all(model, texts)
    return [str((p.get("intent") or {}).get("name") or FALLBACK) for p in parsed]


def failures(score: SetScore, gate: Gate) -> List[str]:
    """Each bar the set misses, as a readable line."""
    found = []

    def below(value: Optional[float], bar: Optional[float], what: str) -> None:
        if bar is not None and value is not None and value < bar:
            found.append(f"{score.name}: {what} {value:.3f} is below {bar}")

    def above(value: Optional[float], bar: Optional[float], what: str) -> None:
        if bar is not None and value is not None and value > bar:
            found.append(f"{score.name}: {what} {value:.3f} is above {bar}")

    below(score.macro_f1, gate.min_macro_f1, "macro-F1")
    below(score.accuracy, gate.min_accuracy, "accuracy")
    for intent, row in score.per_intent.items():
        below(row["f1"], gate.min_intent_f1, f"F1 of {intent}")
        below(row["recall"], gate.min_intent_recall, f"recall of {intent}")
    if "sensitive_topic" in score.per_intent:
        below(
            score.per_intent["sensitive_topic"]["recall"],
            gate.min_sensitive_topic_recall,
            "sensitive_topic recall",
        )
    below(score.off_topic_rejected, gate.min_off_topic_rejected, "off-topic rejected")
    above(score.dangerous, gate.max_dangerous, "off-topic into a sensitive flow")
    above(
        score.unsupported_into_sensitive,
        gate.max_unsupported_into_sensitive,
        "unsupported into a sensitive flow",
    )
    return found


def percent(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def report(score: SetScore) -> str:
    lines = [
        f"## {score.name}: {len(score.truth)} examples",
        f"accuracy {score.accuracy:.3f}, macro-F1 {score.macro_f1:.3f}, off-topic rejected "
        f"{percent(score.off_topic_rejected)}, off-topic into a sensitive flow {percent(score.dangerous)}, "
        f"unsupported into a sensitive flow {percent(score.unsupported_into_sensitive)}, "
        f"fallbacks {percent(score.predicted.count(FALLBACK) / max(len(score.predicted), 1))}",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for intent, row in sorted(score.per_intent.items(), key=lambda item: item[1]["f1"]):
        lines.append(
            f"| {intent} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {int(row['support'])} |"
        )
    lines += ["", "most frequent confusions: " + ", ".join(f"{pair} ({n})" for pair, n in score.confusions())]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--sets", nargs="+", default=["nlu", "independent", "dev", "banking77"])
    parser.add_argument("--no-gate", action="store_true", help="report only")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "nlu_eval")
    args = parser.parse_args(argv)
    from tools.stack import latest_model

    model = args.model or latest_model(REPO_ROOT / "models")
    examples: Dict[str, List[Tuple[str, str]]] = {}
    for name in args.sets:
        if name == "banking77":
            found = banking77_examples()
            if not found:
                print(f"Banking77 is not at {banking77_dir()}: the cross-domain check is not run here.")
                continue
            examples[name] = found
        else:
            examples[name] = load_dir(SETS[name])
    texts = [text for rows in examples.values() for _, text in rows]
    predicted = asyncio.run(predict(model, texts))
    scores, offset = [], 0
    for name, rows in examples.items():
        scores.append(
            SetScore(name, [i for i, _ in rows], predicted[offset : offset + len(rows)], [t for _, t in rows])
        )
        offset += len(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scores.json").write_text(json.dumps({s.name: s.summary() for s in scores}, indent=1))
    markdown = "\n\n".join(report(score) for score in scores)
    (args.out / "report.md").write_text(f"# NLU evaluation of {model.name}\n\n{markdown}\n")
    print(markdown)
    problems = [line for score in scores for line in failures(score, GATES.get(score.name, Gate()))]
    for line in problems:
        print(f"NLU GATE FAILED: {line}")
    if args.no_gate:
        return 0
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
